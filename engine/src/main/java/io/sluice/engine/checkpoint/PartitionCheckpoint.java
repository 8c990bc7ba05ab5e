package io.sluice.engine.checkpoint;

/**
 * What a checkpoint holds for one partition of one topic.
 *
 * @param topic         source topic.
 * @param partition     number.
 * @param journalOffset first journal offset NOT covered by the state: recovery replays from here.
 * @param fileName      of the Chronicle Map file, relative to the checkpoint's directory.
 * @param fileSize      of that file in bytes when the checkpoint completed.
 * @param stateLength   of the state blob in bytes.
 * @param stateCrc      CRC32C of the state blob.
 */
public record PartitionCheckpoint(
    String topic, int partition, long journalOffset, String fileName, long fileSize, int stateLength, int stateCrc)
{
}
