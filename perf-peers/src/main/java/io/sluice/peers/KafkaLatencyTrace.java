package io.sluice.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.journal.Topic;
import io.sluice.kafka.KafkaSink;
import io.sluice.schema.EventFlyweight;

/**
 * Where the end-to-end latency of a Sluice Kafka pipeline goes, window firing by window firing: the latency run's
 * Sluice pipelines note, in wall-clock microseconds, when the event that fires a window was processed (the
 * pipeline's first stage), when the window's first and last outputs reached the sink, when each partition passed
 * each checkpoint barrier, when the sink asked for a checkpoint, when each checkpoint completed, when each
 * partition's transaction commit ended (sampled every 0.2 ms from the sink's counters) and, from the result
 * reader, when the first and last of the window's outputs became visible to a {@code read_committed} consumer.
 * Only the latency runs carry it (a few clock reads per output at 5,000 events/s), never the throughput runs.
 *
 * <p>Threading: {@link #onInput} and the sink wrapper's calls on each partition's thread (per-partition state,
 * single writer), {@link #onCheckpointComplete} on the checkpoint thread, the sampler on its own thread; the other
 * lists are synchronized. {@link #report} after the pipeline is closed.
 */
final class KafkaLatencyTrace implements CheckpointListener
{
    private static final int MAX_NOTES = 1 << 16;

    private final int partitions;
    private final long windowMillis;
    private final long boundMillis;
    private final long baseWallMicros = System.currentTimeMillis() * 1_000;
    private final long baseNanos = System.nanoTime();
    /** Per partition: the next window end whose firing event is awaited (0: not known yet). */
    private final long[] nextEnd;
    /** Per partition: window end -> micros its firing event was processed. */
    private final List<Map<Long, Long>> fired = new ArrayList<>();
    /** Per partition: window end -> {first output micros, last output micros, outputs}. */
    private final List<Map<Long, long[]>> outputs = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final long[] noteMicros = new long[MAX_NOTES];
    private int noteCount;
    private volatile boolean sampling = true;
    private Thread sampler;

