package io.sluice.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.JournalException;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordDescriptor;
import io.sluice.journal.RecordHandler;
import io.sluice.journal.RecordView;
import io.sluice.journal.Topic;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Formats;

/**
 * {@code sluice demo journal} (the demo before the fraud desk): journals a few million generated events into a topic, one writer thread per
 * partition, each event routed by the hash of its key; forces them to disk; replays every partition
 * on its own thread, checking that each event comes back once, in order and intact; and prints the
 * append and replay throughput.
 *
 * <p>Payload of a demo event (little-endian, {@code --payload-size} bytes, 64 by default):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Sequence (64 bits, global)                 |  0
 *  +---------------------------------------------------------------+
 *  |                    Key (64 bits, = record key)                |  8
 *  +---------------------------------------------------------------+
 *  |           Timestamp (64 bits, ns, = record timestamp)         | 16
 *  +---------------------------------------------------------------+
 *  |                    Amount (64 bits, cents)                    | 24
 *  +---------------------------------------------------------------+
 *  |                    Filler (0x5a) to payload size             ...  32
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Threading: the command's thread generates, forces and reports; writer and replay threads are
 * started and joined inside {@link #call()}.
 */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Journal generated events across partitions (one writer thread each), replay them all, and print " +
        "append and replay throughput. One run including JIT warm-up: a demonstration, not a benchmark.")
