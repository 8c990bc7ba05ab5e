package io.sluice.kafka;

/**
 * What a scale-out daemon reports about one Kafka partition it owns, for {@code ctl status} and tests.
 *
 * @param partition        the Kafka partition.
 * @param lag              records behind the end of the partition as of the last poll, -1 when unknown.
 * @param nextOffset       offset of the next record to journal.
 * @param sharedCheckpoint id of the newest checkpoint copied to the shared store, -1 before the first.
 * @param checkpoints      checkpoints completed by the partition's engine since it was taken.
 * @param failedCheckpoints checkpoints that failed.
 * @param commits          sink transactions committed since the partition was taken (all sinks).
 * @param duplicates       outputs the sinks dropped since the partition was taken, as Kafka had them already.
 * @param restored         what the daemon restored when it took the partition.
 * @param problem          the partition's current problem (failed stage, checkpoint not shared), or null.
 */
public record PartitionStatus(
    int partition,
    long lag,
    long nextOffset,
    long sharedCheckpoint,
    long checkpoints,
    long failedCheckpoints,
    long commits,
    long duplicates,
    String restored,
    String problem)
{
}
