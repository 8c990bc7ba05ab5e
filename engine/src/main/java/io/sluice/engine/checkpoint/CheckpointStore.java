package io.sluice.engine.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.journal.BoundedParallelWork;
import io.sluice.journal.JournalFiles;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * Checkpoints on disk: one directory per checkpoint holding a FRESH Chronicle Map file per
 * partition, and a manifest per completed checkpoint beside them.
 * <pre>
 *   checkpoints/00000000000000000007/           state files of checkpoint 7
 *   checkpoints/00000000000000000007/trades-0.cm  Chronicle Map: chunk index -&gt; state bytes
 *   checkpoints/00000000000000000007.manifest   present and verifying = checkpoint 7 is complete
 * </pre>
 * A state file is a Chronicle Map from chunk index (0, 1, ...) to up to {@link #CHUNK_LENGTH}
 * bytes of the partition's state blob; the blob's length and CRC32C are in the manifest, with the file's own CRC32C
 * and where each chunk's bytes lie in it, so that a restart reads the blob without opening a Chronicle Map
 * ({@link StateFileReader}: Chronicle Map's first use in a process costs seconds on 2 cores). Each file
 * is created new for its checkpoint, written once and forced before the manifest names it, so a
 * live, mutating map is never the checkpoint. The file is written as a copy of a scratch map the
 * store keeps per partition between checkpoints ({@link StateFileWriter}), which saves building a map
 * and faulting in a fresh mapped file every time; {@link #close()} releases the scratch maps.
 *
 * <p>Threading: writing from the checkpoint thread; loading at start-up before any other thread.
 */
public final class CheckpointStore implements AutoCloseable
{
    /** Bytes of state per Chronicle Map entry. */
    public static final int CHUNK_LENGTH = 256 * 1024;
    private static final String MANIFEST_SUFFIX = ".manifest";

    private final Path directory;
    private final int retained;
    private final CheckpointFaults faults;
    /** Per state file name (topic-partition), the writer that keeps its scratch map between checkpoints. */
    private final java.util.concurrent.ConcurrentMap<String, StateFileWriter> writers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Opens (creating) the checkpoint directory.
     *
     * @param directory of checkpoints.
     * @param retained  number of complete checkpoints to keep, at least 1.
     */
    public CheckpointStore(final Path directory, final int retained)
    {
        this(directory, retained, CheckpointFaults.NONE);
    }

    /**
     * Opens (creating) the checkpoint directory, with faults injected into its file operations.
     *
     * @param directory of checkpoints.
     * @param retained  number of complete checkpoints to keep, at least 1.
     * @param faults    called before each file operation; {@link CheckpointFaults#NONE} outside tests.
     */
    public CheckpointStore(final Path directory, final int retained, final CheckpointFaults faults)
    {
        this.faults = faults;
        if (retained < 1)
        {
            throw new CheckpointException("checkpoints to retain must be at least 1, was " + retained);
        }
        this.directory = JournalFiles.ensureSecureDirectory(directory);
        this.retained = retained;
        removeTemporaryFiles();
    }

    /**
     * The checkpoint directory.
     *
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Releases the scratch maps the state writes keep between checkpoints (see {@link StateFileWriter}): their
     * memory and their unlinked files. The store stays usable; a later {@link #writeState} makes a new one.
     */
    @Override
    public void close()
    {
        writers.values().forEach(StateFileWriter::close);
        writers.clear();
    }

    /**
     * Writes one partition's state into a fresh Chronicle Map file of the checkpoint (a copy of the
     * partition's scratch map, see {@link StateFileWriter}) and forces it to disk.
     *
     * @param id            of the checkpoint.
     * @param topic         of the partition.
     * @param partition     number.
     * @param journalOffset to replay from after loading this state.
     * @param state         blob.
     * @param length        of the blob.
     * @return the manifest entry for the partition.
     */
    public PartitionCheckpoint writeState(
        final long id, final String topic, final int partition, final long journalOffset, final DirectBuffer state, final int length)
    {
        final Path dir = JournalFiles.ensureSecureDirectory(directory.resolve(name(id)));
        final String fileName = topic + "-" + partition + ".cm";
        final Path file = dir.resolve(fileName);
        try
        {
            Files.deleteIfExists(file); // a crash mid-checkpoint left it: a checkpoint file is always fresh
            faults.before(CheckpointFaults.Step.STATE_WRITE, file);
            final StateFileWriter.Written written = writers
                .computeIfAbsent(fileName, f -> new StateFileWriter(directory, stateMapName(topic, partition)))
                .write(file, state, length);
            return new PartitionCheckpoint(topic, partition, journalOffset, fileName, written.size(), length, crc(state, length))
                .withFileLayout(written.fileCrc(), written.chunkOffsets());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new CheckpointException("cannot write state of " + topic + "/" + partition + " for checkpoint " + id + " to " + file, ex);
        }
    }

    /**
     * Completes a checkpoint: forces its directory, writes the manifest atomically, then deletes
     * checkpoints beyond the retained number (only ever after the new one is complete).
     *
     * @param manifest of the checkpoint.
     */
    public void commit(final CheckpointManifest manifest)
    {
        JournalFiles.fsyncDirectory(directory.resolve(name(manifest.id())));
        final Path target = directory.resolve(name(manifest.id()) + MANIFEST_SUFFIX);
        final Path tmp = directory.resolve(name(manifest.id()) + MANIFEST_SUFFIX + ".tmp");
        try
        {
            Files.deleteIfExists(tmp);
            faults.before(CheckpointFaults.Step.MANIFEST_WRITE, tmp);
            try (FileChannel channel = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
            {
                final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(manifest.encode());
                while (bytes.hasRemaining())
                {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            KillPoints.reach(KillPoints.AFTER_MANIFEST_WRITE);
            faults.before(CheckpointFaults.Step.MANIFEST_RENAME, target);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            KillPoints.reach(KillPoints.AFTER_RENAME);
            JournalFiles.fsyncDirectory(directory);
            KillPoints.reach(KillPoints.AFTER_DIRECTORY_FSYNC);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot write manifest " + target + ": " + ex.getMessage(), ex);
        }
        prune();
    }

    /**
     * Ids of complete-looking checkpoints (manifest present), newest first.
     *
     * @return manifest ids.
     */
    public List<Long> manifestIds()
    {
        final List<Long> ids = new ArrayList<>();
        try (Stream<Path> list = Files.list(directory))
        {
            list.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(MANIFEST_SUFFIX) && n.length() == 20 + MANIFEST_SUFFIX.length())
                .forEach(n -> ids.add(Long.parseLong(n.substring(0, 20))));
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new CheckpointException("cannot list checkpoints in " + directory + ": " + ex, ex);
        }
        ids.sort(Comparator.reverseOrder());
        return ids;
    }

    /**
     * Deletes one checkpoint, its manifest first (a checkpoint without one is never loaded, even if
     * deletion stops half way). A scale-out daemon discards this way the checkpoints a partition's
     * previous owner wrote beyond what its sinks committed.
     *
     * @param id of the checkpoint.
     */
    public void delete(final long id)
    {
        JournalFiles.deleteQuietly(directory.resolve(name(id) + MANIFEST_SUFFIX));
        deleteDirectory(directory.resolve(name(id)));
        JournalFiles.fsyncDirectory(directory);
    }

    /**
     * The newest checkpoint whose manifest and every state file verify, with its state loaded, or
     * null when there is none. Each rejected checkpoint is described in {@code events}.
     *
     * @param events receiving what recovery found and did.
     * @return the loaded checkpoint or null.
     */
    public LoadedCheckpoint loadLatest(final List<String> events)
    {
        return loadLatest(events, Long.MAX_VALUE);
    }

    /**
     * The newest checkpoint with an id no greater than {@code maxId} whose manifest and every state file
     * verify, with its state loaded, or null. Newer checkpoints are skipped and said so in {@code events}.
     *
     * @param events receiving what recovery found and did.
     * @param maxId  newest id that may be loaded.
     * @return the loaded checkpoint or null.
     */
    public LoadedCheckpoint loadLatest(final List<String> events, final long maxId)
    {
        for (final long id : manifestIds())
        {
            if (id > maxId)
            {
                events.add("checkpoint " + id + " skipped: recovery is limited to checkpoints up to " + maxId +
                    " (a sink's committed outputs cover no newer one)");
                continue;
            }
            try
            {
                final LoadedCheckpoint loaded = load(id);
                events.add("loaded checkpoint " + id + " (" + loaded.manifest().partitions().size() + " partitions, " +
                    loaded.readThroughMap() + " read through Chronicle Map)");
                return loaded;
            }
            catch (final CheckpointException ex)
            {
                events.add("checkpoint " + id + " rejected, falling back to an older one: " + ex.getMessage());
            }
        }
        events.add("no usable checkpoint: replaying the journal from the start");
        return null;
    }

    /**
     * Loads and verifies one checkpoint. The partitions' state files are independent, so they are read on up to one
     * thread per core (a restart waits for the whole checkpoint before it restores any partition: with N partitions
     * the load would otherwise be N files read one after the other on one core).
     *
     * @param id of the checkpoint.
     * @return its manifest and state blobs, in the manifest's partition order.
     * @throws CheckpointException naming the file and the problem (the first partition's, in manifest order, when
     *                             several fail).
     */
    public LoadedCheckpoint load(final long id)
    {
        final CheckpointManifest manifest = readManifest(id);
        final List<PartitionCheckpoint> entries = manifest.partitions();
        final StateRead[] reads = new StateRead[entries.size()];
        final Throwable[] failures = new Throwable[entries.size()];
        BoundedParallelWork.run(reads.length, "sluice-checkpoint-load-", i ->
        {
            try
            {
                reads[i] = readState(id, entries.get(i));
            }
            catch (final RuntimeException | Error ex)
            {
                failures[i] = ex;
            }
        });
        // The run's joins order every helper's writes to the arrays before the reads below (Thread.join happens-before).
        for (final Throwable failure : failures)
        {
            if (failure instanceof Error)
            {
                throw (Error)failure;
            }
            if (failure != null)
            {
                throw (RuntimeException)failure;
            }
        }
        final List<UnsafeBuffer> states = new ArrayList<>(reads.length);
        int throughMap = 0;
        for (final StateRead read : reads)
        {
            states.add(read.state());
            throughMap += read.throughMap() ? 1 : 0;
        }
        return new LoadedCheckpoint(manifest, List.copyOf(states), throughMap);
    }

    /**
     * Reads and checks one manifest, without loading its state.
     *
     * @param id of the checkpoint.
     * @return the manifest.
     * @throws CheckpointException naming the file and the problem.
     */
    public CheckpointManifest readManifest(final long id)
    {
        final Path manifestFile = directory.resolve(name(id) + MANIFEST_SUFFIX);
        try
        {
            return CheckpointManifest.decode(Files.readAllBytes(manifestFile), manifestFile.toString());
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot read " + manifestFile + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The lowest journal offset of a partition that some retained checkpoint may replay from; the
     * journal must keep everything from there. 0 when no checkpoint covers the partition.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @return the offset to keep from.
     */
    public long retainFrom(final String topic, final int partition)
    {
        final List<Long> ids = manifestIds();
        if (ids.isEmpty())
        {
            return 0;
        }
        long keepFrom = Long.MAX_VALUE;
        for (final long id : ids)
        {
            try
            {
                final PartitionCheckpoint entry = readManifest(id).find(topic, partition);
                keepFrom = Math.min(keepFrom, entry == null ? 0 : entry.journalOffset());
            }
            catch (final CheckpointException ex)
            {
                return 0; // an unreadable manifest: keep everything rather than guess
            }
        }
        return keepFrom;
    }

    /**
     * Reads and verifies one partition's state: by the manifest's file layout when it has one (no Chronicle Map, see
     * {@link StateFileReader}), else, or when the layout's bytes fail the state's CRC in a file that passes its own,
     * through Chronicle Map.
     *
     * @return the state, and whether it was read through Chronicle Map.
     */
    private StateRead readState(final long id, final PartitionCheckpoint entry)
    {
        final Path file = directory.resolve(name(id)).resolve(entry.fileName());
        try
        {
            if (!Files.exists(file))
            {
                throw new CheckpointException("state file " + file + " is missing");
            }
            if (Files.size(file) != entry.fileSize())
            {
                throw new CheckpointException("state file " + file + " is " + Files.size(file) + " bytes, manifest says " + entry.fileSize());
            }
            final int length = entry.stateLength();
            // On the heap: a direct buffer of the state's size costs a page fault per 4 KiB page on first touch (~50 ms at
            // 17 MB on this project's VMs), the heap's pages are the JVM's own (pre-touched where -XX:+AlwaysPreTouch).
            final UnsafeBuffer state = new UnsafeBuffer(new byte[Math.max(16, length)]);
            if (entry.hasFileLayout())
            {
                StateFileReader.readByLayout(file, entry, state);
                if (crc(state, length) == entry.stateCrc())
                {
                    return new StateRead(state, false);
                }
                // The file is as written (its CRC passed) but the layout does not hold the state: read it as a map.
            }
            StateFileReader.readThroughMap(directory, file, entry, stateMapName(entry.topic(), entry.partition()), state);
            if (crc(state, length) != entry.stateCrc())
            {
                throw new CheckpointException("state in " + file + " fails its CRC32C");
            }
            return new StateRead(state, true);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (ex instanceof CheckpointException)
            {
                throw (CheckpointException)ex;
            }
            throw new CheckpointException("cannot read state file " + file + ": " + ex, ex);
        }
    }

    /** One partition's verified state, and whether it was read through Chronicle Map. */
    private record StateRead(UnsafeBuffer state, boolean throughMap)
    {
    }

    private void prune()
    {
        final List<Long> ids = manifestIds();
        for (int i = retained; i < ids.size(); i++)
        {
            final long id = ids.get(i);
            // The manifest goes first: a checkpoint without one is ignored even if deletion stops half way.
            JournalFiles.deleteQuietly(directory.resolve(name(id) + MANIFEST_SUFFIX));
            deleteDirectory(directory.resolve(name(id)));
        }
        JournalFiles.fsyncDirectory(directory);
    }

    private void removeTemporaryFiles()
    {
        try (Stream<Path> list = Files.list(directory))
        {
            list.filter(p -> isTemporary(p.getFileName().toString()))
                .forEach(JournalFiles::deleteQuietly);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot list " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean isTemporary(final String name)
    {
        // verify-: a copy being loaded; staging-: a scratch map's file in the instant before it is unlinked.
        return name.startsWith("verify-") || name.startsWith("staging-") || name.endsWith(".tmp");
    }

    private static void deleteDirectory(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try (Stream<Path> list = Files.list(dir))
        {
            list.forEach(JournalFiles::deleteQuietly);
        }
        catch (final IOException ignore)
        {
            // best effort: an orphan directory without a manifest is never loaded
        }
        JournalFiles.deleteQuietly(dir);
    }

    /**
     * The builder of a state file's map holding {@code chunks} chunks of a {@code length}-byte blob: one entry spare,
     * values the chunk's length (the blob's when shorter). The loader opens a state file with it; the writer adds its
     * own layout (see {@link StateFileWriter}), which the file's header records.
     */
    static ChronicleMapBuilder<Long, byte[]> stateMap(final String name, final int chunks, final int length)
    {
        return ChronicleMap.of(Long.class, byte[].class)
            .name(name)
            .entries(chunks + 1)
            .averageValueSize(Math.max(16, Math.min(CHUNK_LENGTH, length)));
    }

    static int chunkCount(final int length)
    {
        return Math.max(1, (length + CHUNK_LENGTH - 1) / CHUNK_LENGTH);
    }

    private static String stateMapName(final String topic, final int partition)
    {
        return "sluice-state-" + topic + "-" + partition;
    }

    static String name(final long id)
    {
        return String.format("%020d", id);
    }

    static int crc(final DirectBuffer buffer, final int length)
    {
        final CRC32C crc = new CRC32C();
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, (int)(buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET), length);
            return (int)crc.getValue();
        }
        final java.nio.ByteBuffer direct = buffer.byteBuffer();
        if (direct != null && direct.isDirect() && buffer.wrapAdjustment() == 0)
        {
            // The intrinsic over the buffer's own memory, no copy through a heap array.
            crc.update(direct.duplicate().clear().limit(length));
            return (int)crc.getValue();
        }
        final byte[] chunk = new byte[8192];
        for (int from = 0; from < length; from += chunk.length)
        {
            final int n = Math.min(chunk.length, length - from);
            buffer.getBytes(from, chunk, 0, n);
            crc.update(chunk, 0, n);
        }
        return (int)crc.getValue();
    }

    /**
     * A verified checkpoint: its manifest and one state blob per manifest entry, in the same order.
     *
     * @param manifest      of the checkpoint.
     * @param states        state blobs, aligned with {@code manifest.partitions()}.
     * @param readThroughMap how many of the state files were read through Chronicle Map rather than by the manifest's
     *                      file layout (see {@link StateFileReader}).
     */
    public record LoadedCheckpoint(CheckpointManifest manifest, List<UnsafeBuffer> states, int readThroughMap)
    {
        /**
         * The state blob of a partition, or null.
         *
         * @param topic     of the partition.
         * @param partition number.
         * @return the state or null.
         */
        public UnsafeBuffer state(final String topic, final int partition)
        {
            for (int i = 0; i < manifest.partitions().size(); i++)
            {
                final PartitionCheckpoint entry = manifest.partitions().get(i);
                if (entry.topic().equals(topic) && entry.partition() == partition)
                {
                    return states.get(i);
                }
            }
            return null;
        }
    }
}
