package io.sluice.engine.window;

import java.util.Arrays;

/**
 * The keys that currently own pane rows, each with a stable slot, kept in ascending key order
 * so a window fires its keys in a deterministic order without sorting. A key keeps its slot for a
 * while after its last row is purged (see {@link #sortForIteration()}), so a key that recurs
 * (the common case: tumbling windows purge every row of every key each window) costs neither a
 * hash removal and re-insertion nor a place in a sort each time. Per slot it holds the
 * head and tail of the key's chain of rows (ascending pane order, links live in
 * {@link PaneStore}), {@code windowFirst}, a row at or before the key's first row in the
 * window about to fire, and the cursors of {@link WindowAssembler}: which chunk's suffixes and
 * prefixes are computed and up to which row.
 * <p>
 * New keys go to an unsorted pending list and released keys stay where they are, marked dead,
 * so neither costs more than O(1). {@link #sortForIteration()}, called before a window fires,
 * heap-sorts the pending keys and merges them with the sorted ones, dropping the keys to
 * forget, in O(keys + new keys x log new keys); high-cardinality churn (every window a new key
 * set) thus costs the same as sorting each window's keys, and a stable key set costs one linear
 * pass. A forgotten slot is reused only after that pass, so a slot is never listed twice.
 * <p>
 * <b>Sorting between windows.</b> So that the event that opens a window does not do that sort and
 * merge at once, the operator calls {@link #sortSome(int)} on the events between windows (while
 * {@link #sortWorkDue()}): it takes the pending keys aside and heap-sorts and merges them a
 * bounded number of steps per call, into the spare order, which replaces the sorted one when the
 * merge ends; keys new meanwhile wait in a fresh pending list for the next merge. A merge starts
 * once the pending keys are at least {@code 1/}{@value #BACKGROUND_MERGE_SHARE} of the listed
 * ones, or when fewer have waited as many calls as there are listed keys (so a merge, about one step
 * per listed key, costs about one step per call on average however keys trickle in), or when the next
 * pass would look for keys empty for long. {@link #sortForIteration()} then only finishes what is
 * left. A few keys left for the window are not free there: inserting them moves and re-ranks every
 * listed key behind each one ({@link #insertPending}), 300 us for 50 keys among 10,000 in the event
 * that opens the window (perf/README.md section 45); more than 1/16 of the listed ones are
 * heap-sorted and merged there at once, about what finishing a merge under way costs.
 * The order that results is the keys' ascending order whichever way it was reached, so the
 * results, and which event emits which, do not depend on it: replays and restored operators
 * stay byte-identical.
 * <p>
 * Not thread safe: operator thread.
 */
final class KeyTable
{
    static final int NONE = -1;
    static final long NO_CHUNK = Long.MIN_VALUE;
    /** Passes a key with an empty chain is kept for while the empty ones are few. */
    static final int LONG_IDLE_PASSES = 64;
    /** Passes between two looks for keys empty for long, while the empty ones are few. */
    static final int SWEEP_INTERVAL = 16;
    /** Kept empty keys per key with rows beyond which empty keys are forgotten at once. */
    static final int IDLE_PER_LIVE_KEY = 16;
    /** Kept empty keys always allowed, whatever the live keys. */
    static final int IDLE_SLACK = 1024;
    /**
     * A merge between windows starts once the pending keys are at least 1/this of the listed ones. A merge rewrites the
     * whole listed order, so while a key set grows (a fresh operator meeting its keys) each merge adds 1/this of the
     * listed keys, and the growth costs about this + 1 merge steps per key: at 64, a fresh partition's 5,000 keys took
     * 325,000 steps, two per event of a 150,000-event run; at 8, nine steps a key (perf/README.md, section 121).
     */
    static final int BACKGROUND_MERGE_SHARE = 8;
    private static final int BACKGROUND_MERGE_SHIFT = Integer.numberOfTrailingZeros(BACKGROUND_MERGE_SHARE);
    private static final int SORT_IDLE = 0;
    private static final int SORT_HEAPIFY = 1;
    private static final int SORT_EXTRACT = 2;
    private static final int SORT_MERGE = 3;
    private static final int RECORD_LONGS = 3;
    private static final int KEY = 0;
    private static final int TAIL = 1;
    private static final int TAIL_PANE = 2;
    /** The half of an {@link #index} entry, and of a key's hash, that is the key's tag. */
    private static final long TAG_MASK = 0xFFFF_FFFF_0000_0000L;
    /** Longest {@link #direct} table: keys from 0 up to a million (4 MiB). */
    private static final int MAX_DIRECT_KEYS = 1 << 20;
    private static final int[] NO_DIRECT = new int[0];
    /** The index before the table holds a key outside the direct table's range: never written. */
    private static final long[] NO_INDEX = new long[1];
    /** Regions of {@link #slotInts}: heads (or row counts), windowFirst, emptySince, pending. */
    private static final int SLOT_REGIONS = 4;
    /** Regions of {@link #sortInts}: sorted, spare, rank, batch, nextFree. */
    private static final int SORT_REGIONS = 5;
    /** Regions of {@link #orderKeys}: the keys of sorted and spare. */
    private static final int ORDER_REGIONS = 2;

