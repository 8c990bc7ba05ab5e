package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CompletionQueue} against a sorted set of (completion, sequence) on seeded random pushes and polls: the
 * in-order case that stays in the ring, completions spread far beyond it (ring growth, the overflow heap), fine time
 * units that never fit the ring, and restores in shuffled order; {@code hasCompleteBy} agrees with every poll. {@link JoinKeyIndex} against a map under key churn.
 * Set {@code -Dsluice.test.seed=N} to rerun one seed; every failure names its seed.
 */
class CompletionQueueTest
{
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);

    /** Completion and sequence per entry, as the operator keeps them in its sides. */
    private static final class Entries implements CompletionQueue.Entries
    {
        final long[] completion = new long[1 << 16];
        final long[] sequence = new long[1 << 16];

        @Override
        public long completion(final int entry)
        {
            return completion[entry];
        }

        @Override
        public long sequence(final int entry)
        {
            return sequence[entry];
        }
    }

    private record Item(long completion, long sequence, int entry) implements Comparable<Item>
    {
        @Override
        public int compareTo(final Item o)
        {
            return completion != o.completion ? Long.compare(completion, o.completion) : Long.compare(sequence, o.sequence);
        }
    }

    @ParameterizedTest(name = "disorder {0}")
    @ValueSource(longs = {0, 500, 20_000, 1_000_000_000L})
    void shouldPollInCompletionThenSequenceOrder(final long disorder)
    {
        for (int s = 0; s < 4; s++)
        {
            final long seed = BASE_SEED + s;
            final Random random = new Random(seed);
            final Entries entries = new Entries();
            final CompletionQueue queue = new CompletionQueue(entries, 4_000, 64);
            final TreeSet<Item> reference = new TreeSet<>();
            final List<Integer> free = new ArrayList<>();
            for (int e = (1 << 16) - 1; e >= 0; e--)
            {
                free.add(e);
            }
            long maxTime = 1_000_000;
            long watermark = Long.MIN_VALUE;
            long sequence = 0;
            for (int step = 0; step < 40_000; step++)
            {
                if (random.nextInt(3) > 0 && !free.isEmpty())
                {
                    maxTime += random.nextInt(3);
                    final long t = maxTime - (disorder == 0 ? 0 : (long)(random.nextDouble() * disorder));
                    // Far outliers now and then: beyond any ring.
                    final long completion = (random.nextInt(500) == 0 ? t + 10_000_000 : t + 2_000);
                    if (completion <= watermark)
                    {
                        continue;
                    }
                    final int entry = free.remove(free.size() - 1);
                    entries.completion[entry] = completion;
                    entries.sequence[entry] = sequence;
                    queue.push(entry, completion, sequence++);
                    reference.add(new Item(completion, entries.sequence[entry], entry));
                }
                else
                {
                    watermark = Math.max(watermark, maxTime - disorder - random.nextInt(50));
                    for (int budget = random.nextInt(8); budget > 0; budget--)
                    {
                        final boolean due = !reference.isEmpty() && reference.first().completion <= watermark;
                        assertThat(queue.hasCompleteBy(watermark)).as("seed " + seed + " step " + step).isEqualTo(due);
                        final int polled = queue.pollCompleteBy(watermark);
                        final Item expected = reference.isEmpty() || reference.first().completion > watermark ? null : reference.pollFirst();
                        assertThat(polled).as("seed " + seed + " step " + step).isEqualTo(expected == null ? CompletionQueue.NONE : expected.entry);
                        if (expected == null)
                        {
                            break;
                        }
                        free.add(polled);
                    }
                }
                assertThat(queue.size()).as("seed " + seed).isEqualTo(reference.size());
            }
            int polled;
            while ((polled = queue.pollCompleteBy(Long.MAX_VALUE)) != CompletionQueue.NONE)
            {
                assertThat(polled).as("seed " + seed).isEqualTo(reference.pollFirst().entry);
            }
            assertThat(reference).as("seed " + seed).isEmpty();
        }
    }

    @Test
    void shouldQueueRestoredEntriesInSequenceOrderWhateverTheirOrderGiven()
    {
        final long seed = BASE_SEED;
        final Random random = new Random(seed);
        final Entries entries = new Entries();
        final CompletionQueue queue = new CompletionQueue(entries, 4_000, 64);
        final int count = 5_000;
        final int[] restored = new int[count];
        final TreeSet<Item> reference = new TreeSet<>();
        for (int e = 0; e < count; e++)
        {
            entries.completion[e] = 10_000 + random.nextInt(50);
            entries.sequence[e] = e * 3L;
            restored[e] = e;
            reference.add(new Item(entries.completion[e], entries.sequence[e], e));
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = restored[i];
            restored[i] = restored[j];
            restored[j] = swap;
        }
        queue.pushRestored(restored, count);
        for (int i = 0; i < count; i++)
        {
            assertThat(queue.pollCompleteBy(Long.MAX_VALUE)).as("seed " + seed + " at " + i).isEqualTo(reference.pollFirst().entry);
        }
        assertThat(queue.pollCompleteBy(Long.MAX_VALUE)).isEqualTo(CompletionQueue.NONE);
    }

    @Test
    void shouldKeepBothHeadsOfEveryKeyUnderChurn()
    {
        final long seed = BASE_SEED;
        final Random random = new Random(seed);
        final JoinKeyIndex index = new JoinKeyIndex(16);
        final Map<Long, int[]> reference = new HashMap<>();
        long nextKey = 0;
        for (int step = 0; step < 200_000; step++)
        {
            // Keys drift: old ones go idle, new ones come, some recur.
            final long key = random.nextInt(4) == 0 ? nextKey++ : Math.max(0, nextKey - 1 - random.nextInt(64));
            final int side = random.nextInt(2);
            final int slot = random.nextInt(3) == 0 ? JoinKeyIndex.NONE : random.nextInt(1 << 20);
            final int position = index.findOrAdd(key);
            index.head(position, side, slot);
            reference.computeIfAbsent(key, k -> new int[] {JoinKeyIndex.NONE, JoinKeyIndex.NONE})[side] = slot;
            if (step % 10_000 == 0)
            {
                long live = 0;
                for (final Map.Entry<Long, int[]> entry : reference.entrySet())
                {
                    final int at = index.find(entry.getKey());
                    final int[] heads = entry.getValue();
                    final boolean idle = heads[0] == JoinKeyIndex.NONE && heads[1] == JoinKeyIndex.NONE;
                    live += idle ? 0 : 1;
                    if (!idle)
                    {
                        assertThat(at).as("seed " + seed + " key " + entry.getKey()).isNotEqualTo(JoinKeyIndex.ABSENT);
                    }
                    if (at != JoinKeyIndex.ABSENT)
                    {
                        assertThat(index.head(at, 0)).as("seed " + seed + " key " + entry.getKey()).isEqualTo(heads[0]);
                        assertThat(index.head(at, 1)).as("seed " + seed + " key " + entry.getKey()).isEqualTo(heads[1]);
                    }
                }
                assertThat((long)index.keysWithRecords()).as("seed " + seed).isEqualTo(live);
            }
        }
    }
}
