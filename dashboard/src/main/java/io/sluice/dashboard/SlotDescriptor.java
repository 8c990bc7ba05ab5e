package io.sluice.dashboard;

/**
 * The layout of one slot of a {@link LatestTable} or {@link RecentRing}: a seqlock version, the
 * output's key, time, sequence and position, and a copy of its bytes, written by one partition
 * thread and read by the dashboard's thread without locks.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Version (64 bits; odd while written)             |  0
 *  +---------------------------------------------------------------+
 *  |                       Key (64 bits)                           |  8
 *  +---------------------------------------------------------------+
 *  |              Timestamp, event time (64 bits)                  | 16
 *  +---------------------------------------------------------------+
 *  |          Output sequence of its partition (64 bits)           | 24
 *  +---------------------------------------------------------------+
 *  |                      Row length in bytes                      | 32
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            | 36
 *  +---------------------------------------------------------------+
 *  |     Position in the ring (64 bits; the table writes 0)        | 40
 *  +---------------------------------------------------------------+
 *  |               Row bytes (the output event) ...               | 48
 *  +---------------------------------------------------------------+
 * </pre>
 * A slot is padded to a multiple of 64 bytes so that two slots never share a cache line: the
 * partition thread writing one never invalidates the line the dashboard is reading from the next.
 *
 * <p>Seqlock protocol: the writer stores version + 1 (odd), fences store-store, writes the fields,
 * then stores version + 2 with release semantics. The reader loads the version with acquire
 * semantics, skips an odd one, copies the fields, fences load-load and re-reads the version: a
 * changed version means the copy may be torn and is thrown away. The writer never waits.
 */
final class SlotDescriptor
{
    static final int VERSION_OFFSET = 0;
    static final int KEY_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int SEQUENCE_OFFSET = 24;
    static final int LENGTH_OFFSET = 32;
    static final int POSITION_OFFSET = 40;
    static final int ROW_OFFSET = 48;
    static final int ALIGNMENT = 64;

    private SlotDescriptor()
    {
    }

    /**
     * The length of a slot holding rows of up to {@code rowCapacity} bytes.
     *
     * @param rowCapacity largest row kept (longer rows are cut).
     * @return the slot length, a multiple of {@value #ALIGNMENT}.
     */
    static int slotLength(final int rowCapacity)
    {
        return (ROW_OFFSET + rowCapacity + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
