package io.sluice.ops.net;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.client.wire.ErrorCode;
import io.sluice.engine.counters.SluiceCounters;

/**
 * The network server's counters, allocated from the engine's (or the daemon's) {@link CountersManager}
 * so that they live in the counters file next to the engine's and are read like AeronStat. Labels
 * read {@code net-<name>} and {@code net-frames-rejected: <ERROR_CODE>}, or with a scope (several servers
 * in one file) {@code net-<name>: <scope>} and {@code net-frames-rejected: <scope> <ERROR_CODE>}; type ids
 * are below, in the range 3000-3999 the daemon reserves for its components (the registry is the engine's
 * SluiceCounters). Keys carry the scope as the name and, for rejections, the error code as the detail.
 *
 * <p>Threading: single writer per counter (plain increments with ordered stores): the server's agent thread,
 * except the commit stores' counters ({@link #commitStores()}, {@link #commitStoreFailures()}, the store times),
 * written by its background commit writer ({@link CommitStoreAgent}) on a disk duties thread; any thread reads.
 */
public final class NetCounters implements AutoCloseable
{
    /** Frames rejected, one counter per {@link ErrorCode}. */
    public static final int FRAMES_REJECTED_TYPE_ID = SluiceCounters.NET_FRAMES_REJECTED_TYPE_ID;
    /** Valid frames received. */
    public static final int FRAMES_IN_TYPE_ID = SluiceCounters.NET_FRAMES_IN_TYPE_ID;
    /** Events published into the engine's rings. */
    public static final int EVENTS_IN_TYPE_ID = SluiceCounters.NET_EVENTS_IN_TYPE_ID;
    /** Times a PUBLISH met a full ring or session window and the producer's stream was paused. */
    public static final int BACK_PRESSURE_TYPE_ID = SluiceCounters.NET_BACK_PRESSURE_TYPE_ID;
    /** Duplicate PUBLISH frames (sequence already accepted) not published again. */
    public static final int DUPLICATES_TYPE_ID = SluiceCounters.NET_DUPLICATES_TYPE_ID;
    /** ACK frames sent. */
    public static final int ACKS_OUT_TYPE_ID = SluiceCounters.NET_ACKS_OUT_TYPE_ID;
    /** RECORD frames sent. */
    public static final int RECORDS_OUT_TYPE_ID = SluiceCounters.NET_RECORDS_OUT_TYPE_ID;
    /** Sessions open. */
    public static final int SESSIONS_TYPE_ID = SluiceCounters.NET_SESSIONS_TYPE_ID;
    /** Commits stored. */
    public static final int COMMITS_TYPE_ID = SluiceCounters.NET_COMMITS_TYPE_ID;
    /** Duty cycles. */
    public static final int DUTY_CYCLES_TYPE_ID = SluiceCounters.NET_DUTY_CYCLES_TYPE_ID;
    /** Idle duty cycles that yielded, not backed off, while events were in the engine awaiting their ACK. */
    public static final int ENGINE_WAITS_TYPE_ID = SluiceCounters.NET_ENGINE_WAITS_TYPE_ID;
    /** Waits for the engine longer than 20 idle duty cycles. */
    public static final int ENGINE_LONG_WAITS_TYPE_ID = SluiceCounters.NET_ENGINE_LONG_WAITS_TYPE_ID;
    /** 1 while the server's Aeron client is connected to its media driver, 0 while it is lost and reconnecting. */
    public static final int CLIENT_UP_TYPE_ID = SluiceCounters.NET_CLIENT_UP_TYPE_ID;
    /** Times the server's Aeron client died and was replaced. */
    public static final int CLIENT_LOSSES_TYPE_ID = SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID;
    /** Consumer commits accepted and not yet durable, so not yet answered. */
    public static final int COMMITS_PENDING_TYPE_ID = SluiceCounters.NET_COMMITS_PENDING_TYPE_ID;
    /** Offsets files stored by the background commit writer. */
    public static final int COMMIT_STORES_TYPE_ID = SluiceCounters.NET_COMMIT_STORES_TYPE_ID;
    /** Offsets file stores that failed. */
    public static final int COMMIT_STORE_FAILURES_TYPE_ID = SluiceCounters.NET_COMMIT_STORE_FAILURES_TYPE_ID;
    /** Total time of the stores, microseconds. */
    public static final int COMMIT_STORE_US_TYPE_ID = SluiceCounters.NET_COMMIT_STORE_US_TYPE_ID;
    /** Longest store, microseconds. */
    public static final int COMMIT_STORE_MAX_US_TYPE_ID = SluiceCounters.NET_COMMIT_STORE_MAX_US_TYPE_ID;

