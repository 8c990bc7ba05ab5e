package io.sluice.engine.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A completed checkpoint: its id, when it was taken and, per partition, the journal offset to
 * replay from and the state file with its size and CRC. Written to a temp file, forced, renamed to
 * {@code <id>.manifest} and the directory fsynced: a manifest that exists and verifies names a
 * complete checkpoint; anything else is ignored by recovery.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Magic 0x534C434B "SLCK"                    |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                        Checkpoint Id                          |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Created (epoch milliseconds)                | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Entry Count                           | 24
 *  +---------------------------------------------------------------+
 *  |                      Entries (see below) ...                  | 28
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of all preceding bytes                 |
 *  +---------------------------------------------------------------+
 *
 *  Entry:
 *  +-------------------------------+-------------------------------+
 *  |       Topic Length (16)       |    Topic (ASCII) ...          |
 *  +-------------------------------+-------------------------------+
 *  |                          Partition                            |
 *  +---------------------------------------------------------------+
 *  |                 Journal Offset (64, replay from)              |
 *  +-------------------------------+-------------------------------+
 *  |     File Name Length (16)     |    File Name (ASCII) ...      |
 *  +-------------------------------+-------------------------------+
 *  |                        File Size (64)                         |
 *  +---------------------------------------------------------------+
 *  |                         State Length                          |
 *  +---------------------------------------------------------------+
 *  |                      State CRC32C                             |
 *  +---------------------------------------------------------------+
 *  |                 Source Position Count (version 2)             |
 *  +---------------------------------------------------------------+
 *  |        Source Positions (64 each, by source index) ...        |
 *  +---------------------------------------------------------------+
 *  |                 State File CRC32C (version 3)                 |
 *  +---------------------------------------------------------------+
 *  |                 Chunk Offset Count (version 3)                |
 *  +---------------------------------------------------------------+
 *  |   Chunk Offsets (64 each: where chunk i lies in the file) ... |
 *  +---------------------------------------------------------------+
 * </pre>
 * All little-endian. Version 1 manifests (no source positions) and version 2 manifests (no state file layout) are
 * still read; their entries have none (see {@link SourcePositions}, {@link PartitionCheckpoint#chunkOffsets()}).
 *
 * @param id          of the checkpoint, increasing.
 * @param createdMs   epoch milliseconds when it completed.
 * @param partitions  one entry per partition of every source topic.
 */
public record CheckpointManifest(long id, long createdMs, List<PartitionCheckpoint> partitions)
{
    static final int MAGIC = 0x534C434B;
    static final int VERSION = 3;
    static final int VERSION_WITHOUT_LAYOUT = 2;
    static final int VERSION_WITHOUT_POSITIONS = 1;

    /**
     * The entry of a partition, or null.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @return the entry or null.
     */
    public PartitionCheckpoint find(final String topic, final int partition)
    {
        for (final PartitionCheckpoint entry : partitions)
        {
            if (entry.topic().equals(topic) && entry.partition() == partition)
            {
                return entry;
            }
        }
        return null;
    }

    byte[] encode()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(64 + partitions.size() * 600 + positionBytes()).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(VERSION).putLong(id).putLong(createdMs).putInt(partitions.size());
        for (final PartitionCheckpoint entry : partitions)
        {
            putString(buffer, entry.topic());
            buffer.putInt(entry.partition()).putLong(entry.journalOffset());
            putString(buffer, entry.fileName());
            buffer.putLong(entry.fileSize()).putInt(entry.stateLength()).putInt(entry.stateCrc());
            putLongs(buffer, entry.sourcePositions());
            buffer.putInt(entry.fileCrc());
            putLongs(buffer, entry.chunkOffsets());
        }
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int)crc.getValue());
        final byte[] bytes = new byte[buffer.position()];
        System.arraycopy(buffer.array(), 0, bytes, 0, bytes.length);
        return bytes;
    }

    /**
     * Decodes a manifest, checking magic, version, lengths and CRC.
     *
     * @param bytes of the manifest file.
     * @param name  of the file, for messages.
     * @return the manifest.
     * @throws CheckpointException naming the file and what is wrong.
     */
    static CheckpointManifest decode(final byte[] bytes, final String name)
    {
        try
        {
            if (bytes.length < 32)
            {
                throw new CheckpointException("manifest " + name + " is truncated (" + bytes.length + " bytes)");
            }
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.getInt(bytes.length - 4) != (int)crc.getValue())
            {
                throw new CheckpointException("manifest " + name + " fails its CRC32C");
            }
            final int magic = buffer.getInt();
            final int version = buffer.getInt();
            if (magic != MAGIC || version < VERSION_WITHOUT_POSITIONS || version > VERSION)
            {
                throw new CheckpointException("manifest " + name + " has a bad magic or version");
            }
            final long id = buffer.getLong();
            final long created = buffer.getLong();
            final int count = buffer.getInt();
            final List<PartitionCheckpoint> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final String topic = getString(buffer);
                final int partition = buffer.getInt();
                final long offset = buffer.getLong();
                final String file = getString(buffer);
                final PartitionCheckpoint entry = new PartitionCheckpoint(topic, partition, offset, file, buffer.getLong(), buffer.getInt(), buffer.getInt());
                if (version == VERSION_WITHOUT_POSITIONS)
                {
                    entries.add(entry);
                    continue;
                }
                final PartitionCheckpoint positioned = entry.withSourcePositions(getLongs(buffer, name, "source position"));
                entries.add(version == VERSION_WITHOUT_LAYOUT ? positioned :
                    positioned.withFileLayout(buffer.getInt(), getLongs(buffer, name, "chunk offset")));
            }
            return new CheckpointManifest(id, created, List.copyOf(entries));
        }
        catch (final java.nio.BufferUnderflowException | IndexOutOfBoundsException ex)
        {
            throw new CheckpointException("manifest " + name + " is malformed: " + ex);
        }
    }

    private int positionBytes()
    {
        int bytes = 0;
        for (final PartitionCheckpoint entry : partitions)
        {
            bytes += 3 * Integer.BYTES + (entry.sourcePositions().length + entry.chunkOffsets().length) * Long.BYTES;
        }
        return bytes;
    }

    private static void putLongs(final ByteBuffer buffer, final long[] values)
    {
        buffer.putInt(values.length);
        for (final long value : values)
        {
            buffer.putLong(value);
        }
    }

    private static long[] getLongs(final ByteBuffer buffer, final String name, final String what)
    {
        final int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / Long.BYTES)
        {
            throw new CheckpointException("manifest " + name + " has a bad " + what + " count " + count);
        }
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = buffer.getLong();
        }
        return values;
    }

    private static void putString(final ByteBuffer buffer, final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        buffer.putShort((short)bytes.length).put(bytes);
    }

    private static String getString(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.getShort() & 0xFFFF];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
