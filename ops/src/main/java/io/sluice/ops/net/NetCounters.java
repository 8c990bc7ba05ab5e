package io.sluice.ops.net;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.client.wire.ErrorCode;

/**
 * The network server's counters, allocated from the engine's (or the daemon's) {@link CountersManager}
 * so that they live in the counters file next to the engine's and are read like AeronStat. Labels
 * read {@code net-<name>} and {@code net-frames-rejected: <ERROR_CODE>}, or with a scope (several servers
 * in one file) {@code net-<name>: <scope>} and {@code net-frames-rejected: <scope> <ERROR_CODE>}; type ids
 * are below, in the range 3000-3999 the daemon reserves for its components.
 *
 * <p>Threading: single writer, the server's agent thread (plain increments with ordered stores);
 * any thread reads.
 */
public final class NetCounters implements AutoCloseable
{
    /** Frames rejected, one counter per {@link ErrorCode}. */
    public static final int FRAMES_REJECTED_TYPE_ID = 3001;
    /** Valid frames received. */
    public static final int FRAMES_IN_TYPE_ID = 3002;
    /** Events published into the engine's rings. */
    public static final int EVENTS_IN_TYPE_ID = 3003;
    /** Times a PUBLISH met a full ring or session window and the producer's stream was paused. */
    public static final int BACK_PRESSURE_TYPE_ID = 3004;
    /** Duplicate PUBLISH frames (sequence already accepted) not published again. */
    public static final int DUPLICATES_TYPE_ID = 3005;
    /** ACK frames sent. */
    public static final int ACKS_OUT_TYPE_ID = 3006;
    /** RECORD frames sent. */
    public static final int RECORDS_OUT_TYPE_ID = 3007;
    /** Sessions open. */
    public static final int SESSIONS_TYPE_ID = 3008;
    /** Commits stored. */
    public static final int COMMITS_TYPE_ID = 3009;

    private final AtomicCounter[] rejected = new AtomicCounter[ErrorCode.CODE_COUNT];
    final AtomicCounter framesIn;
    final AtomicCounter eventsIn;
    final AtomicCounter backPressure;
    final AtomicCounter duplicates;
    final AtomicCounter acksOut;
    final AtomicCounter recordsOut;
    final AtomicCounter sessions;
    final AtomicCounter commits;

    NetCounters(final CountersManager manager, final String scope)
    {
        final String suffix = scope.isEmpty() ? "" : ": " + scope;
        final String rejectedPrefix = "net-frames-rejected: " + (scope.isEmpty() ? "" : scope + " ");
        for (int code = 1; code < ErrorCode.CODE_COUNT; code++)
        {
            rejected[code] = manager.newCounter(rejectedPrefix + ErrorCode.name(code), FRAMES_REJECTED_TYPE_ID);
        }
        framesIn = manager.newCounter("net-frames-in" + suffix, FRAMES_IN_TYPE_ID);
        eventsIn = manager.newCounter("net-events-in" + suffix, EVENTS_IN_TYPE_ID);
        backPressure = manager.newCounter("net-back-pressure" + suffix, BACK_PRESSURE_TYPE_ID);
        duplicates = manager.newCounter("net-duplicates" + suffix, DUPLICATES_TYPE_ID);
        acksOut = manager.newCounter("net-acks-out" + suffix, ACKS_OUT_TYPE_ID);
        recordsOut = manager.newCounter("net-records-out" + suffix, RECORDS_OUT_TYPE_ID);
        sessions = manager.newCounter("net-sessions" + suffix, SESSIONS_TYPE_ID);
        commits = manager.newCounter("net-commits" + suffix, COMMITS_TYPE_ID);
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
    }
}
