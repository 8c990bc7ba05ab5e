package io.sluice.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordBatch;
import io.sluice.journal.RecordDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential replay throughput (records/s) of {@link PartitionReader#poll} over a pre-written
 * partition of {@value #PREFILL_BYTES} bytes of frames in one segment (larger than the caches, all in
 * the page cache), against {@link #rawScan}: a walk over the same file's frames through a separate
 * mapping, making the same reads. One operation is one record.
 * <ul>
 *   <li>{@link #journalPoll}: a record at a time through a handler, as a tailing consumer reads what this process
 *       wrote (no checksum: the writer's own records were never out of its hands).</li>
 *   <li>{@link #journalBatch}: the same records a batch at a time ({@link PartitionReader#poll(RecordBatch, int)}),
 *       decoded by the caller from the mapping, as recovery's replay reads them.</li>
 *   <li>{@link #recoveryBatch}: the batch read over the same bytes after the journal was closed and opened again, as
 *       a restart reads them: the open trusted the segment by its recovery point without walking it, so every record
 *       is CRC32C-checked as it is read. The raw scan checks nothing: this is the replay's read with its guarantee,
 *       against a walk without it.</li>
 * </ul>
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar JournalReplayBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class JournalReplayBenchmark
{
    /** Records delivered per benchmark invocation. */
    static final int BATCH = 256;
    /** Bytes of frames written before the trial. */
    static final int PREFILL_BYTES = 256 * 1024 * 1024;
    /** Segment length: the prefill fits one segment. */
    static final int SEGMENT_LENGTH = 512 * 1024 * 1024;

    /**
     * A partition written once per trial, a reader on it, and a raw mapping of its segment file.
     */
    @State(Scope.Thread)
    public static class ReplayState
    {
        /** Payload bytes per record. */
        @Param({"64", "256"})
        public int payloadLength;

        Path directory;
        Journal journal;
        PartitionReader reader;
        ReplayHandler handler;
        final RecordBatch batch = new RecordBatch(BATCH);
        /** Sum of what the batch reads read, consumed by the benchmark's return. */
        long batchSum;
        MappedByteBuffer rawMapping;
        RawReplayCursor rawCursor;

        /**
         * Writes the partition and maps its segment for the raw scan.
         */
        @Setup(Level.Trial)
        public void open()
        {
            directory = PerfFiles.newDirectory("replay");
            journal = Journal.open(new JournalContext()
                .directory(directory)
                .segmentLength(SEGMENT_LENGTH)
                .preallocateNextSegment(false));
            final Partition partition = journal.createTopic("bench", 1).partition(0);
            final int end = prefill(partition.writer(), payloadLength, PREFILL_BYTES);
            reader = partition.newReader();
            handler = new ReplayHandler();
            rawMapping = mapReadOnly(onlySegment(partition.directory()));
            rawCursor = new RawReplayCursor(new UnsafeBuffer(rawMapping), RawMappedLog.SEGMENT_HEADER_LENGTH, end);
        }

        /**
         * Closes and deletes the journal.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            reader.close();
            IoUtil.unmap(rawMapping);
            journal.close();
            PerfFiles.deleteRecursively(directory);
        }
    }

    /**
     * Delivers {@value #BATCH} records through {@link PartitionReader#poll}, seeking back to offset 0
     * at the end of the partition.
     *
     * @param state the reader.
     * @return the handler's running sum.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long journalPoll(final ReplayState state)
    {
        final PartitionReader reader = state.reader;
        int remaining = BATCH;
        while (remaining > 0)
        {
            final int delivered = reader.poll(state.handler, remaining);
            if (delivered == 0)
            {
                reader.seek(0);
            }
            remaining -= delivered;
        }
        return state.handler.sum;
    }

    /**
     * The baseline: reads {@value #BATCH} frames of the same file directly.
     *
     * @param state the raw mapping.
     * @return the cursor's running sum.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long rawScan(final ReplayState state)
    {
        state.rawCursor.read(BATCH);
        return state.rawCursor.sum;
    }

    /**
     * A partition written once per trial, then closed and opened again, with a reader on it: what a restart reads.
     */
    @State(Scope.Thread)
    public static class RecoveryState
    {
        /** Payload bytes per record. */
        @Param({"64", "256"})
        public int payloadLength;

        Path directory;
        Journal journal;
        PartitionReader reader;
        final RecordBatch batch = new RecordBatch(BATCH);
        /** Sum of what the reads read, consumed by the benchmark's return. */
        long sum;

        /**
         * Writes the partition, closes the journal and opens it again.
         */
        @Setup(Level.Trial)
        public void open()
        {
            directory = PerfFiles.newDirectory("replay-reopened");
            final JournalContext context = new JournalContext()
                .directory(directory)
                .segmentLength(SEGMENT_LENGTH)
                .preallocateNextSegment(false);
            try (Journal written = Journal.open(context))
            {
                prefill(written.createTopic("bench", 1).partition(0).writer(), payloadLength, PREFILL_BYTES);
            }
            journal = Journal.open(new JournalContext()
                .directory(directory)
                .segmentLength(SEGMENT_LENGTH)
                .preallocateNextSegment(false));
            reader = journal.topic("bench").partition(0).newReader();
        }

        /**
         * Closes and deletes the journal.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            reader.close();
            journal.close();
            PerfFiles.deleteRecursively(directory);
        }
    }

    /**
     * Reads {@value #BATCH} records a batch at a time, as recovery's replay does, making the raw scan's reads on each;
     * seeks back to offset 0 at the end of the partition.
     *
     * @param state the reader.
     * @return the running sum.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long journalBatch(final ReplayState state)
    {
        state.batchSum += readBatches(state.reader, state.batch);
        return state.batchSum;
    }

    /**
     * {@link #journalBatch} over the reopened journal: every record CRC32C-checked as it is read, as in a restart.
     *
     * @param state the reader of the reopened journal.
     * @return the running sum.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long recoveryBatch(final RecoveryState state)
    {
        state.sum += readBatches(state.reader, state.batch);
        return state.sum;
    }

    private static long readBatches(final PartitionReader reader, final RecordBatch batch)
    {
        long sum = 0;
        int remaining = BATCH;
        while (remaining > 0)
        {
            final int read = reader.poll(batch, remaining);
            if (read == 0)
            {
                reader.seek(0);
                continue;
            }
            final org.agrona.DirectBuffer buffer = batch.buffer();
            for (int i = 0; i < read; i++)
            {
                sum += batch.timestamp(i) + batch.key(i) + buffer.getLong(batch.payloadOffset(i));
            }
            remaining -= read;
        }
        return sum;
    }

    /**
     * Appends records of the given payload length until {@code bytes} of frames are written.
     *
     * @param writer        of the partition.
     * @param payloadLength of each record.
     * @param bytes         of frames to write.
     * @return the end of the written region in the segment.
     */
    static int prefill(final PartitionWriter writer, final int payloadLength, final int bytes)
    {
        final UnsafeBuffer frame = BenchmarkRecords.frame(payloadLength);
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        final int records = bytes / aligned;
        for (int i = 0; i < records; i++)
        {
            writer.append(BenchmarkRecords.TYPE, 0, i, i, frame, RecordDescriptor.HEADER_LENGTH, payloadLength);
        }
        return RawMappedLog.SEGMENT_HEADER_LENGTH + records * aligned;
    }

    static Path onlySegment(final Path partitionDirectory)
    {
        try (Stream<Path> list = Files.list(partitionDirectory))
        {
            return list.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no segment in " + partitionDirectory));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static MappedByteBuffer mapReadOnly(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
