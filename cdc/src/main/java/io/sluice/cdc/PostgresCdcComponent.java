package io.sluice.cdc;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonComponentContext;

/**
 * A {@link CdcSource} run by the daemon, with its figures in the daemon's counters file (so JMX's
 * {@code io.sluice:type=Components}, Prometheus and {@code sluice stat} show them):
 *
 * <pre>
 *   type id  label                                   value
 *   3101     cdc-changes: &lt;slot&gt;                    changes published (snapshot rows included)
 *   3102     cdc-changes-per-second: &lt;slot&gt;         changes in the last second
 *   3103     cdc-last-commit-ms: &lt;slot&gt;             commit time of the last transaction, epoch ms
 *   3104     cdc-slot-lag-bytes: &lt;slot&gt;             current WAL LSN - slot's confirmed LSN
 *   3105     cdc-slot-lag-ms: &lt;slot&gt;                age of the oldest unconfirmed transaction
 *   3106     cdc-duplicates: &lt;slot&gt;                 changes sent again and dropped (journaled already)
 *   3107     cdc-reconnects: &lt;slot&gt;
 *   3108     cdc-errors: &lt;slot&gt;                     errors that stopped the source
 *   3109     cdc-state: &lt;slot&gt;                      CdcSource.State ordinal (2 STREAMING, 4 FAILED)
 *   3110     cdc-confirmed-lsn: &lt;slot&gt;              LSN confirmed to the slot
 * </pre>
 * The counters are written by this component's own low-priority thread, once every 250 ms; their keys
 * follow {@link SluiceCounters} with the slot as the key's name.
 */
final class PostgresCdcComponent implements DaemonComponent
{
    static final int CHANGES_TYPE_ID = 3101;
    static final int RATE_TYPE_ID = 3102;
    static final int LAST_COMMIT_TYPE_ID = 3103;
    static final int LAG_BYTES_TYPE_ID = 3104;
    static final int LAG_MS_TYPE_ID = 3105;
    static final int DUPLICATES_TYPE_ID = 3106;
    static final int RECONNECTS_TYPE_ID = 3107;
    static final int ERRORS_TYPE_ID = 3108;
    static final int STATE_TYPE_ID = 3109;
    static final int CONFIRMED_TYPE_ID = 3110;

    private final String item;
    private final CdcSourceContext context;
    private volatile boolean running;
    private CdcSource source;
    private Thread updater;
    private AtomicCounter[] counters;

    PostgresCdcComponent(final String item, final CdcSourceContext context)
    {
        this.item = item;
        this.context = context;
    }

    @Override
    public String name()
    {
        return "postgres-cdc " + context.slot();
    }

    @Override
    public void start(final DaemonComponentContext daemon)
    {
        final Path state = daemon.dataDirectory().resolve("cdc");
        context.stateDirectory(state);
        source = CdcSource.start(daemon.engine(), context);
        final CountersManager manager = daemon.countersManager();
        final String suffix = ": " + context.slot();
        counters = new AtomicCounter[] {
            counter(manager, "cdc-changes" + suffix, CHANGES_TYPE_ID),
            counter(manager, "cdc-changes-per-second" + suffix, RATE_TYPE_ID),
            counter(manager, "cdc-last-commit-ms" + suffix, LAST_COMMIT_TYPE_ID),
            counter(manager, "cdc-slot-lag-bytes" + suffix, LAG_BYTES_TYPE_ID),
            counter(manager, "cdc-slot-lag-ms" + suffix, LAG_MS_TYPE_ID),
            counter(manager, "cdc-duplicates" + suffix, DUPLICATES_TYPE_ID),
            counter(manager, "cdc-reconnects" + suffix, RECONNECTS_TYPE_ID),
            counter(manager, "cdc-errors" + suffix, ERRORS_TYPE_ID),
            counter(manager, "cdc-state" + suffix, STATE_TYPE_ID),
            counter(manager, "cdc-confirmed-lsn" + suffix, CONFIRMED_TYPE_ID)};
        running = true;
        updater = new Thread(this::updateCounters, "sluice-cdc-counters-" + context.slot());
        updater.setDaemon(true);
        updater.setPriority(Thread.MIN_PRIORITY);
        updater.start();
    }

    private AtomicCounter counter(final CountersManager manager, final String label, final int typeId)
    {
        // The key carries the slot as its name, so readers select a source's counters by type id and key.
        return SluiceCounters.allocate(manager, typeId, label, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE,
            SluiceCounters.NONE, context.slot());
    }

    private void updateCounters()
    {
        final CdcMetrics m = source.metrics();
        long lastChanges = m.changes();
        long lastSecond = System.nanoTime();
        while (running)
        {
            counters[0].setOrdered(m.changes());
            counters[2].setOrdered(m.lastCommitMillis());
            counters[3].setOrdered(m.lagBytes());
            counters[4].setOrdered(m.lagMillis());
            counters[5].setOrdered(m.duplicates());
            counters[6].setOrdered(m.reconnects());
            counters[7].setOrdered(m.errors());
            counters[8].setOrdered(source.state().ordinal());
            counters[9].setOrdered(m.confirmedLsn());
            final long now = System.nanoTime();
            if (now - lastSecond >= TimeUnit.SECONDS.toNanos(1))
            {
                final long changes = m.changes();
                counters[1].setOrdered((changes - lastChanges) * TimeUnit.SECONDS.toNanos(1) / (now - lastSecond));
                lastChanges = changes;
                lastSecond = now;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    /**
     * The running source, for tests.
     *
     * @return the source, null before start.
     */
    CdcSource source()
    {
        return source;
    }

    @Override
    public void close()
    {
        running = false;
        if (updater != null)
        {
            try
            {
                updater.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (source != null)
        {
            source.close();
        }
        if (counters != null)
        {
            for (final AtomicCounter c : counters)
            {
                c.close();
            }
            counters = null;
        }
    }

    @Override
    public String toString()
    {
        return item + " " + context;
    }
}
