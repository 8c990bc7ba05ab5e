package io.sluice.perf;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordDescriptor;
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
 * JOURNALED append throughput (records/s; bytes/s = records/s x aligned frame length) for 64 B and
 * 256 B payloads, against the raw baseline {@link #rawCopy}: a memcpy of the same frame bytes into a
 * pre-allocated mapped file of the same segment length. One operation is one record, so
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per record.
 *
 * <p>Sustained, not warm-cache: the partition runs for the whole trial with 1 GiB segments, so the
 * measurement includes rolls and the journal's background duties on the same two cores and disk: the
 * checksum duty, and the allocator reserving and pre-touching space ahead of the writer and preparing
 * the next (sparse) segment. Retention keeps two segments, applied between iterations.
 * {@link JournalThroughputMain} measures the append path alone, in one segment, and
 * {@link JournalLaunchMain} the first seconds after a launch.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar JournalAppendBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class JournalAppendBenchmark
{
    /** Records {@link #journalAppendTurn} appends per turn, then publishes. */
    static final int TURN_RECORDS = 16;

    /** Segment length of both the journal and the raw files: the largest the journal accepts. */
    static final int SEGMENT_LENGTH = JournalContext.MAX_SEGMENT_LENGTH;

    /**
     * One partition of a journal open for the whole trial.
     */
    @State(Scope.Thread)
    public static class JournalState
    {
        /** Payload bytes per record. */
        @Param({"64", "256"})
        public int payloadLength;

        Path directory;
        Journal journal;
        Partition partition;
        PartitionWriter writer;
        UnsafeBuffer frame;
        long sequence;

        /**
         * Opens a fresh journal and waits for its first spare segment.
         */
        @Setup(Level.Trial)
        public void open()
        {
            directory = PerfFiles.newDirectory("append-journal");
            journal = Journal.open(new JournalContext()
                .directory(directory)
                .segmentLength(SEGMENT_LENGTH)
                .retentionBytes(2L * SEGMENT_LENGTH));
            partition = journal.createTopic("bench", 1).partition(0);
            writer = partition.writer();
            frame = BenchmarkRecords.frame(payloadLength);
            PerfFiles.awaitSpareSegment(partition.directory(), SEGMENT_LENGTH);
        }

        /**
         * Deletes sealed segments beyond two and lets the GC unmap them, so the disk does not fill.
         */
        @TearDown(Level.Iteration)
        public void retain()
        {
            partition.enforceRetention(System.currentTimeMillis(), Long.MAX_VALUE);
            // The journal leaves a deleted segment's mapping to the GC, and appending allocates nothing.
            System.gc();
        }

        /**
         * Closes and deletes the journal.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            journal.close();
            PerfFiles.deleteRecursively(directory);
        }
    }

    /**
     * A ring of two pre-allocated files of the journal's segment length.
     */
    @State(Scope.Thread)
    public static class RawState
    {
        /** Payload bytes per record. */
        @Param({"64", "256"})
        public int payloadLength;

        Path directory;
        RawMappedLog log;
        UnsafeBuffer frame;
        int frameLength;
        int alignedLength;

        /**
         * Pre-allocates the files and builds the frame.
         */
        @Setup(Level.Trial)
        public void open()
        {
            directory = PerfFiles.newDirectory("append-raw");
            log = RawMappedLog.create(directory, SEGMENT_LENGTH, 2);
            frame = BenchmarkRecords.frame(payloadLength);
            frameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
            alignedLength = RecordDescriptor.alignedFrameLength(payloadLength);
        }

        /**
         * Unmaps and deletes the files.
         */
        @TearDown(Level.Trial)
        public void close()
        {
            log.close();
            PerfFiles.deleteRecursively(directory);
        }
    }

    /**
     * Appends one record through {@link PartitionWriter#append}: copy, header, indexes, publish (the
     * CRC32C is stored by the journal's checksum duty, off this thread).
     *
     * @param state the partition.
     * @return the record's offset.
     */
    @Benchmark
    public long journalAppend(final JournalState state)
    {
        final long sequence = state.sequence++;
        return state.writer.append(
            BenchmarkRecords.TYPE, 0, sequence, sequence, state.frame, RecordDescriptor.HEADER_LENGTH, state.payloadLength);
    }

    /**
     * Appends one record zero-copy through claim / encode in place / commit.
     *
     * @param state the partition.
     * @return the record's offset.
     */
    @Benchmark
    public long journalClaimCommit(final JournalState state)
    {
        final long sequence = state.sequence++;
        final PartitionWriter writer = state.writer;
        writer.claim(state.payloadLength);
        writer.claimBuffer().putBytes(
            writer.claimPayloadOffset(), state.frame, RecordDescriptor.HEADER_LENGTH, state.payloadLength);
        return writer.commit(BenchmarkRecords.TYPE, 0, sequence, sequence);
    }

    /**
     * Appends a turn's {@value #TURN_RECORDS} records unpublished and publishes them at once
     * ({@link PartitionWriter#appendUnpublished}, {@link PartitionWriter#publishAppended}): the path of the daemon's output
     * journal per turn of the processing thread (perf/README.md section 104), one {@code pwrite} per turn with staged
     * writes. One operation is one record.
     *
     * @param state the partition.
     * @return the next record's offset.
     */
    @Benchmark
    @OperationsPerInvocation(TURN_RECORDS)
    public long journalAppendTurn(final JournalState state)
    {
        final PartitionWriter writer = state.writer;
        long sequence = state.sequence;
        for (int i = 0; i < TURN_RECORDS; i++, sequence++)
        {
            writer.appendUnpublished(BenchmarkRecords.TYPE, 0, sequence, sequence, state.frame, RecordDescriptor.HEADER_LENGTH,
                state.payloadLength);
        }
        state.sequence = sequence;
        writer.publishAppended();
        return sequence;
    }

    /**
     * The baseline: one memcpy of the same frame into the mapped file.
     *
     * @param state the raw files.
     * @return the tail position.
     */
    @Benchmark
    public int rawCopy(final RawState state)
    {
        state.log.append(state.frame, state.frameLength, state.alignedLength);
        return state.log.position();
    }
}
