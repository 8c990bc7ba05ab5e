package io.sluice.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;

/**
 * A {@link SharedCheckpointStore} in a directory: local disk for one daemon, a shared mount (NFS,
 * a cluster file system) for several. Each Kafka partition's checkpoints live in
 * {@code <root>/<job>/partition-<k>/}, in the engine's own checkpoint format (state files with CRCs
 * and a manifest renamed into place, the directory fsynced; see {@link CheckpointStore}), so a
 * checkpoint is complete or invisible. A partition's directory is created only when a daemon writes or
 * reads that partition: an unowned partition costs nothing.
 *
 * <p>Threading: safe for calls on different partitions from different threads.
 */
public final class DirectoryCheckpointStore implements SharedCheckpointStore
{
    private final Path directory;
    private final int retained;
    private final ConcurrentMap<Integer, CheckpointStore> partitions = new ConcurrentHashMap<>();

    /**
     * Opens the store of a job.
     *
     * @param root     directory shared by the job's daemons.
     * @param job      name of the job, the same on every daemon.
     * @param retained checkpoints kept per partition, at least 3 (a take-over may restore one older
     *                 than the newest, see {@link KafkaSink#restoreCheckpointAtMost()}).
     */
    public DirectoryCheckpointStore(final Path root, final String job, final int retained)
    {
        if (retained < 3)
        {
            throw new KafkaConnectorException("shared checkpoint store " + root + ": keep at least 3 checkpoints per partition, was " + retained);
        }
        if (job == null || job.isBlank() || job.contains("/") || job.startsWith("."))
        {
            throw new KafkaConnectorException("shared checkpoint store " + root + ": job name '" + job + "' must be a plain file name");
        }
        this.directory = root.resolve(job);
        this.retained = retained;
    }

    private CheckpointStore store(final int partition)
    {
        return partitions.computeIfAbsent(partition, p -> new CheckpointStore(directory.resolve("partition-" + p), retained));
    }

    @Override
    public void put(final int partition, final CheckpointStore.LoadedCheckpoint checkpoint)
    {
        final CheckpointStore store = store(partition);
        final CheckpointManifest manifest = checkpoint.manifest();
        final List<PartitionCheckpoint> entries = new ArrayList<>(manifest.partitions().size());
        for (int i = 0; i < manifest.partitions().size(); i++)
        {
            final PartitionCheckpoint entry = manifest.partitions().get(i);
            entries.add(store.writeState(manifest.id(), entry.topic(), entry.partition(), entry.journalOffset(),
                checkpoint.states().get(i), entry.stateLength()).withSourcePositions(entry.sourcePositions()));
        }
        store.commit(new CheckpointManifest(manifest.id(), manifest.createdMs(), List.copyOf(entries)));
    }

    @Override
    public CheckpointStore.LoadedCheckpoint newest(final int partition, final long maxId, final List<String> events)
    {
        final List<String> found = new ArrayList<>();
        final CheckpointStore.LoadedCheckpoint loaded = store(partition).loadLatest(found, maxId);
        for (final String event : found)
        {
            events.add("partition " + partition + ": " + event);
        }
        return loaded;
    }

    @Override
    public List<Long> ids(final int partition)
    {
        return store(partition).manifestIds();
    }

    @Override
    public int discardNewerThan(final int partition, final long id)
    {
        final CheckpointStore store = store(partition);
        int deleted = 0;
        for (final long newer : store.manifestIds())
        {
            if (newer > id)
            {
                store.delete(newer);
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public String describe()
    {
        return directory.toString();
    }
}
