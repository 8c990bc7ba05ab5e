package io.sluice.engine.window;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyTableTest
{
    @Test
    void shouldListEveryKeyWithRowsOnceInAscendingOrderUnderRandomChurn()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final KeyTable table = new KeyTable(4);
        final Map<Long, Integer> slotOfKeyWithRows = new HashMap<>();
        final long[] touched = new long[2];
        int row = 0;
        for (int step = 0; step < 100_000; step++)
        {
            final int keySpace = (step / 10_000) % 2 == 0 ? 50 : 5_000;
            final long key = (random.nextInt(keySpace) - keySpace / 2) * 0x1_0000_0001L;
            final int action = random.nextInt(100);
            if (action < 60)
            {
                touched[0] = key;
                touched[1] = key + 1;
                table.touch(touched, 2); // recovery's hint before the lookups: must change nothing the checks below see
                int slot = table.find(key);
                if (slot == KeyTable.NONE)
                {
                    slot = table.add(key);
                }
                if (table.head(slot) == KeyTable.NONE)
                {
                    table.revive(slot);
                    table.head(slot, row);
                    table.tail(slot, row, step);
                    row++;
                    slotOfKeyWithRows.put(key, slot);
                }
                assertThat(slotOfKeyWithRows.get(key)).as("seed=%d", seed).isEqualTo(slot);
            }
            else if (action < 98)
            {
                final Integer slot = slotOfKeyWithRows.remove(key);
                if (slot != null)
                {
                    table.release(slot);
                    assertThat(table.tail(slot)).as("seed=%d", seed).isEqualTo(KeyTable.NONE);
                }
            }
            else
            {
                table.sortForIteration();
                final TreeSet<Long> listed = new TreeSet<>();
                boolean ascending = true;
                boolean ranked = true;
                for (int i = 0; i < table.sortedCount(); i++)
                {
                    final long listedKey = table.key(table.sortedSlot(i));
                    ascending &= i == 0 || listedKey > table.key(table.sortedSlot(i - 1));
                    ranked &= table.rank(table.sortedSlot(i)) == i;
                    listed.add(listedKey);
                }
                assertThat(ascending).as("ascending, seed=%d", seed).isTrue();
                assertThat(ranked).as("rank is the sorted position, seed=%d", seed).isTrue();
                final Set<Long> unlisted = new HashSet<>(slotOfKeyWithRows.keySet());
                unlisted.removeAll(listed);
                assertThat(unlisted).as("keys with rows not listed, seed=%d", seed).isEmpty();
            }
            final Integer slot = slotOfKeyWithRows.get(key);
            if (slot != null)
            {
                assertThat(table.find(key)).as("seed=%d", seed).isEqualTo(slot);
            }
        }
        for (final Map.Entry<Long, Integer> entry : slotOfKeyWithRows.entrySet())
        {
            assertThat(table.find(entry.getKey())).as("seed=%d", seed).isEqualTo(entry.getValue());
        }
    }

    @Test
    void shouldForgetKeysEmptyForLongAndReuseTheirSlots()
    {
        final KeyTable table = new KeyTable(16);
        for (long key = 0; key < 100; key++)
        {
            final int slot = table.add(key);
            table.revive(slot);
            table.head(slot, (int)key);
            table.tail(slot, (int)key, 0);
        }
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(100);
        for (long key = 0; key < 100; key++)
        {
            table.release(table.find(key));
        }
        // Kept while few: a recurring key keeps its slot.
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(100);
        assertThat(table.find(7)).isNotEqualTo(KeyTable.NONE);
        for (int pass = 0; pass <= KeyTable.LONG_IDLE_PASSES + KeyTable.SWEEP_INTERVAL; pass++)
        {
            table.sortForIteration();
        }
        assertThat(table.sortedCount()).isZero();
        assertThat(table.find(7)).isEqualTo(KeyTable.NONE);
        final int slot = table.add(1_000);
        assertThat(slot).isLessThan(100);
    }

    @Test
    void shouldForgetEmptyKeysAtOnceWhenTheyCrowdOutTheLiveOnes()
    {
        final KeyTable table = new KeyTable(16);
        final int keys = KeyTable.IDLE_SLACK + KeyTable.IDLE_PER_LIVE_KEY * 10 + 1_000;
        for (long key = 0; key < keys; key++)
        {
            final int slot = table.add(key);
            table.revive(slot);
            table.head(slot, (int)key);
            table.tail(slot, (int)key, 0);
        }
        table.sortForIteration();
        for (long key = 10; key < keys; key++)
        {
            table.release(table.find(key));
        }
        table.sortForIteration();
        table.sortForIteration();
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(10);
        assertThat(table.find(9)).isNotEqualTo(KeyTable.NONE);
        assertThat(table.find(10)).isEqualTo(KeyTable.NONE);
    }

    @Test
    void shouldHoldAndFindEveryKeyAfterReservingRoomInAnEmptyTableAndRefuseAReserveOnAFullOne()
    {
        final KeyTable table = new KeyTable(16);
        table.add(99);
        table.clear();
        table.reserve(50_000);
        final Random random = new Random(7);
        final Map<Long, Integer> slots = new HashMap<>();
        for (int i = 0; i < 50_000; i++)
        {
            final long key = random.nextLong();
            if (!slots.containsKey(key))
            {
                slots.put(key, table.add(key));
            }
        }
        for (final Map.Entry<Long, Integer> entry : slots.entrySet())
        {
            assertThat(table.find(entry.getKey())).isEqualTo(entry.getValue());
            assertThat(table.key(entry.getValue())).isEqualTo(entry.getKey());
        }
        assertThat(table.find(99)).isEqualTo(KeyTable.NONE);
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(slots.size());
        for (int i = 1; i < table.sortedCount(); i++)
        {
            assertThat(table.key(table.sortedSlot(i))).isGreaterThan(table.key(table.sortedSlot(i - 1)));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.reserve(100_000)).isInstanceOf(IllegalStateException.class);
    }
}