    /** Whether the records count rows instead of holding a chain's tail (see {@link #KeyTable(int, boolean)}). */
    private final boolean counting;
    /**
     * The keys the {@link #direct} table does not cover (at or above {@link #directLimit}, or negative): open
     * addressing, linear probing; keys live in {@link #records}. An entry carries the key's hash tag beside its
     * slot, so a probe passes over another key's entry without loading that key's record (a cache miss a lookup would
     * otherwise take on about one probe in three, the record of a key stored next to it):
     * <pre>
     *  63                32 31                 0
     *  +-------------------+-------------------+
     *  | tag: hash's high  | slot + 1          |     0: empty
     *  +-------------------+-------------------+
     * </pre>
     * A matching tag is confirmed against the record's key. {@link #NO_INDEX} (one empty entry, mask 0: every probe
     * ends at once) until the table holds such a key, then {@link #indexCapacity} long: a table of small keys only,
     * all found directly, never allocates it (8 bytes an entry, 8 MB a partition of 500k keys at a restart).
     */
    private long[] index = NO_INDEX;
    /** {@code index.length - 1}: 0 while the index is {@link #NO_INDEX}. */
    private int indexMask;
    /**
     * The length the {@link #index} has or takes: a power of two, at least twice the keys held (both kinds, so the
     * {@link #direct} table's range grows with the table as it did when the index held every key).
     */
    private int indexCapacity;
    /** Keys held: in the direct table and in the index. */
    private int size;
    /**
     * The slots of the keys in {@code [0, direct.length)}, by key: {@code slot + 1}, 0 for a key the table does not
     * hold. Keys are often small non-negative numbers (ids, counters, symbol numbers); theirs are found with one load
     * of a line shared by neighbouring keys, no hash, no probe and no record to confirm it, as the columnar backtest
     * kernel finds them ({@link ColumnarWindowOperator}). Exact, and the only place such a key is held: a key below
     * {@link #directLimit} is held if and only if its entry here is not 0, so a lookup that finds 0 (or a key in the
     * range while the table is still empty) is a miss without a probe. Empty until the table holds a key below
     * {@link #directLimit}, then that long (half the index's memory): a table of hashed or large keys never has one.
     */
    private int[] direct = NO_DIRECT;
    /** The length {@link #direct} takes once in use: {@link #indexCapacity}, {@value #MAX_DIRECT_KEYS} at most. */
    private int directLimit;
    /**
     * What an event reads, one record per slot so a key's lookup and its chain's tail share a
     * cache line:
     * <pre>
     *  slot x RECORD_LONGS
     *  v
     *  +-------------+-------------+-------------+
     *  | key         | tail row    | tail pane   |
     *  +-------------+-------------+-------------+
     * </pre>
     * The tail row is an int stored as a long, {@link #NONE} for an empty chain.
     */
    private long[] records;
    /**
     * The per-slot ints an event or a restore writes, in one array of {@link #SLOT_REGIONS} regions of
     * {@link #capacity} ints each (16 bytes a slot):
     * <pre>
     *  0             capacity       2 x capacity   3 x capacity   4 x capacity
     *  +--------------+--------------+--------------+--------------+
     *  | heads / rows | windowFirst  | emptySince   | pending      |
     *  +--------------+--------------+--------------+--------------+
     * </pre>
     * {@code heads}: the key's first row ({@link #NONE} for an empty chain); in a {@link #counting} table the same
     * region holds {@code rows}, the key's row count ({@link #countRow}); {@code windowFirst}: see the class comment
     * (chains only); {@code emptySince}: the {@link #sortForIteration()} pass count when the key last became empty;
     * {@code pending}: the slots added since the last merge took the pending ones, {@link #pendingCount} of them.
     * <p>
     * A row count lives here, 16 keys a cache line, and not in the key's record: the event that opens a key's row in
     * a pane counts it, and for a key found in the {@link #direct} table nothing else on the event path reads the
     * record, a line touched about once per key per window and evicted in between by the journal's traffic; this
     * region, a sixth of the records' size, stays cached (perf/README.md, sections 111 and 116).
     * <p>
     * One array, not one per field, because of what a restore of many keys costs: at 500k keys a partition each
     * field's array would be 1.9 MB, below G1's humongous size (half a region, 2 MB with the 4 MiB regions of a
     * 6 GB heap), so allocated in eden, where the restore's state fills the young generation and every young
     * collection before ready copies it (perf/README.md, sections 108 and 113); as one array it is humongous, allocated
     * straight in old regions.
     */
    private int[] slotInts;
    /** Slots the table has room for: the length of each region of {@link #slotInts} and {@link #sortInts}. */
    private int slotCapacity;
    /** Where in {@link #slotInts} the regions start ({@code heads} at 0). */
    private int windowFirstAt;
    private int emptySinceAt;
    private int pendingAt;
    /**
     * Per slot, the cursors of {@link WindowAssembler} (overlapping windows only): null until {@link #trackAssembly()},
     * so the state of an operator whose windows do not overlap (tumbling, or folded directly) carries none of them
     * (24 bytes a key: at a restart of 1M keys, 24 MB fewer fresh heap pages faulted in and zeroed).
     */
    private long[] suffixChunk;
    private int[] suffixLast;
    private long[] prefixChunk;
    private int[] prefixRow;
    /**
     * The sort's ints, in one array of {@link #SORT_REGIONS} regions of {@link #capacity} ints each (20 bytes a slot),
     * for the reason {@link #slotInts} is one:
     * <pre>
     *  0             capacity       2 x capacity   3 x capacity   4 x capacity   5 x capacity
     *  +--------------+--------------+--------------+--------------+--------------+
     *  | sorted/spare | spare/sorted | rank         | batch        | nextFree     |
     *  +--------------+--------------+--------------+--------------+--------------+
     * </pre>
     * {@code sorted}: the listed slots in ascending key order, {@link #sortedCount} of them; {@code spare}: the order a
     * merge writes, which then becomes the listed one (the two regions swap roles: {@link #sortedAt}, {@link #spareAt});
     * {@code rank}: per listed slot, its position in {@code sorted}; {@code batch}: the pending keys a merge between
     * windows took aside ({@link #sortSome}), {@link #batchCount} of them; {@code nextFree}: per forgotten slot, the next
     * of the free list.
     */
    private int[] sortInts;
    /**
     * The keys of the listed order and of the spare one, position for position beside the slots in the first two
     * regions of {@link #sortInts} (the same offsets, {@link #sortedAt} and {@link #spareAt}, 16 bytes a slot):
     * <pre>
     *  0             capacity       2 x capacity
     *  +--------------+--------------+
     *  | sorted keys  | spare keys   |     (or swapped, as the slots' regions)
     *  +--------------+--------------+
     * </pre>
     * A merge compares the listed keys and a firing emits them in order: read here, a straight run of loads the
     * processor streams, they would otherwise each load the key's record, one cache miss a key when the records have
     * been evicted since the window before (perf/README.md, section 116).
     */
    private long[] orderKeys;
    /** Where in {@link #sortInts} the listed order and the one a merge writes start: 0 and {@link #capacity}, or swapped. */
    private int sortedAt;
    private int spareAt;
    private int rankAt;
    private int batchAt;
    private int nextFreeAt;
    private int sortedCount;
    private int pendingCount;
    private int slotLimit;
    private int freeSlots = NONE;
    /** Slots in the table whose chain is empty. */
    private int idleCount;
    /**
     * Keys that became empty in the current pass, revived ones included: those the firing of the pass's window emptied.
     * {@link #crowded()} does not count them (see {@link #sortForIteration()}).
     */
    private int emptiedInPass;
    /** {@link #sortForIteration()} calls so far. */
    private int pass;
    /** The pass at which keys empty for long are looked for next. */
    private int nextSweep;
    /** The pending keys a merge between windows took aside ({@link #sortSome}) into {@code batch}. */
    private int batchCount;
    /** {@link #sortSome} calls that found keys pending but too few to start a merge, since the last merge or pass. */
    private int pendingWaits;
    /** Where the merge between windows stands: {@link #SORT_IDLE}, heapify, extract or merge. */
    private int sortStage = SORT_IDLE;
    /** Heapify: the next parent to sift down; extract: the end of the heap. */
    private int sortCursor;
    /** Merge: next listed position, next batch position, keys written to the spare order ({@link #spareAt}). */
    private int mergeListed;
    private int mergeBatch;
    private int merged;
    /** Whether the merge between windows forgets keys empty for long, and after how many passes. */
    private boolean mergeSweeps;
    private int mergeEmptyPassLimit;
    /** The pass at which a merge between windows last looked for keys empty for long. */
    private int backgroundSweepPass = -1;
    /** Scratch of {@link #prefetch}, grown to the largest run of keys it was given. */
    private int[] prefetchRows = new int[0];

