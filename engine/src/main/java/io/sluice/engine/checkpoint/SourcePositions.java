package io.sluice.engine.checkpoint;

/**
 * The engine hook for external sources (Kafka, a database's change stream): where each source stood
 * when its events were journaled, kept consistent with the journal and with every checkpoint.
 *
 * <h2>What a source gets</h2>
 * <ol>
 *   <li><b>A position journaled with each event.</b> An external source publishes through
 *   {@code Engine.externalSource(topic)} giving, with each event, the target partition and its own
 *   position as a long (a Kafka offset, a log sequence number). The engine journals the position in
 *   the same record as the event (layout: {@code io.sluice.engine.runtime.SourcePositionDescriptor}),
 *   so the journal can never hold an event without its position or the other way round: a crash
 *   between two records of a polled batch loses nothing and duplicates nothing.</li>
 *   <li><b>The last journaled position on restart.</b> Recovery restores each partition's positions
 *   from the checkpoint ({@link PartitionCheckpoint#sourcePositions()}) and advances them over every
 *   record it replays from the journal. {@code ExternalSourcePublisher.position(partition)} then
 *   tells the source the position of the last event of that partition in the journal, and the
 *   source resumes at the next one (for Kafka, {@code position + 1}).</li>
 *   <li><b>A checkpoint-completed notification.</b> {@link CheckpointListener}s registered with
 *   {@code Engine.addCheckpointListener} are told each completed checkpoint, whose manifest holds, per
 *   partition, the source positions it covers (the last position journaled before the partition's
 *   barrier). A transactional sink commits the outputs it produced before that barrier (it learnt the
 *   checkpoint id in {@code EventSink.onCheckpoint(partition, checkpointId)}); a source may
 *   acknowledge upstream everything up to the covered positions (commit Kafka offsets, confirm a
 *   replication slot's flushed LSN), since recovery never needs those events from upstream again.</li>
 * </ol>
 *
 * <h2>Positions are per partition and source</h2>
 * A position is scoped to (group partition, source index within the group). It must increase with
 * each event the source publishes to that partition. A source that feeds several partitions from one
 * upstream stream (one replication slot split by key) resumes from the smallest of its partitions'
 * positions and drops, per partition, the events at or below that partition's position.
 */
public final class SourcePositions
{
    /** No event of the source has been journaled on the partition (or was covered by the checkpoint). */
    public static final long NO_POSITION = -1;

    private SourcePositions()
    {
    }
}
