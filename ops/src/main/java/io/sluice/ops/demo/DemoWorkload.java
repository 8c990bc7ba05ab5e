package io.sluice.ops.demo;

import java.util.SplittableRandom;

import io.sluice.journal.Topic;

/**
 * The demo's generated events, already routed: event {@code i} of the run gets a key drawn from a
 * fixed key space by a seeded generator, goes to the partition its key hashes to
 * ({@link Topic#partitionFor(long)}), and keeps its global sequence number {@code i}, from which
 * its timestamp is derived. Routing happens here, before the clock starts, so that the timed
 * append loop of each writer thread only encodes and appends.
 *
 * <p>Also holds, per partition, what a replay must read back: the count and the sums of sequences
 * and keys.
 */
final class DemoWorkload
{
    /** Event time of sequence 0, epoch nanoseconds (2026-01-01T00:00:00Z). */
    static final long BASE_TIMESTAMP_NS = 1_767_225_600_000_000_000L;
    /** Event time advances 250 ns per event: a 4M events/s stream. */
    static final long TIMESTAMP_STEP_NS = 250;

    private final int[][] sequences;
    private final long[][] keys;
    private final long[] sequenceSums;
    private final long[] keySums;

    private DemoWorkload(final int partitionCount, final int[] counts)
    {
        sequences = new int[partitionCount][];
        keys = new long[partitionCount][];
        for (int p = 0; p < partitionCount; p++)
        {
            sequences[p] = new int[counts[p]];
            keys[p] = new long[counts[p]];
        }
        sequenceSums = new long[partitionCount];
        keySums = new long[partitionCount];
    }

    /**
     * Generates and routes the events of a run.
     *
     * @param topic      whose partitioning routes the events.
     * @param eventCount number of events in all.
     * @param keyCount   number of distinct keys.
     * @param seed       of the generator, so a run can be repeated.
     * @return the routed events.
     */
    static DemoWorkload generate(final Topic topic, final int eventCount, final int keyCount, final long seed)
    {
        final int partitionCount = topic.partitionCount();
        final long[] keySpace = new long[keyCount];
        final int[] partitionOfKey = new int[keyCount];
        for (int k = 0; k < keyCount; k++)
        {
            // Spread small key numbers over 64 bits, like account or instrument ids.
            keySpace[k] = (k + 1) * 0x9E3779B97F4A7C15L;
            partitionOfKey[k] = topic.partitionFor(keySpace[k]);
        }

        final int[] counts = new int[partitionCount];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < eventCount; i++)
        {
            counts[partitionOfKey[random.nextInt(keyCount)]]++;
        }

        final DemoWorkload workload = new DemoWorkload(partitionCount, counts);
        final int[] filled = new int[partitionCount];
        random = new SplittableRandom(seed);
        for (int i = 0; i < eventCount; i++)
        {
            final int k = random.nextInt(keyCount);
            final int p = partitionOfKey[k];
            workload.sequences[p][filled[p]] = i;
            workload.keys[p][filled[p]] = keySpace[k];
            filled[p]++;
            workload.sequenceSums[p] += i;
            workload.keySums[p] += keySpace[k];
        }
        return workload;
    }

    static long timestamp(final long sequence)
    {
        return BASE_TIMESTAMP_NS + sequence * TIMESTAMP_STEP_NS;
    }

    int partitionCount()
    {
        return sequences.length;
    }

    int count(final int partition)
    {
        return sequences[partition].length;
    }

    int[] sequences(final int partition)
    {
        return sequences[partition];
    }

    long[] keys(final int partition)
    {
        return keys[partition];
    }

    long sequenceSum(final int partition)
    {
        return sequenceSums[partition];
    }

    long keySum(final int partition)
    {
        return keySums[partition];
    }
}