    /**
     * A table for keys whose rows are chains in a {@link PaneStore}.
     *
     * @param expectedKeys to make room for.
     */
    KeyTable(final int expectedKeys)
    {
        this(expectedKeys, false);
    }

    /**
     * @param expectedKeys to make room for.
     * @param counting     for an operator that keeps a key's rows elsewhere, with no chain ({@link DenseWindowOperator}):
     *                     the table counts the key's rows ({@link #countRow}, {@link #uncountRow}) and the pass it
     *                     became empty in {@link #slotInts}, 16 keys a cache line; the chain fields are not used.
     */
    KeyTable(final int expectedKeys, final boolean counting)
    {
        this.counting = counting;
        final int capacity = Math.max(16, expectedKeys);
        resetIndex(indexCapacityFor(capacity));
        records = new long[capacity * RECORD_LONGS];
        slotInts = new int[capacity * SLOT_REGIONS];
        sortInts = new int[capacity * SORT_REGIONS];
        orderKeys = new long[capacity * ORDER_REGIONS];
        regions(capacity, 0);
    }

    int sortedCount()
    {
        return sortedCount;
    }

    /**
     * Keys added since the last merge took the pending ones, not listed yet.
     */
    int pendingCount()
    {
        return pendingCount;
    }

    int sortedSlot(final int position)
    {
        return sortInts[sortedAt + position];
    }

    /**
     * Key of the slot at a position of the sorted order ({@link #sortedSlot}), read without its record.
     */
    long sortedKey(final int position)
    {
        return orderKeys[sortedAt + position];
    }

    /**
     * Position of a listed slot in the sorted order, valid until the next {@link #sortForIteration()}.
     */
    int rank(final int slot)
    {
        return sortInts[rankAt + slot];
    }

    long key(final int slot)
    {
        return records[slot * RECORD_LONGS + KEY];
    }

    int head(final int slot)
    {
        return slotInts[slot];
    }

    void head(final int slot, final int row)
    {
        slotInts[slot] = row;
    }

    int tail(final int slot)
    {
        return (int)records[slot * RECORD_LONGS + TAIL];
    }

    /**
     * Pane of the key's tail row; meaningless for an empty chain.
     */
    long tailPane(final int slot)
    {
        return records[slot * RECORD_LONGS + TAIL_PANE];
    }

    void tail(final int slot, final int row, final long pane)
    {
        records[slot * RECORD_LONGS + TAIL] = row;
        records[slot * RECORD_LONGS + TAIL_PANE] = pane;
    }

    int windowFirst(final int slot)
    {
        return slotInts[windowFirstAt + slot];
    }

    void windowFirst(final int slot, final int row)
    {
        slotInts[windowFirstAt + slot] = row;
    }

    long suffixChunk(final int slot)
    {
        return suffixChunk[slot];
    }

    int suffixLast(final int slot)
    {
        return suffixLast[slot];
    }

    void suffix(final int slot, final long chunk, final int lastRow)
    {
        suffixChunk[slot] = chunk;
        suffixLast[slot] = lastRow;
    }

    long prefixChunk(final int slot)
    {
        return prefixChunk[slot];
    }

    int prefixRow(final int slot)
    {
        return prefixRow[slot];
    }

    void prefix(final int slot, final long chunk, final int lastRow)
    {
        prefixChunk[slot] = chunk;
        prefixRow[slot] = lastRow;
    }

