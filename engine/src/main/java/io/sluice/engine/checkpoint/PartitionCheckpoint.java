package io.sluice.engine.checkpoint;

/**
 * What a checkpoint holds for one partition of one topic.
 *
 * @param topic           source topic.
 * @param partition       number.
 * @param journalOffset   first journal offset NOT covered by the state: recovery replays from here.
 * @param fileName        of the Chronicle Map file, relative to the checkpoint's directory.
 * @param fileSize        of that file in bytes when the checkpoint completed.
 * @param stateLength     of the state blob in bytes.
 * @param stateCrc        CRC32C of the state blob.
 * @param sourcePositions per source of the partition's group (by source index), the position of the
 *                        last event from an external source journaled before the barrier, or
 *                        {@link SourcePositions#NO_POSITION}; empty when the group has no external
 *                        source (see {@link SourcePositions}). Never modify the array.
 * @param fileCrc         CRC32C of the whole state file as written; meaningful only with {@code chunkOffsets}.
 * @param chunkOffsets    where each chunk of the state blob's bytes lies in the state file (chunk {@code i}, of
 *                        {@link CheckpointStore#CHUNK_LENGTH} bytes or the rest of the blob for the last, at byte
 *                        {@code chunkOffsets[i]}), so a restart reads the blob without opening the file as a Chronicle
 *                        Map; empty when unknown (manifests before version 3), and the file is then read through
 *                        Chronicle Map. Never modify the array.
 */
public record PartitionCheckpoint(
    String topic, int partition, long journalOffset, String fileName, long fileSize, int stateLength, int stateCrc,
    long[] sourcePositions, int fileCrc, long[] chunkOffsets)
{
    private static final long[] NONE = new long[0];

    /**
     * An entry without source positions.
     *
     * @param topic         source topic.
     * @param partition     number.
     * @param journalOffset first journal offset NOT covered by the state.
     * @param fileName      of the Chronicle Map file.
     * @param fileSize      of that file in bytes.
     * @param stateLength   of the state blob in bytes.
     * @param stateCrc      CRC32C of the state blob.
     */
    public PartitionCheckpoint(
        final String topic, final int partition, final long journalOffset, final String fileName, final long fileSize,
        final int stateLength, final int stateCrc)
    {
        this(topic, partition, journalOffset, fileName, fileSize, stateLength, stateCrc, NONE, 0, NONE);
    }

    /**
     * The position of one source covered by this checkpoint.
     *
     * @param source index of the source within the partition's group.
     * @return the position of the last event of that source journaled before the barrier, or
     *         {@link SourcePositions#NO_POSITION}.
     */
    public long sourcePosition(final int source)
    {
        return source >= 0 && source < sourcePositions.length ? sourcePositions[source] : SourcePositions.NO_POSITION;
    }

    /**
     * This entry with source positions.
     *
     * @param positions per source index; not copied, never modified afterwards.
     * @return a new entry.
     */
    public PartitionCheckpoint withSourcePositions(final long[] positions)
    {
        return new PartitionCheckpoint(topic, partition, journalOffset, fileName, fileSize, stateLength, stateCrc,
            positions == null ? NONE : positions, fileCrc, chunkOffsets);
    }

    /**
     * This entry with where its state blob's chunks lie in its file.
     *
     * @param crc     CRC32C of the whole state file.
     * @param offsets of the chunks in the file, one per chunk of the blob; not copied, never modified afterwards.
     * @return a new entry.
     */
    public PartitionCheckpoint withFileLayout(final int crc, final long[] offsets)
    {
        return new PartitionCheckpoint(topic, partition, journalOffset, fileName, fileSize, stateLength, stateCrc,
            sourcePositions, crc, offsets == null ? NONE : offsets);
    }

    /**
     * Whether the manifest says where the state blob's chunks lie in the file (see {@link #chunkOffsets()}).
     *
     * @return true when the blob can be read from the file without Chronicle Map.
     */
    public boolean hasFileLayout()
    {
        return chunkOffsets.length > 0;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof PartitionCheckpoint that &&
            partition == that.partition && journalOffset == that.journalOffset && fileSize == that.fileSize &&
            stateLength == that.stateLength && stateCrc == that.stateCrc && topic.equals(that.topic) &&
            fileName.equals(that.fileName) && java.util.Arrays.equals(sourcePositions, that.sourcePositions) &&
            fileCrc == that.fileCrc && java.util.Arrays.equals(chunkOffsets, that.chunkOffsets);
    }

    @Override
    public int hashCode()
    {
        return java.util.Objects.hash(topic, partition, journalOffset, fileName) * 31 + java.util.Arrays.hashCode(sourcePositions);
    }

    @Override
    public String toString()
    {
        return "PartitionCheckpoint[" + topic + "/" + partition + " journalOffset=" + journalOffset + " file=" + fileName +
            " size=" + fileSize + " stateLength=" + stateLength + " sourcePositions=" + java.util.Arrays.toString(sourcePositions) +
            " chunkOffsets=" + chunkOffsets.length + "]";
    }
}
