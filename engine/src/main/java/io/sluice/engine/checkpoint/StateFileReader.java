package io.sluice.engine.checkpoint;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * Reads one partition's state blob out of its checkpoint state file (a Chronicle Map of chunk index -&gt; chunk, see
 * {@link StateFileWriter}), one of two ways:
 * <ul>
 *   <li>{@link #readByLayout}: the manifest says where each chunk's bytes lie in the file and the file's CRC32C
 *   ({@link PartitionCheckpoint#chunkOffsets()}, written by {@link StateFileWriter}): the file is mapped read-only, its
 *   CRC checked, the chunks copied out. No Chronicle Map is opened: in a fresh JVM its first use costs 1.5-2.2 s of CPU
 *   (class loading, a runtime compile) and ~3 s of a restart's wall time on 2 cores (perf/README.md, sections 65, 69).</li>
 *   <li>{@link #readThroughMap}: the file opened as a Chronicle Map (a private copy, through Chronicle's recovery),
 *   for manifests without the layout (before version 3) and as the fallback when the layout's bytes fail the state's
 *   CRC in a file that passes its own.</li>
 * </ul>
 * Either way the caller checks the blob against the manifest's state CRC32C.
 *
 * <p>Threading: stateless; one call per state file, on the loading threads.
 */
final class StateFileReader
{
    /**
     * How Chronicle Map's recovery reports a segment tier whose "lowest possibly free chunk" is not the lowest free
     * one. That field is a search hint, not data: a scratch map whose chunks were replaced by longer ones (a state
     * growing between checkpoints, {@link StateFileWriter}) keeps it below the lowest free chunk, and every such
     * checkpoint was rejected as damaged at load. The values are checked by the manifest's CRC.
     */
    private static final String FREE_CHUNK_HINT = "wrong lowest free chunk";

    private StateFileReader()
    {
    }

    /**
     * Copies the blob's chunks from where the manifest says they lie, after checking the whole file against the
     * manifest's CRC32C of it.
     *
     * @param file  the state file, of the manifest's size.
     * @param entry its manifest entry, with {@link PartitionCheckpoint#hasFileLayout()}.
     * @param state receiving the blob, at least {@code entry.stateLength()} bytes.
     * @throws IOException         if the file cannot be read.
     * @throws CheckpointException if the file fails its CRC or an offset lies outside it, naming the file.
     */
    static void readByLayout(final Path file, final PartitionCheckpoint entry, final UnsafeBuffer state) throws IOException
    {
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        try
        {
            final CRC32C crc = new CRC32C();
            crc.update(mapped.duplicate());
            if ((int)crc.getValue() != entry.fileCrc())
            {
                throw new CheckpointException("state file " + file + " is damaged: it fails the manifest's CRC32C of the file");
            }
            final long[] offsets = entry.chunkOffsets();
            final int length = entry.stateLength();
            if (offsets.length != CheckpointStore.chunkCount(length))
            {
                throw new CheckpointException("state file " + file + ": the manifest places " + offsets.length + " chunks, the state has " +
                    CheckpointStore.chunkCount(length));
            }
            final byte[] array = state.byteArray();
            for (int i = 0; i < offsets.length; i++)
            {
                final int from = i * CheckpointStore.CHUNK_LENGTH;
                final int chunkLength = Math.min(CheckpointStore.CHUNK_LENGTH, length - from);
                if (offsets[i] < 0 || offsets[i] > mapped.capacity() - (long)chunkLength)
                {
                    throw new CheckpointException("state file " + file + ": chunk " + i + " at byte " + offsets[i] + " lies outside the file (" +
                        mapped.capacity() + " bytes)");
                }
                mapped.get((int)offsets[i], array, from, chunkLength);
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Reads the blob by opening a private copy of the file as a Chronicle Map (Chronicle Map may touch its header when
     * opening a file: the checkpoint stays as written).
     *
     * @param directory where the copy is made (and removed).
     * @param file      the state file.
     * @param entry     its manifest entry.
     * @param mapName   the map's name, as the writer gave it.
     * @param state     receiving the blob, at least {@code entry.stateLength()} bytes.
     * @throws IOException         if the file cannot be read or copied.
     * @throws CheckpointException if Chronicle's recovery finds it damaged or a chunk is missing, naming the file.
     */
    static void readThroughMap(
        final Path directory, final Path file, final PartitionCheckpoint entry, final String mapName, final UnsafeBuffer state)
        throws IOException
    {
        final int length = entry.stateLength();
        final int chunks = CheckpointStore.chunkCount(length);
        final File copy = Files.createTempFile(directory, "verify-", ".cm").toFile();
        Files.copy(file, copy.toPath(), StandardCopyOption.REPLACE_EXISTING);
        // Opened by Chronicle's recovery, which resets the segment locks of the (private) copy: damaged
        // bytes that look like a held lock would otherwise make a read wait forever. What it finds
        // damaged rejects the file; what it does not is caught by the manifest's CRC.
        final List<String> corruptions = new ArrayList<>();
        try (ChronicleMap<Long, byte[]> map = CheckpointStore.stateMap(mapName, chunks, length)
            .recoverPersistedTo(copy, true, corruption ->
            {
                if (!corruption.message().startsWith(FREE_CHUNK_HINT))
                {
                    corruptions.add(corruption.message());
                }
            }))
        {
            if (!corruptions.isEmpty())
            {
                throw new CheckpointException("state file " + file + " is damaged: " + corruptions.get(0) +
                    (corruptions.size() > 1 ? " (and " + (corruptions.size() - 1) + " more)" : ""));
            }
            // One chunk array reused for every full chunk (Chronicle Map reads into it when its length fits).
            byte[] chunk = new byte[Math.min(CheckpointStore.CHUNK_LENGTH, length)];
            for (int i = 0; i < chunks; i++)
            {
                chunk = map.getUsing((long)i, chunk);
                final int expected = Math.min(CheckpointStore.CHUNK_LENGTH, length - i * CheckpointStore.CHUNK_LENGTH);
                if (chunk == null || chunk.length != expected)
                {
                    throw new CheckpointException("state file " + file + " lacks chunk " + i + " of " + chunks);
                }
                state.putBytes(i * CheckpointStore.CHUNK_LENGTH, chunk);
            }
        }
        finally
        {
            Files.deleteIfExists(copy.toPath());
        }
    }
}