final class JournalDemoCommand implements Callable<Integer>
{
    static final int EVENT_TYPE = 1;
    static final int SEQUENCE_OFFSET = 0;
    static final int KEY_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int AMOUNT_OFFSET = 24;
    static final int FILLER_OFFSET = 32;
    static final int MIN_PAYLOAD_SIZE = FILLER_OFFSET;
    static final int MAX_PAYLOAD_SIZE = 1 << 20;
    static final int MAX_EVENTS = 500_000_000;
    static final String TOPIC = "demo";
    private static final int POLL_LIMIT = 1024;

    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, paramLabel = "DIR",
        description = "Journal directory, kept afterwards (default: a temporary directory, deleted afterwards).")
    Path dir;

    @Option(names = { "-p", "--partitions" }, paramLabel = "COUNT", defaultValue = "4",
        description = "Partitions of the topic, one writer thread each (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = { "-n", "--events" }, paramLabel = "COUNT", defaultValue = "4000000",
        description = "Events in all (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--keys", paramLabel = "COUNT", defaultValue = "10000",
        description = "Distinct keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--payload-size", paramLabel = "BYTES", defaultValue = "64",
        description = "Payload bytes per event, at least " + MIN_PAYLOAD_SIZE + " (default: ${DEFAULT-VALUE}).")
    int payloadSize;

    @Option(names = "--segment-size", paramLabel = "BYTES", defaultValue = "" + JournalContext.DEFAULT_SEGMENT_LENGTH,
        description = "Segment file length (default: ${DEFAULT-VALUE}).")
    int segmentSize;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
        description = "Seed of the event generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-force", negatable = false,
        description = "Skip forcing the journal to disk after appending.")
    boolean noForce;

    @Override
    public Integer call() throws IOException
    {
        validate();
        final PrintWriter out = spec.commandLine().getOut();
        ScratchDirectory.use(dir, "sluice-demo-", journalDir -> run(journalDir, out));
        return ExitCodes.OK;
    }

    private void validate()
    {
        check(partitions >= 1 && partitions <= 256, "--partitions must be in [1, 256], was " + partitions);
        check(events >= 1 && events <= MAX_EVENTS, "--events must be in [1, " + MAX_EVENTS + "], was " + events);
        check(keys >= 1, "--keys must be at least 1, was " + keys);
        check(payloadSize >= MIN_PAYLOAD_SIZE && payloadSize <= MAX_PAYLOAD_SIZE,
            "--payload-size must be in [" + MIN_PAYLOAD_SIZE + ", " + MAX_PAYLOAD_SIZE + "], was " + payloadSize);
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new CliException(ExitCodes.USAGE, message);
        }
    }

    private void run(final Path journalDir, final PrintWriter out)
    {
        try (Journal journal = Journal.open(new JournalContext().directory(journalDir).segmentLength(segmentSize)))
        {
            if (journal.topicNames().contains(TOPIC))
            {
                throw new CliException("topic '" + TOPIC + "' already exists in " + journalDir +
                    ": give the demo an empty or new --dir");
            }
            final Topic topic = journal.createTopic(TOPIC, partitions);
            final DemoWorkload workload = DemoWorkload.generate(topic, events, keys, seed);
            final long frameBytes = RecordDescriptor.alignedFrameLength(payloadSize);
            out.printf(Locale.ROOT, "Sluice demo: %s events of %d-byte payload (%d bytes journaled each), %s keys, " +
                "topic '%s' with %d partitions%n", Formats.count(events), payloadSize, frameBytes,
                Formats.count(keys), TOPIC, partitions);
            out.printf(Locale.ROOT, "journal %s, %s segments, %d cpus%n", journalDir.toAbsolutePath(),
                Formats.bytes(segmentSize), Runtime.getRuntime().availableProcessors());
            out.flush();

            final long appendNs = append(topic, workload);
            report(out, "append", appendNs, frameBytes, "one writer thread per partition");
            if (!noForce)
            {
                final long forceStart = System.nanoTime();
                for (int p = 0; p < partitions; p++)
                {
                    topic.partition(p).force();
                }
                out.printf(Locale.ROOT, "%-7s %12s events in %7.3f s   (all partitions now DURABLE)%n",
                    "force", Formats.count(events), (System.nanoTime() - forceStart) / 1e9);
            }
            final long replayNs = replay(topic, workload);
            report(out, "replay", replayNs, frameBytes, "one reader thread per partition");
            out.println("verified: every event read back once per partition in offset order, " +
                "with its key, timestamp and payload intact");
            for (int p = 0; p < partitions; p++)
            {
                final Partition partition = topic.partition(p);
                out.printf(Locale.ROOT, "  partition %d: %12s events, offsets [%d, %d), %d segment%s%n", p,
                    Formats.count(workload.count(p)), partition.startOffset(), partition.endOffset(),
                    partition.segmentInfos().size(), 1 == partition.segmentInfos().size() ? "" : "s");
            }
        }
    }

    private void report(final PrintWriter out, final String what, final long nanos, final long frameBytes, final String how)
    {
        final double seconds = nanos / 1e9;
        out.printf(Locale.ROOT, "%-7s %12s events in %7.3f s: %7.2f M events/s, %8.1f MB/s payload, %8.1f MB/s journal (%s)%n",
            what, Formats.count(events), seconds, events / seconds / 1e6,
            (double)events * payloadSize / seconds / 1e6, (double)events * frameBytes / seconds / 1e6, how);
        out.flush();
    }

    private long append(final Topic topic, final DemoWorkload workload)
    {
        final CountDownLatch start = new CountDownLatch(1);
        final AppendTask[] tasks = new AppendTask[partitions];
        for (int p = 0; p < partitions; p++)
        {
            tasks[p] = new AppendTask(topic.partition(p), workload.sequences(p), workload.keys(p), payloadSize, start);
        }
        final long startNs = runAll(tasks, "sluice-demo-writer-", start);
        long endNs = startNs;
        for (final AppendTask task : tasks)
        {
            endNs = Math.max(endNs, task.endNs);
        }
        return endNs - startNs;
    }

    private long replay(final Topic topic, final DemoWorkload workload)
    {
        final CountDownLatch start = new CountDownLatch(1);
        final ReplayTask[] tasks = new ReplayTask[partitions];
        for (int p = 0; p < partitions; p++)
        {
            tasks[p] = new ReplayTask(topic.partition(p), workload.count(p), payloadSize, start);
        }
        final long startNs = runAll(tasks, "sluice-demo-reader-", start);
        long endNs = startNs;
        for (int p = 0; p < partitions; p++)
        {
            final ReplayTask task = tasks[p];
            endNs = Math.max(endNs, task.endNs);
            if (task.count != workload.count(p) || task.sequenceSum != workload.sequenceSum(p) ||
                task.keySum != workload.keySum(p))
            {
                throw new CliException(String.format(Locale.ROOT,
                    "replay of partition %d differs from what was appended: %d events (expected %d), " +
                    "sequence sum %d (expected %d), key sum %d (expected %d)", p, task.count, workload.count(p),
                    task.sequenceSum, workload.sequenceSum(p), task.keySum, workload.keySum(p)));
            }
        }
        return endNs - startNs;
    }

    /**
     * Starts one thread per task, releases them together and joins them.
     *
     * @return System.nanoTime() when the tasks were released.
     */
    private static long runAll(final DemoTask[] tasks, final String threadName, final CountDownLatch start)
    {
        final Thread[] threads = new Thread[tasks.length];
        for (int i = 0; i < tasks.length; i++)
        {
            threads[i] = new Thread(tasks[i], threadName + i);
            threads[i].start();
        }
        for (final DemoTask task : tasks)
        {
            task.awaitReady();
        }
        final long startNs = System.nanoTime();
        start.countDown();
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            while (thread.isAlive())
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        for (final DemoTask task : tasks)
        {
            task.rethrowFailure();
        }
        return startNs;
    }

    /**
     * A task run on its own thread: it prepares, signals ready, waits for the common start, works,
     * and records its end time or its failure for the command's thread.
     */
    private abstract static class DemoTask implements Runnable
    {
        private final CountDownLatch ready = new CountDownLatch(1);
        private final CountDownLatch start;
        private volatile Throwable failure;
        volatile long endNs;

        DemoTask(final CountDownLatch start)
        {
            this.start = start;
        }

        abstract void prepare();

        abstract void work();

        @Override
        public final void run()
        {
            try
            {
                prepare();
                ready.countDown();
                start.await();
                work();
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            finally
            {
                endNs = System.nanoTime();
                ready.countDown();
            }
        }

        final void awaitReady()
        {
            try
            {
                ready.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while starting the demo threads");
            }
        }

        final void rethrowFailure()
        {
            final Throwable ex = failure;
            if (ex instanceof RuntimeException)
            {
                throw (RuntimeException)ex;
            }
            if (ex instanceof Error)
            {
                throw (Error)ex;
            }
            if (null != ex)
            {
                throw new IllegalStateException("demo thread failed", ex);
            }
        }
    }

    /**
     * Appends one partition's events on its own thread, the partition's single writer.
     */
    private static final class AppendTask extends DemoTask
    {
        private final Partition partition;
        private final int[] sequences;
        private final long[] keys;
        private final int payloadSize;
        private UnsafeBuffer payload;
        private PartitionWriter writer;

        AppendTask(
            final Partition partition,
            final int[] sequences,
            final long[] keys,
            final int payloadSize,
            final CountDownLatch start)
        {
            super(start);
            this.partition = partition;
            this.sequences = sequences;
            this.keys = keys;
            this.payloadSize = payloadSize;
        }

        @Override
        void prepare()
        {
            payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadSize));
            payload.setMemory(FILLER_OFFSET, payloadSize - FILLER_OFFSET, (byte)0x5a);
            writer = partition.writer();
        }

        @Override
        void work()
        {
            final UnsafeBuffer payload = this.payload;
            final PartitionWriter writer = this.writer;
            final int[] sequences = this.sequences;
            final long[] keys = this.keys;
            for (int i = 0; i < sequences.length; i++)
            {
                final long sequence = sequences[i];
                final long key = keys[i];
                final long timestamp = DemoWorkload.timestamp(sequence);
                payload.putLong(SEQUENCE_OFFSET, sequence);
                payload.putLong(KEY_OFFSET, key);
                payload.putLong(TIMESTAMP_OFFSET, timestamp);
                payload.putLong(AMOUNT_OFFSET, (sequence * 7919) % 1_000_000);
                writer.append(EVENT_TYPE, 0, timestamp, key, payload, 0, payloadSize);
            }
        }
    }

    /**
     * Replays one partition on its own thread, checking every record against the payload layout.
     */
    private static final class ReplayTask extends DemoTask implements RecordHandler
    {
        private final Partition partition;
        private final int expectedCount;
        private final int payloadSize;
        private PartitionReader reader;
        private long nextOffset;
        private long lastTimestamp = Long.MIN_VALUE;
        long count;
        long sequenceSum;
        long keySum;

        ReplayTask(final Partition partition, final int expectedCount, final int payloadSize, final CountDownLatch start)
        {
            super(start);
            this.partition = partition;
            this.expectedCount = expectedCount;
            this.payloadSize = payloadSize;
        }

        @Override
        void prepare()
        {
            reader = partition.newReader();
            nextOffset = partition.startOffset();
        }

        @Override
        void work()
        {
            try (PartitionReader reader = this.reader)
            {
                while (count < expectedCount)
                {
                    if (0 == reader.poll(this, POLL_LIMIT))
                    {
                        throw new JournalException(JournalException.Category.CORRUPTION, "partition " + partition.id() +
                            " of the demo ended after " + count + " of " + expectedCount + " events");
                    }
                }
            }
        }

        @Override
        public void onRecord(final RecordView record)
        {
            final DirectBuffer buffer = record.buffer();
            final int at = record.payloadOffset();
            final long sequence = buffer.getLong(at + SEQUENCE_OFFSET);
            final long key = buffer.getLong(at + KEY_OFFSET);
            final long timestamp = record.timestamp();
            if (record.offset() != nextOffset || record.payloadLength() != payloadSize || record.key() != key ||
                buffer.getLong(at + TIMESTAMP_OFFSET) != timestamp || timestamp != DemoWorkload.timestamp(sequence) ||
                timestamp < lastTimestamp || record.type() != EVENT_TYPE)
            {
                throw new JournalException(JournalException.Category.CORRUPTION, "partition " + partition.id() +
                    " record at offset " + record.offset() + " is not the demo event that was appended there");
            }
            nextOffset++;
            lastTimestamp = timestamp;
            count++;
            sequenceSum += sequence;
            keySum += key;
        }
    }
}