    KafkaLatencyTrace(final int partitions, final long windowMillis, final long boundMillis)
    {
        this.partitions = partitions;
        this.windowMillis = windowMillis;
        this.boundMillis = boundMillis;
        this.nextEnd = new long[partitions];
        for (int p = 0; p < partitions; p++)
        {
            fired.add(new java.util.concurrent.ConcurrentHashMap<>());
            outputs.add(new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    long nowMicros()
    {
        return baseWallMicros + (System.nanoTime() - baseNanos) / 1_000;
    }

    /** An input event reached the pipeline's first stage (partition thread). */
    void onInput(final long key, final long ts)
    {
        final int p = Topic.partitionFor(key, partitions);
        if (nextEnd[p] == 0)
        {
            nextEnd[p] = Math.floorDiv(ts, windowMillis) * windowMillis + windowMillis;
        }
        if (ts >= nextEnd[p] + boundMillis)
        {
            fired.get(p).put(nextEnd[p], nowMicros());
            nextEnd[p] = Math.floorDiv(ts - boundMillis, windowMillis) * windowMillis + windowMillis;
        }
    }

    private synchronized void note(final String what)
    {
        if (noteCount < MAX_NOTES)
        {
            noteMicros[noteCount++] = nowMicros();
            notes.add(what);
        }
    }

    /** The sink asked the engine for a checkpoint (committer thread). */
    void asked()
    {
        note("sink asks for a checkpoint");
    }

    @Override
    public void onCheckpointComplete(final CheckpointManifest manifest)
    {
        note("checkpoint " + manifest.id() + " complete");
    }

    /**
     * Wraps the pipeline's sink: notes each window's first and last output and each barrier.
     *
     * @param sink the Kafka sink.
     * @return the wrapper, for the pipeline.
     */
    EventSink wrap(final EventSink sink)
    {
        return new EventSink()
        {
            @Override
            public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
            {
                sink.onEvent(partition, sequence, key, timestamp, event);
                final long now = nowMicros();
                final long[] window = outputs.get(partition).computeIfAbsent(event.getLong(2), end -> new long[] {now, now, 0});
                window[1] = now;
                window[2]++;
            }

            @Override
            public void onEndOfInput(final int partition)
            {
                sink.onEndOfInput(partition);
            }

            @Override
            public void onCheckpoint(final int partition, final long checkpointId)
            {
                sink.onCheckpoint(partition, checkpointId);
                note("partition " + partition + " passes barrier " + checkpointId);
            }
        };
    }

    /** Samples the sink's commit counters every 0.2 ms on a thread of its own, noting each commit's end. */
    void sample(final KafkaSink sink)
    {
        sampler = new Thread(() ->
        {
            final long[] commits = new long[partitions];
            final long[] skipped = new long[partitions];
            while (sampling)
            {
                for (int p = 0; p < partitions; p++)
                {
                    final long c = sink.commits(p);
                    if (c != commits[p])
                    {
                        commits[p] = c;
                        note("partition " + p + " commit ended (" + c + " so far)");
                    }
                    final long s = sink.skippedCommits(p);
                    if (s != skipped[p])
                    {
                        skipped[p] = s;
                        note("partition " + p + " covered without a commit");
                    }
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }, "latency-trace-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    void stop() throws InterruptedException
    {
        sampling = false;
        if (sampler != null)
        {
            sampler.join();
        }
    }

    /**
     * The timeline of each window firing of each partition, times in ms after the production of the event that
     * fired it ({@code end + bound}).
     *
     * @param rows          the results read, row {@code (key, start, end, count, sum)}.
     * @param arrivalMillis per row, when the reader's poll returned it.
     * @param lastEnd       the last window end counted by the latency run.
     * @return the text.
     */
    synchronized String report(final Rows rows, final long[] arrivalMillis, final long lastEnd)
    {
        final Map<String, long[]> arrivals = new TreeMap<>();
        for (int i = 0; i < rows.count(); i++)
        {
            final long end = rows.get(i, 2);
            final String id = end + "/" + Topic.partitionFor(rows.get(i, 0), partitions);
            final long[] a = arrivals.computeIfAbsent(id, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
            a[0] = Math.min(a[0], arrivalMillis[i]);
            a[1] = Math.max(a[1], arrivalMillis[i]);
            a[2]++;
        }
        final StringBuilder out = new StringBuilder();
        for (int p = 0; p < partitions; p++)
        {
            for (final Map.Entry<Long, long[]> window : new TreeMap<>(outputs.get(p)).entrySet())
            {
                final long end = window.getKey();
                if (end > lastEnd)
                {
                    continue;
                }
                final long trigger = (end + boundMillis) * 1_000;
                final Long processed = fired.get(p).get(end);
                final long[] o = window.getValue();
                final long[] a = arrivals.getOrDefault(end + "/" + p, new long[] {0, 0, 0});
                out.append(String.format("window ending %d, partition %d: firing event processed %s ms, outputs %.1f-%.1f ms (%d), " +
                    "visible %d-%d ms (%d rows)%n", end, p, processed == null ? "?" : String.format("%.1f", (processed - trigger) / 1e3),
                    (o[0] - trigger) / 1e3, (o[1] - trigger) / 1e3, o[2], a[2] == 0 ? 0 : a[0] - trigger / 1_000,
                    a[2] == 0 ? 0 : a[1] - trigger / 1_000, a[2]));
                for (int n = 0; n < noteCount; n++)
                {
                    final long at = noteMicros[n] - trigger;
                    if (at >= -100_000 && at <= Math.max(a[1] * 1_000 - trigger, o[1] - trigger) + 20_000)
                    {
                        out.append(String.format("  %8.1f ms  %s%n", at / 1e3, notes.get(n)));
                    }
                }
            }
        }
        return out.toString();
    }
}