    private final AtomicCounter[] rejected = new AtomicCounter[ErrorCode.CODE_COUNT];
    final AtomicCounter framesIn;
    final AtomicCounter eventsIn;
    final AtomicCounter backPressure;
    final AtomicCounter duplicates;
    final AtomicCounter acksOut;
    final AtomicCounter recordsOut;
    final AtomicCounter sessions;
    final AtomicCounter commits;
    final AtomicCounter dutyCycles;
    final AtomicCounter engineWaits;
    final AtomicCounter engineLongWaits;
    final AtomicCounter clientUp;
    final AtomicCounter clientLosses;
    final AtomicCounter commitsPending;
    final AtomicCounter commitStores;
    final AtomicCounter commitStoreFailures;
    final AtomicCounter commitStoreUs;
    final AtomicCounter commitStoreMaxUs;

    NetCounters(final CountersManager manager, final String scope)
    {
        final String suffix = scope.isEmpty() ? "" : ": " + scope;
        final String rejectedPrefix = "net-frames-rejected: " + (scope.isEmpty() ? "" : scope + " ");
        for (int code = 1; code < ErrorCode.CODE_COUNT; code++)
        {
            rejected[code] = counter(manager, rejectedPrefix + ErrorCode.name(code), FRAMES_REJECTED_TYPE_ID, code, scope);
        }
        framesIn = counter(manager, "net-frames-in" + suffix, FRAMES_IN_TYPE_ID, SluiceCounters.NONE, scope);
        eventsIn = counter(manager, "net-events-in" + suffix, EVENTS_IN_TYPE_ID, SluiceCounters.NONE, scope);
        backPressure = counter(manager, "net-back-pressure" + suffix, BACK_PRESSURE_TYPE_ID, SluiceCounters.NONE, scope);
        duplicates = counter(manager, "net-duplicates" + suffix, DUPLICATES_TYPE_ID, SluiceCounters.NONE, scope);
        acksOut = counter(manager, "net-acks-out" + suffix, ACKS_OUT_TYPE_ID, SluiceCounters.NONE, scope);
        recordsOut = counter(manager, "net-records-out" + suffix, RECORDS_OUT_TYPE_ID, SluiceCounters.NONE, scope);
        sessions = counter(manager, "net-sessions" + suffix, SESSIONS_TYPE_ID, SluiceCounters.NONE, scope);
        commits = counter(manager, "net-commits" + suffix, COMMITS_TYPE_ID, SluiceCounters.NONE, scope);
        dutyCycles = counter(manager, "net-duty-cycles" + suffix, DUTY_CYCLES_TYPE_ID, SluiceCounters.NONE, scope);
        engineWaits = counter(manager, "net-engine-waits" + suffix, ENGINE_WAITS_TYPE_ID, SluiceCounters.NONE, scope);
        engineLongWaits = counter(manager, "net-engine-long-waits" + suffix, ENGINE_LONG_WAITS_TYPE_ID, SluiceCounters.NONE, scope);
        clientUp = counter(manager, "net-client-up" + suffix, CLIENT_UP_TYPE_ID, SluiceCounters.NONE, scope);
        clientLosses = counter(manager, "net-client-losses" + suffix, CLIENT_LOSSES_TYPE_ID, SluiceCounters.NONE, scope);
        commitsPending = counter(manager, "net-commits-pending" + suffix, COMMITS_PENDING_TYPE_ID, SluiceCounters.NONE, scope);
        commitStores = counter(manager, "net-commit-stores" + suffix, COMMIT_STORES_TYPE_ID, SluiceCounters.NONE, scope);
        commitStoreFailures = counter(manager, "net-commit-store-failures" + suffix, COMMIT_STORE_FAILURES_TYPE_ID, SluiceCounters.NONE,
            scope);
        commitStoreUs = counter(manager, "net-commit-store-us" + suffix, COMMIT_STORE_US_TYPE_ID, SluiceCounters.NONE, scope);
        commitStoreMaxUs = counter(manager, "net-commit-store-max-us" + suffix, COMMIT_STORE_MAX_US_TYPE_ID, SluiceCounters.NONE, scope);
    }

