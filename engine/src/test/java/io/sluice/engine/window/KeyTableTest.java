package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
                boolean keyed = true;
                for (int i = 0; i < table.sortedCount(); i++)
                {
                    final long listedKey = table.key(table.sortedSlot(i));
                    ascending &= i == 0 || listedKey > table.key(table.sortedSlot(i - 1));
                    ranked &= table.rank(table.sortedSlot(i)) == i;
                    keyed &= table.sortedKey(i) == listedKey;
                    listed.add(listedKey);
                }
                assertThat(ascending).as("ascending, seed=%d", seed).isTrue();
                assertThat(keyed).as("the sorted order's keys are its slots' keys, seed=%d", seed).isTrue();
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

    /**
     * Windows with a gap after each (hop > size): the firing empties every key at once, then the table is all empty keys
     * until the next window's events. Those keys are empty because their window closed, not because keys churn: they
     * keep their slots through the gap, and so do the few that had no event in the window (forgotten only once empty
     * for {@link KeyTable#LONG_IDLE_PASSES} passes), rather than being forgotten and added back as new keys.
     */
    @Test
    void shouldKeepTheKeysAFiringEmptiedThroughTheGapAfterItsWindow()
    {
        final int keyCount = 4 * KeyTable.IDLE_SLACK;
        final KeyTable table = new KeyTable(16, true);
        final long[] slots = new long[keyCount];
        Arrays.fill(slots, KeyTable.NONE);
        for (int window = 0; window < KeyTable.LONG_IDLE_PASSES / 2; window++)
        {
            for (int k = 0; k < keyCount; k++)
            {
                if (k % 97 == window % 97)
                {
                    continue; // a few keys have no event in this window
                }
                int slot = table.find(k);
                if (slot == KeyTable.NONE)
                {
                    slot = table.add(k);
                }
                if (slots[k] != KeyTable.NONE)
                {
                    assertThat(slot).as("key %d's slot in window %d", k, window).isEqualTo((int)slots[k]);
                }
                slots[k] = slot;
                table.countRow(slot);
                table.sortSome(64);
            }
            table.sortForIteration(); // the window fires: every key's row goes
            for (int i = 0; i < table.sortedCount(); i++)
            {
                final int slot = table.sortedSlot(i);
                if (table.rows(slot) > 0)
                {
                    table.uncountRow(slot);
                }
            }
            while (table.sortWorkDue()) // the gap's events
            {
                table.sortSome(64);
            }
            // Every key seen so far still held (none is forgotten, none added back as new).
            assertThat(table.size()).as("keys held after window %d", window).isEqualTo(window == 0 ? keyCount - keyCount / 97 - 1 : keyCount);
        }
    }

    /**
     * Windows of ever new keys (each window's keys never seen again): the keys emptied by older firings are forgotten
     * once they crowd out the live ones, so the table stays within a small multiple of a window's keys.
     */
    @Test
    void shouldForgetTheKeysOfOlderWindowsWhenEveryWindowBringsNewOnes()
    {
        final int perWindow = 2_000;
        final KeyTable table = new KeyTable(16, true);
        int most = 0;
        for (int window = 0; window < 3 * KeyTable.LONG_IDLE_PASSES; window++)
        {
            for (int k = 0; k < perWindow; k++)
            {
                final long key = (long)window * perWindow + k;
                assertThat(table.find(key)).isEqualTo(KeyTable.NONE);
                table.countRow(table.add(key));
                table.sortSome(64);
            }
            table.sortForIteration();
            for (int i = 0; i < table.sortedCount(); i++)
            {
                final int slot = table.sortedSlot(i);
                if (table.rows(slot) > 0)
                {
                    table.uncountRow(slot);
                }
            }
            while (table.sortWorkDue())
            {
                table.sortSome(64);
            }
            most = Math.max(most, table.size());
        }
        // This window's keys, the last one's (emptied before this pass, not yet forgotten) and the slack at most.
        assertThat(most).isLessThanOrEqualTo(2 * perWindow + KeyTable.IDLE_SLACK);
        assertThat(table.capacity()).isLessThanOrEqualTo(8_192);
    }

    @Test
    void shouldListTheSameKeysWithRowsWhetherSortedBetweenWindowsOrAllAtTheWindow()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final KeyTable atOnce = new KeyTable(4);
        final KeyTable between = new KeyTable(4);
        final Set<Long> withRows = new HashSet<>();
        int row = 0;
        for (int step = 0; step < 200_000; step++)
        {
            final int keySpace = (step / 20_000) % 2 == 0 ? 100 : 20_000;
            final long key = random.nextInt(keySpace) * 0x1_0000_0001L - keySpace;
            final int action = random.nextInt(1_000);
            if (action < 600)
            {
                for (final KeyTable table : new KeyTable[] {atOnce, between})
                {
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
                    }
                }
                row++;
                withRows.add(key);
            }
            else if (action < 990)
            {
                if (withRows.remove(key))
                {
                    atOnce.release(atOnce.find(key));
                    between.release(between.find(key));
                }
            }
            else
            {
                atOnce.sortForIteration();
                between.sortForIteration();
                assertThat(listedWithRows(between)).as("seed=%d", seed).isEqualTo(listedWithRows(atOnce));
                assertThat(listedWithRows(between)).as("seed=%d", seed).containsExactlyElementsOf(new TreeSet<>(withRows));
                for (int i = 0; i < between.sortedCount(); i++)
                {
                    assertThat(between.rank(between.sortedSlot(i))).as("seed=%d", seed).isEqualTo(i);
                    assertThat(between.sortedKey(i)).as("seed=%d", seed).isEqualTo(between.key(between.sortedSlot(i)));
                }
            }
            if (between.sortWorkDue())
            {
                between.sortSome(1 + random.nextInt(64));
            }
        }
    }

    @Test
    void shouldSortNewKeysBetweenWindowsInBoundedStepsLeavingNothingForTheWindow()
    {
        final KeyTable table = new KeyTable(16);
        final Random random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            addWithRow(table, random.nextLong());
        }
        table.sortForIteration();
        for (int i = 0; i < 2_000; i++)
        {
            addWithRow(table, random.nextLong());
        }
        assertThat(table.pendingCount()).isEqualTo(2_000);
        int calls = 0;
        while (table.sortWorkDue())
        {
            table.sortSome(64);
            calls++;
            // Listed order untouched until the merge ends: a window opened meanwhile would finish it.
            assertThat(table.sortedCount()).isIn(10_000, 12_000);
        }
        // ~12,000 keys merged and a heap sort of 2,000, 64 steps a call: hundreds of calls, not one.
        assertThat(calls).isGreaterThan(150);
        assertThat(table.pendingCount()).isZero();
        assertThat(table.sortedCount()).isEqualTo(12_000);
        for (int i = 1; i < table.sortedCount(); i++)
        {
            assertThat(table.key(table.sortedSlot(i))).isGreaterThan(table.key(table.sortedSlot(i - 1)));
            assertThat(table.rank(table.sortedSlot(i))).isEqualTo(i);
        }
        // A few new keys (below the share that starts a merge at once) are merged once they have waited as many
        // calls as there are listed keys, not left for the window to insert (which moves and re-ranks every key behind each).
        addWithRow(table, Long.MIN_VALUE);
        addWithRow(table, Long.MAX_VALUE);
        int waits = 0;
        while (table.sortWorkDue() && table.pendingCount() > 0)
        {
            table.sortSome(64);
            waits++;
        }
        assertThat(waits).isEqualTo(12_000);
        while (table.sortWorkDue())
        {
            table.sortSome(64);
        }
        assertThat(table.pendingCount()).isZero();
        assertThat(table.sortedCount()).isEqualTo(12_002);
        assertThat(table.key(table.sortedSlot(0))).isEqualTo(Long.MIN_VALUE);
        assertThat(table.key(table.sortedSlot(12_001))).isEqualTo(Long.MAX_VALUE);
        for (int i = 0; i < table.sortedCount(); i++)
        {
            assertThat(table.rank(table.sortedSlot(i))).isEqualTo(i);
        }
        // The window finds nothing left to insert; a key new after that still waits for it.
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(12_002);
        addWithRow(table, 42);
        table.sortForIteration();
        assertThat(table.sortedCount()).isEqualTo(12_003);
        assertThat(table.rank(table.find(42))).isBetween(1, 12_001);
    }

    private static void addWithRow(final KeyTable table, final long key)
    {
        final int slot = table.add(key);
        table.revive(slot);
        table.head(slot, slot);
        table.tail(slot, slot, 0);
    }

    private static java.util.List<Long> listedWithRows(final KeyTable table)
    {
        final java.util.List<Long> keys = new java.util.ArrayList<>();
        for (int i = 0; i < table.sortedCount(); i++)
        {
            final int slot = table.sortedSlot(i);
            if (table.head(slot) != KeyTable.NONE)
            {
                keys.add(table.key(slot));
            }
        }
        return keys;
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

    /**
     * Keys in the direct table's range are held there only: a restore of small keys (a table reserved for them, as a
     * restart's) never allocates the index, every key is found, and a key out of the range takes a miss without a
     * probe. The first large or negative key allocates the index; the table's growth then moves indexed keys that the
     * longer direct range covers into it, and every key stays found with its slot; after a clear none is.
     */
    @Test
    void shouldHoldKeysTheDirectTableCoversThereOnly()
    {
        final KeyTable table = new KeyTable(16);
        table.reserve(40_000);
        final Map<Long, Integer> slots = new HashMap<>();
        for (int i = 0; i < 40_000; i++)
        {
            final long key = i * 3L / 2; // below 60,000: in the direct range of a table reserved for 40,000 keys
            slots.put(key, table.restoreSlot(key));
        }
        assertThat(table.indexAllocated()).as("small keys only").isFalse();
        assertThat(table.size()).isEqualTo(40_000);
        for (long key = -2; key < 70_000; key++)
        {
            assertThat(table.find(key)).as("key %d", key).isEqualTo(slots.getOrDefault(key, KeyTable.NONE));
        }
        assertThat(table.find(Long.MIN_VALUE)).isEqualTo(KeyTable.NONE);
        // Keys past the direct range (65,536 long here), then growth past the reserved room: the range doubles.
        final long large = 1L << 40;
        slots.put(large, table.add(large));
        slots.put(-7L, table.add(-7L));
        assertThat(table.indexAllocated()).isTrue();
        for (long key = 130_001; key < 400_000; key += 2)
        {
            slots.put(key, table.add(key));
        }
        for (final Map.Entry<Long, Integer> entry : slots.entrySet())
        {
            assertThat(table.find(entry.getKey())).as("key %d", entry.getKey()).isEqualTo(entry.getValue());
            assertThat(table.restoreSlot(entry.getKey())).as("key %d", entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(table.size()).isEqualTo(slots.size());
        assertThat(table.find(130_000)).isEqualTo(KeyTable.NONE);
        assertThat(table.find(60_001)).isEqualTo(KeyTable.NONE);
        table.clear();
        assertThat(table.size()).isZero();
        for (final long key : slots.keySet())
        {
            assertThat(table.find(key)).as("key %d after clear", key).isEqualTo(KeyTable.NONE);
        }
    }

    /**
     * A restore's lookup ({@link KeyTable#restoreSlot}) adds a key it does not hold and names the slot of one it does,
     * exactly as {@link KeyTable#find} then {@link KeyTable#add}: small keys (the direct table), large and negative ones
     * (the index), and keys whose index entries share their tag and probe start, each looked up several times in a
     * random order, in a table reserved for fewer keys than it ends up holding (so its index grows on the way).
     */
    @Test
    void shouldAddEachNewKeyOnceAndFindTheHeldOnesWhenRestoring()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final long inverse = inverseOf(0x9E3779B97F4A7C15L);
        final List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++)
        {
            keys.add((long)i);
            keys.add(-1L - i);
            keys.add((1L << 40) + i);
            keys.add(((0x5EED_0000L << 32) | (((long)i << 20) | 0x5EED)) * inverse); // one tag, one probe start
        }
        final List<Long> lookups = new ArrayList<>();
        for (int copy = 0; copy < 3; copy++)
        {
            lookups.addAll(keys);
        }
        java.util.Collections.shuffle(lookups, random);
        final KeyTable table = new KeyTable(16);
        table.reserve(1_000);
        final Map<Long, Integer> slots = new HashMap<>();
        final Set<Integer> taken = new HashSet<>();
        for (final long key : lookups)
        {
            final Integer held = slots.get(key);
            final int slot = table.restoreSlot(key);
            if (held == null)
            {
                assertThat(taken.add(slot)).as("seed %d: key %d's new slot %d is another key's", seed, key, slot).isTrue();
                slots.put(key, slot);
            }
            else
            {
                assertThat(slot).as("seed %d: key %d", seed, key).isEqualTo(held);
            }
        }
        assertThat(table.size()).isEqualTo(keys.size());
        assertThat(table.pendingCount()).isEqualTo(keys.size());
        for (final Map.Entry<Long, Integer> entry : slots.entrySet())
        {
            assertThat(table.find(entry.getKey())).as("seed %d: key %d", seed, entry.getKey()).isEqualTo(entry.getValue());
            assertThat(table.key(entry.getValue())).isEqualTo(entry.getKey());
        }
    }

    /**
     * Keys built from chosen hashes (the hash is {@code key * 0x9E3779B97F4A7C15}, a bijection): groups sharing the
     * index entry's tag and the probe's start, so a lookup must confirm the tag against the key; groups sharing the
     * tag only, and the start only. Every key is found (also after a prefetch, a hint that changes nothing), and after
     * half of them are forgotten (the index's back-shift deletion moving the others) the rest are still found.
     */
    @Test
    void shouldFindKeysWhoseIndexEntriesShareTheirTagOrTheirProbeStart()
    {
        final KeyTable table = new KeyTable(16);
        final long inverse = inverseOf(0x9E3779B97F4A7C15L);
        final long[] keys = new long[96];
        for (int i = 0; i < keys.length; i++)
        {
            // The probe starts at (low half ^ high half) & mask: keys 0, 3, 6, ... share the tag and the start (below
            // bit 20, so whatever the index's size), keys 1, 4, 7, ... the start only, keys 2, 5, 8, ... the tag only.
            final long tag = i % 3 == 1 ? i : 0x5EED_0000L;
            final long low = i % 3 == 2 ? i : ((((long)i << 20) | 0x5EED) ^ tag);
            keys[i] = ((tag << 32) | (low & 0xFFFF_FFFFL)) * inverse;
            final int slot = table.add(keys[i]);
            table.revive(slot);
            table.head(slot, i);
            table.tail(slot, i, 0);
        }
        assertThat(new HashSet<>(java.util.Arrays.stream(keys).boxed().toList())).hasSize(keys.length);
        table.prefetch(keys, keys.length);
        for (int i = 0; i < keys.length; i++)
        {
            assertThat(keys[i] * 0x9E3779B97F4A7C15L >>> 32).as("key %d's tag", i).isEqualTo(i % 3 == 1 ? i : 0x5EED_0000L);
            assertThat(table.key(table.find(keys[i]))).isEqualTo(keys[i]);
            assertThat(table.tail(table.find(keys[i]))).isEqualTo(i);
        }
        table.sortForIteration();
        for (int i = 0; i < keys.length; i += 2)
        {
            table.release(table.find(keys[i]));
        }
        for (int pass = 0; pass <= KeyTable.LONG_IDLE_PASSES + KeyTable.SWEEP_INTERVAL; pass++)
        {
            table.sortForIteration();
        }
        for (int i = 0; i < keys.length; i++)
        {
            assertThat(table.find(keys[i])).as("key %d", i).isEqualTo(i % 2 == 0 ? KeyTable.NONE : i);
        }
    }

    /**
     * Small non-negative keys are found through the direct table, the others through the index: under random churn of
     * both kinds (rows counted and uncounted, keys forgotten and their slots reused, the table grown through several
     * sizes, cleared and reserved), every key with rows keeps its slot, a forgotten key is not found, no lookup names
     * another key's slot, the table holds exactly the keys it finds, and a prefetch names a small key's slot as
     * {@link KeyTable#find} does (a hashed key's, or none).
     */
    @Test
    void shouldFindSmallKeysDirectlyAndOthersByHashAlikeUnderChurnGrowthAndClear()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final KeyTable table = new KeyTable(16, true);
        final Map<Long, Integer> slotOfKeyWithRows = new HashMap<>();
        final Map<Long, Integer> rowsOfKey = new HashMap<>();
        final Set<Long> seen = new HashSet<>();
        final long[] probe = new long[64];
        for (int step = 0; step < 60_000; step++)
        {
            // Mostly in the direct range (below the index's length, which grows), some just past it, some far outside.
            final int kind = random.nextInt(10);
            final long key = kind < 6 ? random.nextInt(1 << (4 + (step / 6_000))) :
                kind < 8 ? -1 - random.nextInt(100) : kind < 9 ? (1L << 40) + random.nextInt(100) : Long.MIN_VALUE + random.nextInt(3);
            seen.add(key);
            final int action = random.nextInt(100);
            if (action < 55)
            {
                int slot = table.find(key);
                if (slot == KeyTable.NONE)
                {
                    slot = table.add(key);
                }
                table.countRow(slot);
                rowsOfKey.merge(key, 1, Integer::sum);
                slotOfKeyWithRows.put(key, slot);
            }
            else if (action < 95)
            {
                final Integer rows = rowsOfKey.get(key);
                if (rows != null)
                {
                    table.uncountRow(slotOfKeyWithRows.get(key));
                    if (rows == 1)
                    {
                        rowsOfKey.remove(key);
                        slotOfKeyWithRows.remove(key);
                    }
                    else
                    {
                        rowsOfKey.put(key, rows - 1);
                    }
                }
            }
            else if (action < 99 || step % 20_000 != 0)
            {
                table.sortForIteration();
            }
            else
            {
                // A restore's way in: cleared, room reserved, the keys with rows added back.
                table.clear();
                table.reserve(slotOfKeyWithRows.size() * 2);
                for (final Map.Entry<Long, Integer> entry : rowsOfKey.entrySet())
                {
                    final int slot = table.add(entry.getKey());
                    for (int r = 0; r < entry.getValue(); r++)
                    {
                        table.countRow(slot);
                    }
                    slotOfKeyWithRows.put(entry.getKey(), slot);
                }
            }
            if (step % 97 == 0)
            {
                int found = 0;
                for (final long k : seen)
                {
                    final int slot = table.find(k);
                    if (slot != KeyTable.NONE)
                    {
                        found++;
                        assertThat(table.key(slot)).as("key %d, seed=%d", k, seed).isEqualTo(k);
                    }
                    final Integer expected = slotOfKeyWithRows.get(k);
                    if (expected != null)
                    {
                        assertThat(slot).as("key %d with rows, seed=%d", k, seed).isEqualTo(expected);
                    }
                }
                assertThat(found).as("keys found against keys held, seed=%d", seed).isEqualTo(table.size());
                final Long[] some = seen.toArray(new Long[0]);
                for (int i = 0; i < probe.length; i++)
                {
                    probe[i] = some[random.nextInt(some.length)];
                }
                final int[] slots = table.prefetchSlots(probe, probe.length).clone();
                for (int i = 0; i < probe.length; i++)
                {
                    // A hashed key's prefetch is a guess from its first two probes (NONE past them); a small key's is exact.
                    final int slot = table.find(probe[i]);
                    assertThat(slots[i]).as("prefetch of key %d, seed=%d", probe[i], seed)
                        .isEqualTo(probe[i] >= 0 && probe[i] < 32 ? slot : slots[i] == KeyTable.NONE ? KeyTable.NONE : slot);
                }
            }
        }
        assertThat(table.capacity()).as("grown, seed=%d", seed).isGreaterThan(256);
    }

    /** The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration). */
    private static long inverseOf(final long odd)
    {
        long inverse = odd;
        for (int i = 0; i < 5; i++)
        {
            inverse *= 2 - odd * inverse;
        }
        assertThat(odd * inverse).isEqualTo(1L);
        return inverse;
    }
}