    /**
     * Gives every slot, present and to come, the cursors of {@link WindowAssembler} ({@link #suffix}, {@link #prefix}),
     * none computed; called once by the assembler of overlapping windows. Nothing when they are there already.
     */
    void trackAssembly()
    {
        if (suffixChunk == null)
        {
            final int capacity = slotCapacity;
            suffixChunk = new long[capacity];
            suffixLast = new int[capacity];
            prefixChunk = new long[capacity];
            prefixRow = new int[capacity];
            Arrays.fill(suffixChunk, NO_CHUNK);
            Arrays.fill(prefixChunk, NO_CHUNK);
        }
    }

    /** Whether the slots carry {@link WindowAssembler}'s cursors ({@link #trackAssembly()}). */
    boolean tracksAssembly()
    {
        return suffixChunk != null;
    }

    /**
     * Forget computed prefixes and suffixes of the key, after one of its assembled rows changed (nothing to forget in
     * a table that does not {@link #trackAssembly()}).
     */
    void invalidateAssembly(final int slot)
    {
        if (suffixChunk != null)
        {
            suffixChunk[slot] = NO_CHUNK;
            prefixChunk[slot] = NO_CHUNK;
        }
    }

    /**
     * {@link #prefetch} for an operator that {@link #hold}s keys: loads each key's first index entry and the record it
     * names, and gives that record's slot where it holds the key (most keys: the first probe finds them), else
     * {@link #NONE}, for the caller to load the key's state at. Changes nothing.
     *
     * @param eventKeys the keys of the coming events.
     * @param count     of keys, from index 0.
     * @return the slots, index for index (scratch, valid until the next call).
     */
    int[] prefetchSlots(final long[] eventKeys, final int count)
    {
        final long[] index = this.index;
        final long[] records = this.records;
        final int mask = indexMask;
        final int[] direct = this.direct;
        final int[] slots = prefetchScratch(count);
        boolean hashed = false;
        for (int i = 0; i < count; i++)
        {
            final long key = eventKeys[i];
            if (Long.compareUnsigned(key, direct.length) < 0)
            {
                slots[i] = direct[(int)key] - 1; // final: the direct table is exact
            }
            else
            {
                slots[i] = (int)index[position(hash(key)) & mask];
                hashed = true;
            }
        }
        for (int i = 0; hashed && i < count; i++)
        {
            final long key = eventKeys[i];
            if (Long.compareUnsigned(key, direct.length) >= 0)
            {
                final int slot = slotOf(likelyEntry(key));
                slots[i] = slot >= 0 && records[slot * RECORD_LONGS + KEY] == key ? slot : NONE;
            }
        }
        return slots;
    }

    /**
     * The key's index entry as a prefetch guesses it, with no loop on what was loaded: its first or second probe for
     * most keys (the index is at most half full), the second when the first holds another key's tag.
     */
    private long likelyEntry(final long key)
    {
        final long hash = hash(key);
        final int probe = position(hash) & indexMask;
        final long first = index[probe];
        return (first & TAG_MASK) == (hash & TAG_MASK) ? first : index[(probe + 1) & indexMask];
    }

    private int[] prefetchScratch(final int count)
    {
        if (prefetchRows.length < count)
        {
            prefetchRows = new int[count];
        }
        return prefetchRows;
    }

    /**
     * Slot of a key that owns rows or owned some until recently (its chain may be empty), or
     * {@link #NONE}.
     */
    int find(final long key)
    {
        final int[] direct = this.direct;
        if (Long.compareUnsigned(key, direct.length) < 0)
        {
            return direct[(int)key] - 1;
        }
        final long[] records = this.records;
        final long[] index = this.index;
        final int mask = indexMask;
        final long hash = hash(key);
        final long tag = hash & TAG_MASK;
        int i = position(hash) & mask;
        long entry;
        while ((entry = index[i]) != 0)
        {
            if ((entry & TAG_MASK) == tag && records[slotOf(entry) * RECORD_LONGS + KEY] == key)
            {
                return slotOf(entry);
            }
            i = (i + 1) & mask;
        }
        return NONE;
    }

    /**
     * Loads into the cache what {@link #find} will read for each key: the key's first index entry in a
     * first pass (a straight run of independent loads with no branch on what they return, so the processor
     * overlaps their cache misses, where the event path, one key at a time, waits for each in turn); in a
     * second, over entries now in the cache, the entry whose tag is the key's and the record of the slot it
     * names; and returns each record's tail row, for the caller to load that row's state in a third. A key
     * whose tag matches another key's, or a new key, loads a record it does not need; nothing is changed
     * either way.
     *
     * @param eventKeys of the coming events.
     * @param count     of keys to look at.
     * @return per key, the tail row of the record its tag named (possibly {@link #NONE} or another
     *         key's), in a scratch array the next call overwrites.
     */
    int[] prefetch(final long[] eventKeys, final int count)
    {
        final long[] index = this.index;
        final long[] records = this.records;
        final int mask = indexMask;
        final int[] direct = this.direct;
        final int[] rows = prefetchScratch(count);
        for (int i = 0; i < count; i++)
        {
            final long key = eventKeys[i];
            rows[i] = Long.compareUnsigned(key, direct.length) < 0 ? direct[(int)key] : (int)index[position(hash(key)) & mask];
        }
        for (int i = 0; i < count; i++)
        {
            final long key = eventKeys[i];
            final int slot = Long.compareUnsigned(key, direct.length) < 0 ? rows[i] - 1 : slotOf(likelyEntry(key));
            // An empty entry (a new key) reads slot 0's record: harmless.
            rows[i] = (int)records[Math.max(slot, 0) * RECORD_LONGS + TAIL];
        }
        return rows;
    }

