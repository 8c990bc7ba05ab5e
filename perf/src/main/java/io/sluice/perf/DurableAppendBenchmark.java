package io.sluice.perf;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordDescriptor;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DURABLE append throughput (records/s) of 64 B payloads, where every record is covered by a
 * completed force() before the writer goes on:
 * <ul>
 *   <li>{@link #groupCommit}: the writer appends a micro-batch of {@value #BATCH} records and awaits
 *       the last one's durability; the journal's group commit thread does the force()
 *       ({@code groupCommitRecords = BATCH}, {@code groupCommitDelayNs} 1 ms);</li>
 *   <li>{@link #forcePerBatch}: the same micro-batch, forced by the writer itself (no group commit
 *       thread), to show what the hand-off to the group commit thread costs;</li>
 *   <li>{@link #forcePerAppend}: one record, then a force() on the writer's thread.</li>
 * </ul>
 * One operation is one record.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar DurableAppendBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DurableAppendBenchmark
{
    /** Records per micro-batch awaited together. */
    static final int BATCH = 64;
    /** Payload bytes per record. */
    static final int PAYLOAD_LENGTH = 64;
    /** Segment length. */
    static final int SEGMENT_LENGTH = 256 * 1024 * 1024;

    /**
     * State shared by the three cases: a fresh journal per trial, with or without group commit.
     */
    abstract static class DurableState
    {
        Path directory;
        Journal journal;
        Partition partition;
        PartitionWriter writer;
        UnsafeBuffer frame;
        final IdleStrategy idle = new BackoffIdleStrategy();
        long sequence;

        void open(final boolean groupCommit)
        {
            directory = PerfFiles.newDirectory(groupCommit ? "durable-group" : "durable-force");
            journal = Journal.open(new JournalContext()
                .directory(directory)
                .segmentLength(SEGMENT_LENGTH)
                .retentionBytes(2L * SEGMENT_LENGTH)
                .groupCommit(groupCommit)
                .groupCommitRecords(BATCH)
                .groupCommitDelayNs(TimeUnit.MILLISECONDS.toNanos(1)));
            partition = journal.createTopic("bench", 1).partition(0);
            writer = partition.writer();
            frame = BenchmarkRecords.frame(PAYLOAD_LENGTH);
            PerfFiles.awaitSpareSegment(partition.directory(), SEGMENT_LENGTH);
        }

        long append()
        {
            final long sequence = this.sequence++;
            return writer.append(
                BenchmarkRecords.TYPE, 0, sequence, sequence, frame, RecordDescriptor.HEADER_LENGTH, PAYLOAD_LENGTH);
        }

        /**
         * Deletes sealed segments beyond two between iterations.
         */
        @TearDown(Level.Iteration)
        public void retain()
        {
            partition.enforceRetention(System.currentTimeMillis(), Long.MAX_VALUE);
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
     * A journal with group commit on.
     */
    @State(Scope.Thread)
    public static class GroupCommitState extends DurableState
    {
        /**
         * Opens the journal with its group commit thread.
         */
        @Setup(Level.Trial)
        public void open()
        {
            open(true);
        }
    }

    /**
     * A journal without group commit: awaiting durability forces on the writer's thread.
     */
    @State(Scope.Thread)
    public static class ForceState extends DurableState
    {
        /**
         * Opens the journal without a group commit thread.
         */
        @Setup(Level.Trial)
        public void open()
        {
            open(false);
        }
    }

    /**
     * Appends {@value #BATCH} records and waits until the group commit thread has made them DURABLE.
     *
     * @param state the journal with group commit.
     * @return the last offset.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long groupCommit(final GroupCommitState state)
    {
        long offset = 0;
        for (int i = 0; i < BATCH; i++)
        {
            offset = state.append();
        }
        state.writer.awaitDurable(offset, state.idle);
        return offset;
    }

    /**
     * Appends {@value #BATCH} records and forces them on the writer's thread.
     *
     * @param state the journal without group commit.
     * @return the last offset.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long forcePerBatch(final ForceState state)
    {
        long offset = 0;
        for (int i = 0; i < BATCH; i++)
        {
            offset = state.append();
        }
        state.writer.awaitDurable(offset, state.idle);
        return offset;
    }

    /**
     * Appends one record and forces it on the writer's thread.
     *
     * @param state the journal without group commit.
     * @return the offset.
     */
    @Benchmark
    public long forcePerAppend(final ForceState state)
    {
        final long offset = state.append();
        state.writer.awaitDurable(offset, state.idle);
        return offset;
    }
}
