package io.sluice.kafka;

import java.util.List;

import io.sluice.engine.checkpoint.CheckpointStore;

/**
 * Where the daemons of a scale-out job keep each Kafka partition's checkpoints, so that the daemon
 * that takes a partition over restores it: a directory on a shared mount
 * ({@link DirectoryCheckpointStore}), later an object store. Each Kafka partition has its own
 * sequence of checkpoints; only the daemon that owns a partition writes that partition's.
 *
 * <p>A checkpoint here is the one-partition engine checkpoint of the owning daemon (manifest entries
 * of Sluice partition 0, one per source group, with the source positions), stored complete or not
 * at all: a reader sees either a checkpoint that verifies or none.
 *
 * <p>Threading: implementations are called from the group member's polling thread (take-over) and
 * from each owned partition's checkpoint thread (publishing); calls for different partitions may run
 * at the same time.
 */
public interface SharedCheckpointStore
{
    /**
     * Stores a completed checkpoint of a partition, durably, before returning.
     *
     * @param partition  the Kafka partition the checkpoint belongs to.
     * @param checkpoint verified manifest and state blobs.
     */
    void put(int partition, CheckpointStore.LoadedCheckpoint checkpoint);

    /**
     * Stores a checkpoint the partition's engine has just completed in its local store, durably, before
     * returning. By default the checkpoint is loaded (and verified) and {@link #put}; a store that can
     * take the local files as they are (a hard link on the same file system) avoids reading and
     * writing the state again.
     *
     * @param partition the Kafka partition the checkpoint belongs to.
     * @param local     the engine's local store, holding the completed checkpoint.
     * @param id        of the checkpoint.
     */
    default void putCompleted(final int partition, final CheckpointStore local, final long id)
    {
        put(partition, local.load(id));
    }

    /**
     * The newest checkpoint of a partition with an id no greater than {@code maxId} that verifies, or
     * null. What was skipped or rejected, and why, is added to {@code events}.
     *
     * @param partition the Kafka partition.
     * @param maxId     newest id that may be restored.
     * @param events    receiving what was found.
     * @return the checkpoint, or null when there is none to restore.
     */
    CheckpointStore.LoadedCheckpoint newest(int partition, long maxId, List<String> events);

    /**
     * Ids of a partition's stored checkpoints, newest first.
     *
     * @param partition the Kafka partition.
     * @return the ids, empty when the partition has none.
     */
    List<Long> ids(int partition);

    /**
     * Deletes a partition's checkpoints newer than an id: a previous owner wrote them but no sink
     * committed outputs up to them, so they must never be restored.
     *
     * @param partition the Kafka partition.
     * @param id        newest id to keep.
     * @return how many were deleted.
     */
    int discardNewerThan(int partition, long id);

    /**
     * Says where the store is, for messages.
     *
     * @return a description such as the directory.
     */
    String describe();
}