    /**
     * Loads the index entries and key records of {@code count} keys, one
     * independent load per key in a tight loop, so their cache misses overlap instead of each event's
     * lookup waiting for its own (group prefetching: Java has no prefetch instruction). A hint only:
     * nothing changes.
     *
     * @param keys  to look up soon.
     * @param count of keys, from index 0.
     * @return a value that depends on every load, for the caller to keep (so the loads are not dropped).
     */
    long touch(final long[] keys, final int count)
    {
        final long[] index = this.index;
        final long[] records = this.records;
        final int mask = indexMask;
        final int[] direct = this.direct;
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            // the key's direct slot or first probe, and the record it names (its key, tail row and pane: what an event reads)
            final long key = keys[i];
            final long entry = Long.compareUnsigned(key, direct.length) < 0 ? direct[(int)key] : index[position(hash(key)) & mask];
            sum += entry == 0 ? 0 : records[slotOf(entry) * RECORD_LONGS + KEY];
        }
        return sum;
    }

    /**
     * The key's slot, added if the table does not hold it: for a restore ({@link PaneStore#restoreRow}), which adds
     * nearly every key it looks up. A probe of its own, not {@link #find} then {@link #add}, so that {@link #find} is
     * compiled for the events' lookups, which nearly always find their key, and not first for a restore's, which
     * nearly never do (code the replay's first events would make the JIT throw away).
     *
     * @param key of a restored row.
     * @return its slot.
     */
    int restoreSlot(final long key)
    {
        if (Long.compareUnsigned(key, direct.length) < 0)
        {
            final int slot = direct[(int)key] - 1;
            return slot == NONE ? add(key) : slot;
        }
        final long hash = hash(key);
        for (int i = position(hash) & indexMask; index[i] != 0; i = (i + 1) & indexMask)
        {
            final long entry = index[i];
            if (((entry ^ hash) & TAG_MASK) == 0 && key(slotOf(entry)) == key)
            {
                return slotOf(entry);
            }
        }
        return add(key);
    }

    /**
     * A new slot, with an empty chain, for a key that {@link #find} did not find.
     */
    int add(final long key)
    {
        final int slot = allocateSlot();
        final int at = slot * RECORD_LONGS;
        records[at + KEY] = key;
        if (counting)
        {
            slotInts[slot] = 0;
            slotInts[emptySinceAt + slot] = pass;
        }
        else
        {
            emptyChain(slot);
        }
        idleCount++;
        indexPut(key, slot);
        slotInts[pendingAt + pendingCount++] = slot;
        return slot;
    }

    /**
     * Note that the key's chain is now empty. The key keeps its slot, index entry and place in
     * the sorted order, so it can come back cheaply (see {@link #sortForIteration()} for when it
     * is forgotten).
     */
    void release(final int slot)
    {
        idleCount++;
        emptiedInPass++;
        emptyChain(slot);
    }

    /** The slot's chain empty from this pass on; its prefix and suffix rows are freed, so a new chain must not reuse them. */
    private void emptyChain(final int slot)
    {
        slotInts[slot] = NONE;
        slotInts[windowFirstAt + slot] = NONE;
        slotInts[emptySinceAt + slot] = pass;
        records[slot * RECORD_LONGS + TAIL] = NONE;
        invalidateAssembly(slot);
    }

    /**
     * Note that the key's empty chain (new key or released) now has a row.
     */
    void revive(final int slot)
    {
        idleCount--;
    }

    /**
     * For a {@link #counting} table: the key's rows ({@link #countRow}).
     */
    int rows(final int slot)
    {
        return slotInts[slot];
    }

    /**
     * For a {@link #counting} table: the key has one more row. Its first makes it a key with state again, one the
     * table does not forget.
     */
    void countRow(final int slot)
    {
        if (slotInts[slot]++ == 0)
        {
            idleCount--;
        }
    }

    /**
     * For a {@link #counting} table: the key has one row less. Its last makes it empty from this pass on (forgotten
     * after some passes without rows, see {@link #sortForIteration()}).
     */
    void uncountRow(final int slot)
    {
        if (--slotInts[slot] == 0)
        {
            slotInts[emptySinceAt + slot] = pass;
            idleCount++;
            emptiedInPass++;
        }
    }

    /**
     * Keys held: those with state and the empty ones not forgotten yet.
     */
    int size()
    {
        return size;
    }

    /**
     * Slots the table has room for before it grows: every slot {@link #add} gives is below it until then.
     */
    int capacity()
    {
        return slotCapacity;
    }

    /**
     * The first position in the sorted order whose key is above {@code key}: the keys listed before it are at or
     * below it. Valid until the next {@link #sortForIteration()}.
     */
    int positionAfter(final long key)
    {
        int low = 0;
        int high = sortedCount;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (orderKeys[sortedAt + mid] <= key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    void invalidateAll()
    {
        for (int slot = 0; slot < slotLimit; slot++)
        {
            invalidateAssembly(slot);
        }
    }

    /**
     * Bring the sorted order up to date: merge in new keys, forget keys whose chain has stayed
     * empty long enough.
     * <p>
     * Forgetting a key and adding it back when it recurs costs a hash removal, an insertion
     * and a place in the next sort, some hundred nanoseconds; keeping it costs a skipped entry
     * in each window's walk over the sorted keys, a few nanoseconds. So a key whose chain is
     * empty is kept for about {@link #LONG_IDLE_PASSES} passes (a key seen once every few windows
     * stays put; the keys empty for that long are looked for every {@link #SWEEP_INTERVAL}
     * passes, and a pass with no new key and no such look costs nothing), unless the empty keys
     * outnumber {@link #IDLE_PER_LIVE_KEY} times the keys with rows plus {@link #IDLE_SLACK}:
     * then, as under a stream of ever new keys, every pass forgets the keys empty since before
     * the previous pass. The walk thus stays within a small multiple of the live keys.
     * <p>
     * <b>The keys a firing just emptied are not counted as crowding</b> ({@link #crowded()}): only the
     * keys empty since before the current pass are, those whose rows went before the window that
     * this pass fired. Windows with a gap between them (hop above size) empty every key at their
     * firing, and the table stays all empty keys until the next window's first events; counted,
     * they made every gap crowded, so each gap forgot the few keys with no event in the window
     * just fired, which came back as new keys in the next one, at the price of two merges of
     * every listed key a window (perf/README.md, sections 116 and 121). Under a stream of ever new
     * keys nothing changes but the pass at which the crowding shows: the keys the last firing
     * emptied are forgotten one pass later. A key emptied and given a row again in the same pass
     * still counts as emptied in it (not counting it would read its {@code emptySince} on the
     * event path, a second line per key), which can hold a forgetting off by as many keys as have
     * rows: the empty keys held stay below {@link #IDLE_PER_LIVE_KEY}{@code + 1} times the keys
     * with rows, plus {@link #IDLE_SLACK}, plus the keys the last firing emptied.
     */
    void sortForIteration()
    {
        if (sortStage != SORT_IDLE)
        {
            sortSome(Integer.MAX_VALUE);
        }
        pass++;
        emptiedInPass = 0;
        pendingWaits = 0; // the pending keys go into this pass's order
        final boolean crowded = crowded();
        final boolean sweep = idleCount > 0 && (crowded || pass - nextSweep >= 0);
        if (pendingCount == 0 && !sweep)
        {
            return;
        }
        sortPendingByKey();
        if (!sweep && pendingCount <= sortedCount >>> 4)
        {
            insertPending();
            return;
        }
        final int emptyPassLimit = crowded ? 1 : LONG_IDLE_PASSES;
        int merged = 0;
        int i = 0;
        int j = 0;
        while (i < sortedCount || j < pendingCount)
        {
            final int slot;
            final long key;
            final long pendingKey = j == pendingCount ? 0 : key(slotInts[pendingAt + j]);
            if (j == pendingCount || (i < sortedCount && orderKeys[sortedAt + i] < pendingKey))
            {
                key = orderKeys[sortedAt + i];
                slot = sortInts[sortedAt + i++];
            }
            else
            {
                key = pendingKey;
                slot = slotInts[pendingAt + j++];
            }
            if (sweep && emptyFor(slot, pass, emptyPassLimit))
            {
                forget(slot);
            }
            else
            {
                list(slot, key, merged++);
            }
        }
        swapSortedAndSpare();
        sortedCount = merged;
        pendingCount = 0;
        if (sweep)
        {
            nextSweep = pass + SWEEP_INTERVAL;
        }
    }

    /**
     * Whether {@link #sortSome} has work: a merge under way, pending keys (to merge, or to count the wait of
     * until there are enough or they have waited long enough), or keys empty for long to look for before the
     * next pass.
     */
    boolean sortWorkDue()
    {
        return sortStage != SORT_IDLE || pendingCount > 0 || backgroundSweepDue();
    }

    /**
     * Whether a merge between windows starts now (see the class comment); counts a call that finds pending keys too
     * few to start one yet.
     */
    private boolean backgroundMergeDue()
    {
        if (backgroundSweepDue())
        {
            return true;
        }
        if (pendingCount == 0)
        {
            return false;
        }
        return pendingCount >= sortedCount >>> BACKGROUND_MERGE_SHIFT || ++pendingWaits >= sortedCount;
    }

    /**
     * Advance the merge between windows by about {@code steps} steps (a step: one key merged, or one
     * level of a heap sift), starting one if {@link #sortWorkDue()}. The listed order is unchanged
     * until the merge ends, then replaced at once (an array swap).
     *
     * @param steps to do at most, roughly; {@link Integer#MAX_VALUE} finishes the merge under way.
     */
    void sortSome(final int steps)
    {
        int left = steps;
        while (left > 0)
        {
            switch (sortStage)
            {
                case SORT_IDLE:
                    if (!backgroundMergeDue())
                    {
                        return;
                    }
                    startBackgroundMerge();
                    break;
                case SORT_HEAPIFY:
                    if (sortCursor < 0)
                    {
                        sortStage = SORT_EXTRACT;
                        sortCursor = batchCount - 1;
                        break;
                    }
                    left -= 1 + SlotHeapSort.siftDown(sortInts, batchAt, sortCursor--, batchCount, records, RECORD_LONGS, KEY);
                    break;
                case SORT_EXTRACT:
                    if (sortCursor <= 0)
                    {
                        sortStage = SORT_MERGE;
                        break;
                    }
                    left -= 1 + SlotHeapSort.extract(sortInts, batchAt, sortCursor--, records, RECORD_LONGS, KEY);
                    break;
                default:
                    left -= mergeSome(left);
                    break;
            }
        }
    }

    private boolean backgroundSweepDue()
    {
        return idleCount > 0 && backgroundSweepPass != pass && (crowded() || pass + 1 - nextSweep >= 0);
    }

    /**
     * Whether the keys empty since before this pass outnumber {@link #IDLE_PER_LIVE_KEY} times the keys with rows plus
     * {@link #IDLE_SLACK} (see {@link #sortForIteration()}). A key emptied and revived in the pass still counts as
     * emptied in it, so the keys not counted may exceed those still empty: hence the clamp.
     */
    private boolean crowded()
    {
        final int emptyBefore = Math.max(0, idleCount - emptiedInPass);
        return emptyBefore > IDLE_PER_LIVE_KEY * (size - idleCount) + IDLE_SLACK;
    }

    private void startBackgroundMerge()
    {
        // Copied, not swapped as two arrays would be: the pending region is where a restore adds keys, the batch one is the sort's.
        System.arraycopy(slotInts, pendingAt, sortInts, batchAt, pendingCount);
        batchCount = pendingCount;
        pendingCount = 0;
        pendingWaits = 0;
        mergeSweeps = backgroundSweepDue();
        if (mergeSweeps)
        {
            backgroundSweepPass = pass;
        }
        mergeEmptyPassLimit = crowded() ? 1 : LONG_IDLE_PASSES;
        mergeListed = 0;
        mergeBatch = 0;
        merged = 0;
        sortStage = SORT_HEAPIFY;
        sortCursor = (batchCount >>> 1) - 1;
    }

    /**
     * Merge up to {@code steps} keys of the sorted batch and the listed order into the spare order;
     * at the end, the merged order becomes the listed one.
     *
     * @return steps done.
     */
    private int mergeSome(final int steps)
    {
        // As the next pass will see it: the merge stands in for that pass's.
        final int nextPass = pass + 1;
        int done = 0;
        while (done < steps && (mergeListed < sortedCount || mergeBatch < batchCount))
        {
            final int slot;
            final long key;
            final long batchKey = mergeBatch == batchCount ? 0 : key(sortInts[batchAt + mergeBatch]);
            if (mergeBatch == batchCount || (mergeListed < sortedCount && orderKeys[sortedAt + mergeListed] < batchKey))
            {
                key = orderKeys[sortedAt + mergeListed];
                slot = sortInts[sortedAt + mergeListed++];
            }
            else
            {
                key = batchKey;
                slot = sortInts[batchAt + mergeBatch++];
            }
            if (mergeSweeps && emptyFor(slot, nextPass, mergeEmptyPassLimit))
            {
                forget(slot);
            }
            else
            {
                list(slot, key, merged++);
            }
            done++;
        }
        if (mergeListed == sortedCount && mergeBatch == batchCount)
        {
            swapSortedAndSpare();
            sortedCount = merged;
            batchCount = 0;
            sortStage = SORT_IDLE;
            if (mergeSweeps)
            {
                nextSweep = nextPass + SWEEP_INTERVAL;
            }
        }
        return Math.max(done, 1);
    }

    /** The slot, of the key, at a position of the spare order a merge writes. */
    private void list(final int slot, final long key, final int position)
    {
        sortInts[rankAt + slot] = position;
        sortInts[spareAt + position] = slot;
        orderKeys[spareAt + position] = key;
    }

    /** Whether the key has had no rows for more than {@code passes} passes at pass {@code now}. */
    private boolean emptyFor(final int slot, final int now, final int passes)
    {
        return slotInts[slot] == (counting ? 0 : NONE) && now - slotInts[emptySinceAt + slot] > passes;
    }

    private void forget(final int slot)
    {
        indexRemove(key(slot));
        idleCount--;
        sortInts[nextFreeAt + slot] = freeSlots;
        freeSlots = slot;
    }

    void clear()
    {
        if (size > 0)
        {
            if (index != NO_INDEX)
            {
                Arrays.fill(index, 0L);
            }
            Arrays.fill(direct, 0);
            size = 0;
        }
        slotLimit = 0;
        sortedCount = 0;
        idleCount = 0;
        emptiedInPass = 0;
        pass = 0;
        nextSweep = 0;
        pendingCount = 0;
        pendingWaits = 0;
        freeSlots = NONE;
        sortStage = SORT_IDLE;
        batchCount = 0;
        backgroundSweepPass = -1;
    }

    /**
     * Insert a few sorted pending keys into the sorted order: each finds its place by binary
     * search, the keys between places move as blocks, and only the moved keys get a new rank, so
     * the keys that stay are not read at all (a full merge reads every listed key's record).
     */
    private void insertPending()
    {
        int end = sortedCount;
        for (int j = pendingCount - 1; j >= 0; j--)
        {
            final int slot = slotInts[pendingAt + j];
            final long key = key(slot);
            final int place = lowerBound(key, end);
            final int shift = j + 1;
            System.arraycopy(sortInts, sortedAt + place, sortInts, sortedAt + place + shift, end - place);
            System.arraycopy(orderKeys, sortedAt + place, orderKeys, sortedAt + place + shift, end - place);
            for (int k = place + shift; k < end + shift; k++)
            {
                sortInts[rankAt + sortInts[sortedAt + k]] = k;
            }
            sortInts[sortedAt + place + j] = slot;
            orderKeys[sortedAt + place + j] = key;
            sortInts[rankAt + slot] = place + j;
            end = place;
        }
        sortedCount += pendingCount;
        pendingCount = 0;
    }

    /**
     * First position below {@code limit} in the sorted order whose key is at or above {@code key}.
     */
    private int lowerBound(final long key, final int limit)
    {
        int low = 0;
        int high = limit;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (orderKeys[sortedAt + mid] < key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private void sortPendingByKey()
    {
        SlotHeapSort.sort(slotInts, pendingAt, pendingCount, records, RECORD_LONGS, KEY);
    }

    private int allocateSlot()
    {
        if (freeSlots != NONE)
        {
            final int slot = freeSlots;
            freeSlots = sortInts[nextFreeAt + slot];
            return slot;
        }
        if (slotLimit == slotCapacity)
        {
            growSlots(slotLimit << 1);
        }
        return slotLimit++;
    }

    /**
     * Makes room for {@code keys} keys in an empty table (a restore, after {@link #clear()}, knows how many
     * follow), so that they go in without the slot arrays growing or the index being rehashed on the way:
     * a restore of a million keys into a table sized for a thousand would otherwise copy the arrays and
     * re-insert every key already in about ten times.
     *
     * @param keys expected at once.
     */
    void reserve(final int keys)
    {
        if (size != 0)
        {
            throw new IllegalStateException("reserve on a table holding " + size + " keys");
        }
        if (keys > slotCapacity)
        {
            growSlots(keys);
        }
        final int capacity = indexCapacityFor(keys);
        if (capacity > indexCapacity)
        {
            resetIndex(capacity); // empty: nothing to re-insert
        }
    }

    private void growSlots(final int capacity)
    {
        final int previous = slotCapacity;
        records = Arrays.copyOf(records, capacity * RECORD_LONGS);
        slotInts = regrown(slotInts, SLOT_REGIONS, previous, capacity);
        sortInts = regrown(sortInts, SORT_REGIONS, previous, capacity);
        orderKeys = regrown(orderKeys, ORDER_REGIONS, previous, capacity);
        regions(capacity, sortedAt == 0 ? 0 : 1);
        if (suffixChunk != null)
        {
            suffixChunk = Arrays.copyOf(suffixChunk, capacity);
            suffixLast = Arrays.copyOf(suffixLast, capacity);
            prefixChunk = Arrays.copyOf(prefixChunk, capacity);
            prefixRow = Arrays.copyOf(prefixRow, capacity);
        }
    }

    /**
     * An array of {@code regions} regions of {@code capacity} ints each, holding the regions of {@code from} (of
     * {@code previous} ints each) at their start.
     */
    private static int[] regrown(final int[] from, final int regions, final int previous, final int capacity)
    {
        final int[] to = new int[regions * capacity];
        for (int r = 0; r < regions; r++)
        {
            System.arraycopy(from, r * previous, to, r * capacity, previous);
        }
        return to;
    }

    /** {@link #regrown(int[], int, int, int)} for longs. */
    private static long[] regrown(final long[] from, final int regions, final int previous, final int capacity)
    {
        final long[] to = new long[regions * capacity];
        for (int r = 0; r < regions; r++)
        {
            System.arraycopy(from, r * previous, to, r * capacity, previous);
        }
        return to;
    }

    /**
     * Places the regions of {@link #slotInts}, {@link #sortInts} and {@link #orderKeys} for {@code capacity} slots each.
     *
     * @param sortedRegion which of the first two regions of {@link #sortInts} is the listed order (0 or 1), the other
     *                     being the spare one.
     */
    private void regions(final int capacity, final int sortedRegion)
    {
        slotCapacity = capacity;
        windowFirstAt = capacity;
        emptySinceAt = 2 * capacity;
        pendingAt = 3 * capacity;
        sortedAt = sortedRegion * capacity;
        spareAt = (1 - sortedRegion) * capacity;
        rankAt = 2 * capacity;
        batchAt = 3 * capacity;
        nextFreeAt = 4 * capacity;
    }

    /** The order a merge wrote becomes the listed one, and the listed one the spare. */
    private void swapSortedAndSpare()
    {
        final int previous = sortedAt;
        sortedAt = spareAt;
        spareAt = previous;
    }

    /** Whether the table has held a key outside the direct table's range since its index was last reset ({@link #index}); tests. */
    boolean indexAllocated()
    {
        return index != NO_INDEX;
    }

    private void indexPut(final long key, final int slot)
    {
        if (size >= (indexCapacity >> 1))
        {
            growIndex(indexCapacity << 1);
        }
        insert(key, (hash(key) & TAG_MASK) | (slot + 1));
        size++;
    }

    /**
     * Doubles the index's capacity, and the direct table's range with it: the direct table is copied into its longer
     * self, the indexed keys re-inserted (into the direct table, those its longer range now covers).
     */
    private void growIndex(final int capacity)
    {
        final long[] old = index;
        final int[] oldDirect = direct;
        resetIndex(capacity);
        if (oldDirect.length != 0)
        {
            direct = oldDirect.length == directLimit ? oldDirect : Arrays.copyOf(oldDirect, directLimit);
        }
        if (old != NO_INDEX)
        {
            for (final long entry : old)
            {
                if (entry != 0)
                {
                    insert(key(slotOf(entry)), entry);
                }
            }
        }
    }

    /** Inserts an entry into the direct table if the key is in its range, else into the index. */
    private void insert(final long key, final long entry)
    {
        if (Long.compareUnsigned(key, directLimit) < 0)
        {
            if (direct.length == 0)
            {
                direct = new int[directLimit]; // the first key in range: no other is held, so the new table is complete
            }
            direct[(int)key] = slotOf(entry) + 1;
            return;
        }
        if (index == NO_INDEX)
        {
            index = new long[indexCapacity]; // the first key out of the direct table's range
            indexMask = indexCapacity - 1;
        }
        int i = position(hash(key)) & indexMask;
        while (index[i] != 0)
        {
            i = (i + 1) & indexMask;
        }
        index[i] = entry;
    }

    /**
     * Remove the key's entry: in the direct table, or in the index, shifting later entries of its probe run back so no
     * tombstone is left.
     */
    private void indexRemove(final long key)
    {
        size--;
        if (Long.compareUnsigned(key, direct.length) < 0)
        {
            direct[(int)key] = 0;
            return;
        }
        final int mask = indexMask;
        int hole = position(hash(key)) & mask;
        while (key(slotOf(index[hole])) != key)
        {
            hole = (hole + 1) & mask;
        }
        index[hole] = 0;
        for (int i = (hole + 1) & mask; index[i] != 0; i = (i + 1) & mask)
        {
            final int home = position(hash(key(slotOf(index[i])))) & mask;
            // Move the entry into the hole unless its home lies cyclically in (hole, i].
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                index[hole] = index[i];
                index[i] = 0;
                hole = i;
            }
        }
    }

    /**
     * An index of the capacity, empty and not allocated until a key needs it, and no direct table until a key in its
     * range comes in: the caller re-inserts what the table holds.
     */
    private void resetIndex(final int capacity)
    {
        indexCapacity = capacity;
        index = NO_INDEX;
        indexMask = 0;
        direct = NO_DIRECT;
        directLimit = Math.min(capacity, MAX_DIRECT_KEYS);
    }

    /**
     * A power of two of at least 1.5 entries per expected key: a third full when the table holds
     * as many keys as expected, half full (where it doubles) at 4/3 of them. Larger would only
     * spread the lookups over more cache lines.
     */
    private static int indexCapacityFor(final int keys)
    {
        return Integer.highestOneBit(Math.max(16, keys) * 3 / 2 - 1) << 1;
    }

    private static long hash(final long key)
    {
        return key * 0x9E3779B97F4A7C15L;
    }

    /** Where a hash's probe starts, before the mask. */
    private static int position(final long hash)
    {
        return (int)(hash ^ (hash >>> 32));
    }

    /** The slot an index entry names; -1 for an empty entry. */
    private static int slotOf(final long entry)
    {
        return (int)entry - 1;
    }
}
