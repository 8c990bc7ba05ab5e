package io.sluice.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        try
        {
            for (int i = 0; i < manifest.partitions().size(); i++)
            {
                final PartitionCheckpoint entry = manifest.partitions().get(i);
                entries.add(store.writeState(manifest.id(), entry.topic(), entry.partition(), entry.journalOffset(),
                    checkpoint.states().get(i), entry.stateLength()).withSourcePositions(entry.sourcePositions()));
            }
        }
        finally
        {
            store.close(); // the scratch maps of the writes: a put is rare, keeping them would hold their memory
        }
        store.commit(new CheckpointManifest(manifest.id(), manifest.createdMs(), List.copyOf(entries)));
    }

    /**
     * Stores a local checkpoint by hard-linking its state files into the shared directory when both are
     * on the same file system (the engine writes each checkpoint's state into fresh files it never
     * changes again, and forced them to disk when it wrote them), then commits the same manifest: the
     * checkpoint's state is written once. Elsewhere (another file system, links refused), it is copied
     * as {@link #put} does.
     */
    @Override
    public void putCompleted(final int partition, final CheckpointStore local, final long id)
    {
        final CheckpointStore store = store(partition);
        final CheckpointManifest manifest = local.readManifest(id);
        if (!linkStates(store, local, manifest))
        {
            put(partition, local.load(id));
            return;
        }
        store.commit(manifest);
    }

    /** Links every state file of the checkpoint into the shared store; false (nothing linked kept) if it cannot. */
    private static boolean linkStates(final CheckpointStore store, final CheckpointStore local, final CheckpointManifest manifest)
    {
        final String name = String.format("%020d", manifest.id()); // the checkpoint directory's name, as CheckpointStore names it
        final Path from = local.directory().resolve(name);
        final Path to = store.directory().resolve(name);
        try
        {
            Files.createDirectories(store.directory(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (!Files.getFileStore(local.directory()).equals(Files.getFileStore(store.directory())))
            {
                return false;
            }
            if (!Files.isDirectory(to))
            {
                Files.createDirectory(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            for (final PartitionCheckpoint entry : manifest.partitions())
            {
                final Path link = to.resolve(entry.fileName());
                Files.deleteIfExists(link); // left by a crash mid-copy: a checkpoint file is always fresh
                Files.createLink(link, from.resolve(entry.fileName()));
            }
            return true;
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return false;
        }
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
