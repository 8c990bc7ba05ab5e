package io.sluice.engine.runtime;

import io.sluice.journal.RecordDescriptor;

/**
 * Layout of an EVENT journal record published by an external source with its position (see
 * {@link io.sluice.engine.checkpoint.SourcePositions}): an ordinary EVENT record whose flags carry
 * the {@link #POSITIONED_FLAG} beside the source index, and whose payload is the event, in its
 * schema's layout, followed by the source's 64-bit position.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Record header (RecordDescriptor)              |  0
 *  |   Type = EVENT (1), Flags = P | source index (15 bits) ...    |
 *  +---------------------------------------------------------------+
 *  |            Event, schema length bytes (schema layout)        ...  32
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |                     Source Position (64)                      |  32 + schema length
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *
 *  Flags: bit 15 (P, 0x8000) = the payload ends with a source position;
 *         bits 0-14 = index of the source topic within the partition's group.
 * </pre>
 * Little-endian like every journal field. Why in the record rather than in a marker record after a
 * polled batch: one record is appended atomically, so a crash part-way through a batch can never
 * leave events in the journal that the journaled position does not cover (they would be polled and
 * journaled again) nor a position ahead of its events. Readers that decode the event by its schema
 * see the same bytes as for any event; the trailer only makes the payload 8 bytes longer.
 */
public final class SourcePositionDescriptor
{
    /** Flag bit marking a record whose payload ends with a source position. */
    public static final int POSITIONED_FLAG = 0x8000;
    /** Mask of the source index within the flags. */
    public static final int SOURCE_MASK = 0x7FFF;
    /** Length of the position trailer. */
    public static final int POSITION_LENGTH = Long.BYTES;

    private SourcePositionDescriptor()
    {
    }

    /**
     * Whether a record's flags mark a positioned event.
     *
     * @param flags of the record ({@link RecordDescriptor#FLAGS_OFFSET}).
     * @return true if the payload ends with a source position.
     */
    public static boolean isPositioned(final int flags)
    {
        return (flags & POSITIONED_FLAG) != 0;
    }

    /**
     * The source index a record's flags carry.
     *
     * @param flags of the record.
     * @return the index of the source within its group.
     */
    public static int sourceIndex(final int flags)
    {
        return flags & SOURCE_MASK;
    }

    /**
     * Offset of the position within a positioned record's payload.
     *
     * @param payloadLength of the record.
     * @return the offset of the position from the start of the payload.
     */
    public static int positionOffset(final int payloadLength)
    {
        return payloadLength - POSITION_LENGTH;
    }
}
