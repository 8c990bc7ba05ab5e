package io.sluice.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;

/**
 * Writes one partition's state blob as a fresh Chronicle Map file (chunk index -&gt; up to
 * {@link CheckpointStore#CHUNK_LENGTH} bytes, see {@link CheckpointStore}) without building a new map for every
 * checkpoint: the chunks are put into a scratch map that this writer keeps between checkpoints, and the scratch
 * map's file is then copied by the kernel into the new state file, which is forced.
 * <p>
 * Why: a map built for each checkpoint costs its builder's sizing, its header, the zeroing of its segments and a
 * page fault per 4 KiB of a fresh mapped file, then the unmapping; at a checkpoint every 100 ms that was most of the
 * checkpoint thread's CPU (perf/README.md, section 39). Putting the chunks into the scratch map replaces equal-sized
 * values in place (memory already mapped), and the copy (a {@code sendfile} from the page cache) writes the new file
 * with plain writes. The checkpoint is still a fresh file written once, closed and forced before a manifest names it,
 * never a live map: the scratch map is written only by this writer, under its lock, and copied when no write to it is
 * in progress, so the copy holds exactly the chunks just put. Its file is a Chronicle Map file like any other, loaded
 * by {@link CheckpointStore} as before.
 * <p>
 * The scratch file is unlinked as soon as it is mapped, so it never appears in the checkpoint directory (nor stays
 * behind after a crash) and two stores on one directory never share one.
 * <p>
 * The copy is the scratch file's whole length, so the scratch map is sized for the state it holds and no more: a
 * restart copies, verifies and reads every byte of a state file. It is made for the state's chunk count (one entry
 * spare, as a map built for one checkpoint) in one segment, and made again when the chunk count changes or the map
 * refuses a chunk. One segment because Chronicle Map spreads entries over segments by hash and sizes each segment
 * for an uneven share: above 64 chunks (16 MiB of state) its default of two segments made the file about twice the
 * state. Its layout then (one segment; 256 KiB chunks of the blob in entry order):
 * <pre>
 *   +--------+---------------------+-----------------------------------------------+
 *   | header | segment header and  | entries: key 0 -&gt; chunk 0, ..., key n-1 -&gt;   |
 *   |        | hash lookup         | chunk n-1 (the last shorter), one spare entry |
 *   +--------+---------------------+-----------------------------------------------+
 *   file length ~ state length + 256 KiB + a few KiB (1.03-1.07x the state from 4 MiB on)
 * </pre>
 * Each write also says where each chunk's bytes lie in the file and the file's CRC32C ({@link Written}), which the
 * manifest records so that a restart reads the blob without Chronicle Map ({@link StateFileReader}). A chunk's offset
 * is its value's address in the scratch map's mapping less the mapping's start ({@code VanillaChronicleHash.bsAddress},
 * Chronicle Map's implementation class: the map's one file is mapped from its first byte); a map that grew an extra
 * tier (mapped apart) gets no offsets, and the loader then reads its file through Chronicle Map.
 * <p>
 * Threading: one write at a time (synchronized); the checkpoint thread in an engine.
 */
final class StateFileWriter implements AutoCloseable
{
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private final Path directory;
    private final String mapName;
    private ChronicleMap<Long, byte[]> scratch;
    private FileChannel scratchFile;
    /** Chunks the scratch map is sized for and holds (keys 0 .. plannedChunks - 1) once a write put them. */
    private int plannedChunks;
    /** Reused for every full chunk; Chronicle Map copies a value in, so one array serves them all. */
    private byte[] fullChunk;
    /** Reused for the last chunk while its length stays the same. */
    private byte[] lastChunk = new byte[0];
    /** Reused to read the scratch file for its CRC32C. */
    private ByteBuffer crcBuffer;

    /**
     * What a write produced.
     *
     * @param size         of the file in bytes.
     * @param fileCrc      CRC32C of the whole file.
     * @param chunkOffsets where chunk {@code i}'s bytes lie in the file; empty when not known (see the class comment).
     */
    record Written(long size, int fileCrc, long[] chunkOffsets)
    {
    }

    /**
     * @param directory where the (immediately unlinked) scratch file is created.
     * @param mapName   name of the maps, as the loader expects it.
     */
    StateFileWriter(final Path directory, final String mapName)
    {
        this.directory = directory;
        this.mapName = mapName;
    }