    private static AtomicCounter counter(
        final CountersManager manager, final String label, final int typeId, final int detail, final String scope)
    {
        return SluiceCounters.allocate(manager, typeId, label, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, detail,
            scope.isEmpty() ? null : scope);
    }

    void reject(final int code)
    {
        rejected[code > 0 && code < ErrorCode.CODE_COUNT ? code : ErrorCode.MALFORMED_BODY].incrementRelease();
    }

    /**
     * Frames rejected with a code.
     *
     * @param code an {@link ErrorCode}.
     * @return the count.
     */
    public long rejected(final int code)
    {
        return rejected[code].get();
    }

    /**
     * Frames rejected, all codes.
     *
     * @return the total.
     */
    public long rejectedTotal()
    {
        long total = 0;
        for (int code = 1; code < ErrorCode.CODE_COUNT; code++)
        {
            total += rejected[code].get();
        }
        return total;
    }

    /**
     * Valid frames received.
     *
     * @return the count.
     */
    public long framesIn()
    {
        return framesIn.get();
    }

    /**
     * Events published into the rings.
     *
     * @return the count.
     */
    public long eventsIn()
    {
        return eventsIn.get();
    }

    /**
     * Back-pressure episodes.
     *
     * @return the count.
     */
    public long backPressure()
    {
        return backPressure.get();
    }

    /**
     * Duplicates dropped.
     *
     * @return the count.
     */
    public long duplicates()
    {
        return duplicates.get();
    }

    /**
     * RECORD frames sent.
     *
     * @return the count.
     */
    public long recordsOut()
    {
        return recordsOut.get();
    }

    /**
     * Sessions open.
     *
     * @return the count.
     */
    public long sessions()
    {
        return sessions.get();
    }

    /**
     * ACK frames sent.
     *
     * @return the count.
     */
    public long acksOut()
    {
        return acksOut.get();
    }

    /**
     * Duty cycles run.
     *
     * @return the count.
     */
    public long dutyCycles()
    {
        return dutyCycles.get();
    }

    /**
     * Idle duty cycles that yielded instead of backing off, events being in the engine awaiting their ACK.
     *
     * @return the count.
     */
    public long engineWaits()
    {
        return engineWaits.get();
    }

    /**
     * Waits for the engine that lasted more than 20 idle duty cycles: where a duty that backs off when idle
     * would have parked at least once.
     *
     * @return the count.
     */
    public long engineLongWaits()
    {
        return engineLongWaits.get();
    }

    /**
     * Whether the server's Aeron client is connected to its media driver; false while it is lost and
     * the server reconnects (no ingress or egress meanwhile).
     *
     * @return true while connected.
     */
    public boolean clientUp()
    {
        return clientUp.get() == 1;
    }

    /**
     * Times the server's Aeron client died (its conductor starved past the driver's client liveness
     * timeout, its media driver gone) and the server began to reconnect.
     *
     * @return the count.
     */
    public long clientLosses()
    {
        return clientLosses.get();
    }

    /**
     * Consumer commits accepted and not yet durable: their COMMITTED answer waits for the background writer.
     *
     * @return the count now.
     */
    public long commitsPending()
    {
        return commitsPending.get();
    }

    /**
     * Consumer commits answered COMMITTED (durable).
     *
     * @return the count.
     */
    public long commits()
    {
        return commits.get();
    }

    /**
     * Offsets files the background commit writer stored.
     *
     * @return the count.
     */
    public long commitStores()
    {
        return commitStores.get();
    }

    /**
     * Offsets file stores that failed (their commits were answered with an error).
     *
     * @return the count.
     */
    public long commitStoreFailures()
    {
        return commitStoreFailures.get();
    }

    /**
     * Longest store of an offsets file so far.
     *
     * @return microseconds.
     */
    public long commitStoreMaxUs()
    {
        return commitStoreMaxUs.get();
    }

    /**
     * Frees the counters.
     */
    @Override
    public void close()
    {
        for (int code = 1; code < ErrorCode.CODE_COUNT; code++)
        {
            rejected[code].close();
        }
        framesIn.close();
        eventsIn.close();
        backPressure.close();
        duplicates.close();
        acksOut.close();
        recordsOut.close();
        sessions.close();
        commits.close();
        dutyCycles.close();
        engineWaits.close();
        engineLongWaits.close();
        clientUp.close();
        clientLosses.close();
        commitsPending.close();
        commitStores.close();
        commitStoreFailures.close();
        commitStoreUs.close();
        commitStoreMaxUs.close();
    }
}
