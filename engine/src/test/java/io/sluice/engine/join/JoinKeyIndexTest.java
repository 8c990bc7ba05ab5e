package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JoinKeyIndex} against a map of both heads per key, on seeded random churn of small keys (found directly),
 * negative and huge keys (hashed), and small keys first seen while the direct range is narrower than they are (hashed,
 * then moved into the direct table by the rebuild that widens it), through rebuilds, growth and {@code clear}; every
 * key's heads and the count of keys with records agree with the map, after a {@code touch} of every key. Set
 * {@code -Dsluice.test.seed=N} to rerun one seed; every failure names its seed.
 */
class JoinKeyIndexTest
{
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);

    @ParameterizedTest
    @ValueSource(ints = {16, 1024})
    void shouldKeepBothHeadsOfSmallNegativeAndHugeKeysAlikeThroughRebuildsAndClear(final int expectedKeys)
    {
        final long seed = BASE_SEED + expectedKeys;
        final Random random = new Random(seed);
        final JoinKeyIndex index = new JoinKeyIndex(expectedKeys);
        final Map<Long, int[]> reference = new HashMap<>();
        long drift = 0;
        for (int step = 0; step < 300_000; step++)
        {
            final long key = nextKey(random, drift);
            drift += random.nextInt(8) == 0 ? 1 : 0;
            final int side = random.nextInt(2);
            final int slot = random.nextInt(3) == 0 ? JoinKeyIndex.NONE : random.nextInt(1 << 20);
            final int position = index.findOrAdd(key);
            if (index.find(key) != position)
            {
                assertThat(index.find(key)).as("seed " + seed + " key " + key).isEqualTo(position);
            }
            index.head(position, side, slot);
            reference.computeIfAbsent(key, k -> new int[] {JoinKeyIndex.NONE, JoinKeyIndex.NONE})[side] = slot;
            if (step % 20_000 == 0)
            {
                assertAgrees(index, reference, seed);
            }
            if (step == 150_000)
            {
                index.clear();
                reference.clear();
                assertAgrees(index, reference, seed);
            }
        }
        assertAgrees(index, reference, seed);
    }

    /** Small keys (up to a few times the initial direct range, drifting up), negative keys, huge keys. */
    private static long nextKey(final Random random, final long drift)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return -1 - random.nextInt(5_000);
            case 1:
                return Long.MAX_VALUE - random.nextInt(5_000);
            case 2:
                return drift + random.nextInt(64);
            default:
                return random.nextInt(4_000);
        }
    }

    private static void assertAgrees(final JoinKeyIndex index, final Map<Long, int[]> reference, final long seed)
    {
        // The prefetch first: what follows checks that it changed nothing.
        final long[] keys = reference.keySet().stream().mapToLong(Long::longValue).toArray();
        index.touch(keys, 0, keys.length);
        long live = 0;
        final List<String> wrong = new ArrayList<>();
        for (final Map.Entry<Long, int[]> entry : reference.entrySet())
        {
            final int[] heads = entry.getValue();
            final boolean idle = heads[0] == JoinKeyIndex.NONE && heads[1] == JoinKeyIndex.NONE;
            live += idle ? 0 : 1;
            final int at = index.find(entry.getKey());
            if (at == JoinKeyIndex.ABSENT ? !idle : index.head(at, 0) != heads[0] || index.head(at, 1) != heads[1])
            {
                wrong.add("key " + entry.getKey() + " at " + at + ": expected " + Arrays.toString(heads));
            }
        }
        assertThat(wrong).as("seed " + seed).isEmpty();
        assertThat((long)index.keysWithRecords()).as("seed " + seed).isEqualTo(live);
    }
}