    /**
     * Writes the state into a new file and forces it.
     *
     * @param file   to create; must not exist.
     * @param state  blob.
     * @param length of the blob.
     * @return the size, CRC32C and chunk offsets of the file written.
     * @throws IOException if a file operation fails (the file may then be partly written).
     */
    synchronized Written write(final Path file, final DirectBuffer state, final int length) throws IOException
    {
        fill(state, length);
        final long[] offsets = chunkOffsets();
        final int fileCrc = scratchCrc();
        try (FileChannel target = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE))
        {
            final long size = scratchFile.size();
            long copied = 0;
            while (copied < size)
            {
                copied += scratchFile.transferTo(copied, size - copied, target);
            }
            KillPoints.reach(KillPoints.AFTER_STATE_WRITE);
            target.force(true);
            KillPoints.reach(KillPoints.AFTER_STATE_FORCE);
            return new Written(size, fileCrc, offsets);
        }
    }

    /** Where each chunk's value lies in the scratch file, or none when the map has tiers mapped apart. */
    private long[] chunkOffsets()
    {
        final VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>)scratch;
        if (hash.hasExtraTierBulks())
        {
            return new long[0];
        }
        final long[] offsets = new long[plannedChunks];
        for (int i = 0; i < plannedChunks; i++)
        {
            try (ExternalMapQueryContext<Long, byte[], ?> context = scratch.queryContext((long)i))
            {
                context.readLock().lock();
                final Data<byte[]> value = context.entry().value();
                offsets[i] = value.bytes().addressForRead(value.offset()) - hash.bsAddress();
            }
        }
        return offsets;
    }

    private int scratchCrc() throws IOException
    {
        if (crcBuffer == null)
        {
            crcBuffer = ByteBuffer.allocateDirect(CheckpointStore.CHUNK_LENGTH);
        }
        final CRC32C crc = new CRC32C();
        final long size = scratchFile.size();
        for (long position = 0; position < size; )
        {
            crcBuffer.clear();
            final int read = scratchFile.read(crcBuffer, position);
            if (read < 0)
            {
                throw new IOException("scratch state file ended at byte " + position + " of " + size);
            }
            crcBuffer.flip();
            crc.update(crcBuffer);
            position += read;
        }
        return (int)crc.getValue();
    }

    private void fill(final DirectBuffer state, final int length) throws IOException
    {
        final int needed = CheckpointStore.chunkCount(length);
        if (scratch == null || needed != plannedChunks)
        {
            recreate(length);
        }
        try
        {
            put(state, length, needed);
        }
        catch (final RuntimeException ex)
        {
            // The scratch map had no room for a chunk of a new length (fragmented): a new one sized for this state.
            recreate(length);
            put(state, length, needed);
        }
    }

    private void put(final DirectBuffer state, final int length, final int needed)
    {
        for (int i = 0; i < needed; i++)
        {
            final int from = i * CheckpointStore.CHUNK_LENGTH;
            final int chunkLength = Math.min(CheckpointStore.CHUNK_LENGTH, length - from);
            final byte[] chunk;
            if (chunkLength == CheckpointStore.CHUNK_LENGTH)
            {
                chunk = fullChunk == null ? fullChunk = new byte[CheckpointStore.CHUNK_LENGTH] : fullChunk;
            }
            else
            {
                chunk = lastChunk.length == chunkLength ? lastChunk : (lastChunk = new byte[chunkLength]);
            }
            state.getBytes(from, chunk);
            scratch.put((long)i, chunk);
        }
    }

    private void recreate(final int length) throws IOException
    {
        close();
        plannedChunks = CheckpointStore.chunkCount(length);
        final Path file = Files.createTempFile(directory, "staging-", ".cm", FILE_MODE);
        try
        {
            Files.delete(file); // Chronicle Map creates its file new
            scratch = CheckpointStore.stateMap(mapName, plannedChunks, length)
                .actualSegments(1)
                .putReturnsNull(true)
                .createPersistedTo(file.toFile());
            scratchFile = FileChannel.open(file, StandardOpenOption.READ);
        }
        finally
        {
            Files.deleteIfExists(file); // mapped and open: the scratch lives on without a name
        }
    }

    /**
     * Releases the scratch map (its memory and file); a later {@link #write} makes a new one.
     */
    @Override
    public synchronized void close()
    {
        try
        {
            if (scratch != null)
            {
                scratch.close();
            }
            if (scratchFile != null)
            {
                scratchFile.close();
            }
        }
        catch (final IOException ignore)
        {
            // a read-only channel of an unlinked file: nothing to lose
        }
        finally
        {
            scratch = null;
            scratchFile = null;
        }
    }
}
