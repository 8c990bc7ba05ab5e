package io.sluice.peers;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a throughput run's tail goes, from the last input record processed to the last result visible: a thread of
 * the harness ({@code result-reader-tail-<run>}, so its CPU is the harness's) that waits, 1 ms at a time, for the
 * pipeline's last end marker, then samples the pipeline's output counters every 0.1 ms ({@link KafkaPipeline#outputs()})
 * and notes when the last expected output reached the sink and, exactly once, when the last one was committed. No
 * clock is read on the pipeline's own threads for it.
 *
 * <pre>
 *   last record ──► last output sent ──► last output committed ──► (reader) last row visible
 *                   (the final firing)   (quiet, checkpoint, commit)   (read_committed poll)
 * </pre>
 */
final class TailSampler implements AutoCloseable
{
    private static final long SAMPLE_NANOS = 100_000;
    private static final long WAIT_NANOS = 1_000_000;

    private final KafkaPipeline pipeline;
    private final long expected;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sentNanos;
    private volatile long committedNanos;

    TailSampler(final KafkaPipeline pipeline, final long expected, final String run)
    {
        this.pipeline = pipeline;
        this.expected = expected;
        this.thread = new Thread(this::sample, "result-reader-tail-" + run);
        thread.setDaemon(true);
        thread.start();
    }

    private void sample()
    {
        while (running && pipeline.lastRecordNanos() == 0)
        {
            LockSupport.parkNanos(WAIT_NANOS);
        }
        while (running && (sentNanos == 0 || committedNanos == 0))
        {
            final long[] outputs = pipeline.outputs();
            if (outputs == null)
            {
                return;
            }
            final long now = System.nanoTime();
            if (sentNanos == 0 && outputs[0] >= expected)
            {
                sentNanos = now;
            }
            if (committedNanos == 0 && (outputs[1] < 0 || outputs[1] >= expected))
            {
                committedNanos = outputs[1] < 0 ? -1 : now;
            }
            LockSupport.parkNanos(SAMPLE_NANOS);
        }
    }

    /**
     * From the last record to the last output sent, or -1 if not seen (a pipeline without counters).
     *
     * @return milliseconds.
     */
    double sentMillis()
    {
        return since(sentNanos);
    }

    /**
     * From the last record to the last output committed (exactly once), or -1 if not seen or not transactional.
     *
     * @return milliseconds.
     */
    double committedMillis()
    {
        return since(committedNanos);
    }

    private double since(final long nanos)
    {
        final long last = pipeline.lastRecordNanos();
        return nanos <= 0 || last == 0 ? -1 : (nanos - last) / 1e6;
    }

    @Override
    public void close()
    {
        stop();
    }

    /** Stops sampling (after the last row was seen, so that what it noted can be read) and waits for the thread. */
    void stop()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
