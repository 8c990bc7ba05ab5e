package io.sluice.ops.jmx;

/**
 * A {@code scale_out} daemon's place in its job, registered as {@code io.sluice:type=ScaleOut} (only on
 * such a daemon): the Kafka partitions it runs now, each one's lag, and the group's rebalances. The
 * figures come from the daemon's counters (type ids 3201-3214, refreshed every 250 ms on the stats
 * thread); the texts from the group member.
 */
public interface ScaleOutMXBean
{
    /**
     * The job's name, the same on every daemon of the job.
     *
     * @return the job.
     */
    String getJob();

    /**
     * The Kafka consumer group the job's daemons share.
     *
     * @return the group id.
     */
    String getGroup();

    /**
     * The Kafka topic whose partitions the group shares.
     *
     * @return the topic.
     */
    String getTopic();

    /**
     * The group member's state: CONNECTING, RUNNING, FAILED or CLOSED.
     *
     * @return the state.
     */
    String getState();

    /**
     * The Kafka partitions this daemon runs now, ascending.
     *
     * @return the partitions.
     */
    int[] getOwnedPartitions();

    /**
     * Records behind the end of each Kafka partition of the topic (index = partition): -1 for a
     * partition this daemon does not own, or whose end is not known yet.
     *
     * @return the lag per partition.
     */
    long[] getLag();

    /**
     * Rebalance callbacks (assignments, revocations, losses) this daemon has seen since start.
     *
     * @return the count.
     */
    long getRebalances();

    /**
     * When the last rebalance callback ran.
     *
     * @return epoch milliseconds, -1 before the first.
     */
    long getLastRebalanceMillis();

    /**
     * Kafka records published into the owned partitions since start.
     *
     * @return the count.
     */
    long getRecordsIn();

    /**
     * Kafka records that did not decode (sent to the dead-letter topic when one is configured).
     *
     * @return the count.
     */
    long getMalformed();

    /**
     * One line per owned partition: lag, next offset, newest shared checkpoint, checkpoints, sink
     * commits, duplicates dropped, what was restored, its problem if any.
     *
     * @return the lines, ascending by partition.
     */
    String[] getPartitionStatus();

    /**
     * Recent partition moves (taken, restored, discarded, handed over, lost), oldest first.
     *
     * @return the events, each stamped with its time.
     */
    String[] getEvents();

    /**
     * The last problem the member met (unreachable brokers, a partition it could not take, a
     * checkpoint it could not share), or an empty string.
     *
     * @return the message.
     */
    String getLastError();

    /**
     * The pipelines an operator paused on this daemon ({@link #pause}); partitions it takes later start
     * paused too.
     *
     * @return the names, sorted.
     */
    String[] getPausedPipelines();

    /**
     * Takes a checkpoint of every owned partition now and waits for each (up to 60 s), each shared to
     * the checkpoint store as a periodic one is.
     *
     * @return one line per owned partition, {@code partition <k>: checkpoint <id> complete, shared to ...},
     *         or what else happened to it (moved away meanwhile, failed); empty when none is owned.
     */
    String[] checkpointPartitions();

    /**
     * Pauses a pipeline on every owned partition and on those taken later, until {@link #resume}; the
     * daemon stays in the group (its consumer pauses the partitions).
     *
     * @param pipeline name.
     * @return one line per owned partition.
     */
    String[] pause(String pipeline);

    /**
     * Resumes a pipeline on every owned partition.
     *
     * @param pipeline name.
     * @return one line per owned partition.
     */
    String[] resume(String pipeline);

    /**
     * Re-runs a pipeline over each owned partition's local journal from an offset (that journal starts
     * at 0 when the daemon takes the partition); its outputs come again, numbered on.
     *
     * @param pipeline   name.
     * @param fromOffset local journal offset.
     * @return one line per owned partition.
     */
    String[] replay(String pipeline, long fromOffset);

    /**
     * Re-runs a pipeline over each owned partition's local journal from the first record at or after a
     * time.
     *
     * @param pipeline        name.
     * @param fromEpochMillis record timestamp to re-run from.
     * @return one line per owned partition.
     */
    String[] replayFromTime(String pipeline, long fromEpochMillis);
}
