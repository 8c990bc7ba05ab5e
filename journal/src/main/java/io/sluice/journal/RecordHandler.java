package io.sluice.journal;

/**
 * Receives records from a {@link PartitionReader}. The view is only valid during the call.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * Called for each record read.
     *
     * @param record a flyweight over the record's bytes in the mapped segment.
     */
    void onRecord(RecordView record);
}
