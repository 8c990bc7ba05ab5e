package io.sluice.engine.exec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;


/**
 * The state blob of one partition: the snapshots of its pipeline instances, each tagged with a hash
 * of its pipeline's name so a checkpoint is never restored into different pipelines.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Magic 0x534C5053 "SLPS"                    |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                        Instance Count                         |  8
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            | 12
 *  +---------------------------------------------------------------+
 *  |             Pipeline Name Hash (FNV-1a 64) of instance 0      | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Snapshot Length                          | 24
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            | 28
 *  +---------------------------------------------------------------+
 *  |        Snapshot bytes (PipelineInstance.snapshotTo) ...      ... 32
 *  +---------------------------------------------------------------+
 *  |   ... then the next instance's hash, length, bytes (8-aligned)  |
 * </pre>
 */
public final class PartitionStateCodec
{
    static final int MAGIC = 0x534C5053;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 16;
    static final int INSTANCE_HEADER_LENGTH = 16;

    private PartitionStateCodec()
    {
    }

    /**
     * Upper bound of the blob's length for these instances now.
     *
     * @param instances of the partition.
     * @return the length in bytes.
     */
    public static int maxLength(final PipelineInstance[] instances)
    {
        int length = HEADER_LENGTH;
        for (final PipelineInstance instance : instances)
        {
            length += INSTANCE_HEADER_LENGTH + org.agrona.BitUtil.align(instance.snapshotLength(), 8);
        }
        return length;
    }

    /**
     * Writes the blob. Partition thread only.
     *
     * @param instances of the partition.
     * @param buffer    with at least {@link #maxLength} bytes.
     * @return the blob's length.
     */
    public static int encode(final PipelineInstance[] instances, final MutableDirectBuffer buffer)
    {
        final int length = begin(instances, buffer);
        continueEncoding(instances, Integer.MAX_VALUE);
        return length;
    }

    /**
     * Starts the blob at a checkpoint barrier: headers and small state now, the bulk of the window
     * state in {@link #continueEncoding} slices (see {@link PipelineInstance#beginSnapshot}). Partition
     * thread only; the buffer must stay untouched by others until the blob is complete.
     *
     * @param instances of the partition.
     * @param buffer    with at least {@link #maxLength} bytes.
     * @return the length the complete blob takes.
     */
    public static int begin(final PipelineInstance[] instances, final MutableDirectBuffer buffer)
    {
        buffer.putInt(0, MAGIC);
        buffer.putInt(4, VERSION);
        buffer.putInt(8, instances.length);
        buffer.putInt(12, 0);
        int at = HEADER_LENGTH;
        for (final PipelineInstance instance : instances)
        {
            final int length = instance.beginSnapshot(buffer, at + INSTANCE_HEADER_LENGTH);
            buffer.putLong(at, nameHash(instance.pipeline().name()));
            buffer.putInt(at + 8, length);
            buffer.putInt(at + 12, 0);
            final int end = at + INSTANCE_HEADER_LENGTH + length;
            at += INSTANCE_HEADER_LENGTH + org.agrona.BitUtil.align(length, 8);
            buffer.setMemory(end, at - end, (byte)0); // padding: the blob's bytes, hence its CRC, are a function of the state
        }
        return at;
    }

    /**
     * Writes the next slice of a blob {@link #begin begun} at the last barrier. Partition thread only.
     *
     * @param instances of the partition.
     * @param budget    rows of state to look at, at least 1; {@link Integer#MAX_VALUE} for the rest.
     * @return true once the blob is complete.
     */
    public static boolean continueEncoding(final PipelineInstance[] instances, final int budget)
    {
        for (final PipelineInstance instance : instances)
        {
            if (!instance.continueSnapshot(budget))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a blob fits these instances (same pipelines, same order), without changing anything.
     *
     * @param instances of the partition.
     * @param buffer    holding the blob.
     * @param length    of the blob.
     * @return null if it fits, else what does not match.
     */
    public static String mismatch(final PipelineInstance[] instances, final DirectBuffer buffer, final int length)
    {
        if (length < HEADER_LENGTH || buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION)
        {
            return "not a partition state blob";
        }
        if (buffer.getInt(8) != instances.length)
        {
            return "it holds " + buffer.getInt(8) + " pipelines, " + instances.length + " are running";
        }
        int at = HEADER_LENGTH;
        for (final PipelineInstance instance : instances)
        {
            if (at + INSTANCE_HEADER_LENGTH > length || buffer.getLong(at) != nameHash(instance.pipeline().name()))
            {
                return "pipeline '" + instance.pipeline().name() + "' is not in it at the same position";
            }
            at += INSTANCE_HEADER_LENGTH + org.agrona.BitUtil.align(buffer.getInt(at + 8), 8);
        }
        return at == length ? null : "its length " + length + " does not match its contents " + at;
    }

    /**
     * Restores every instance from a blob that {@link #mismatch} accepted.
     *
     * @param instances of the partition.
     * @param buffer    holding the blob.
     */
    public static void decode(final PipelineInstance[] instances, final DirectBuffer buffer)
    {
        int at = HEADER_LENGTH;
        for (final PipelineInstance instance : instances)
        {
            final int length = buffer.getInt(at + 8);
            instance.restoreFrom(buffer, at + INSTANCE_HEADER_LENGTH);
            at += INSTANCE_HEADER_LENGTH + org.agrona.BitUtil.align(length, 8);
        }
    }

    static long nameHash(final String name)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++)
        {
            hash ^= name.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
