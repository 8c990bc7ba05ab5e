package io.sluice.engine.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.KeyNames;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;

/**
 * The names of one topic's {@code SYMBOL} partition keys, per partition: events are keyed by the
 * symbol's FNV-1a hash ({@link EventFlyweight#symbolHash}), and file sinks render a window result's
 * or join row's key back to the symbol through this registry ({@link KeyNames}), so a live daemon
 * writes the same lines as a backtest of the same input.
 *
 * <p>The partition's dispatcher {@link #record records} each input event: a lookup of the key
 * (no allocation) and, the first time a key is seen, its name (one {@code String}, once per key).
 * With a directory, each new name is also appended to the partition's names file, which sinks make
 * durable at each checkpoint barrier ({@link #force}) before the checkpoint can complete; at start
 * the files are read back. Every key in a checkpoint's state was first seen before that barrier, so
 * its name is in the file; names seen after it are seen again by the replay of the journal since the
 * checkpoint. A restarted daemon therefore names every key it can emit.
 *
 * <p>Names file {@code <topic>-<partition>.keys}, little-endian, a header then one record per name:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Magic 'SKN1' (header)                    |  0
 *  +---------------------------------------------------------------+
 *  |                 Symbol Width in bytes (header)                |  4
 *  +---------------------------------------------------------------+
 *  |                     Key (FNV-1a of the symbol)                |  0 of a record
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |          Name Length          |        Name (ASCII) ...       |  8
 *  +-------------------------------+                               |
 *  ...                                                             |
 *  +---------------------------------------------------------------+
 * </pre>
 * A record is valid when its name, zero-padded to the width, hashes to its key: the key is the
 * record's checksum. Reading stops at the first incomplete or invalid record (a torn tail after a
 * crash) and truncates the file there; the lost names, if any, were first seen after the last
 * checkpoint and come back with the replay.
 *
 * <p>Threading: each partition's names are written and read by the one thread that owns the
 * partition (its dispatcher records, its sinks render and force); {@link #close()} after the engine
 * has stopped.
 */
public final class SymbolKeyNames implements KeyNames, AutoCloseable
{
    /** Magic number at the start of a names file ('SKN1'). */
    public static final int MAGIC = 0x314E4B53;
    /** Length of the file header. */
    public static final int HEADER_LENGTH = 8;
    /** Offset of the key in a record. */
    public static final int KEY_OFFSET = 0;
    /** Offset of the name length in a record. */
    public static final int LENGTH_OFFSET = 8;
    /** Offset of the name in a record. */
    public static final int NAME_OFFSET = 10;

    private static final int PENDING_CAPACITY = 64 * 1024;

    private final String topic;
    private final int keyOffset;
    private final int width;
    private final Long2ObjectHashMap<String>[] names;
    private final FileChannel[] channels;
    private final ByteBuffer[] pending;
    private final boolean[] unforced;
    private final byte[] scratch;

    /**
     * Opens the registry of a topic, reading back the names files when a directory is given.
     *
     * @param source     the topic as pipelines read it; its partition key must be a {@code SYMBOL}.
     * @param partitions of the topic.
     * @param directory  of the names files (created 0700), or null to keep names in memory only.
     * @throws IllegalArgumentException if the partition key is not a symbol.
     * @throws UncheckedIOException     if a names file cannot be read or created.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic map, filled right here
    public SymbolKeyNames(final Source source, final int partitions, final Path directory)
    {
        final Field key = source.schema().field(source.partitionKeyField());
        if (key.type() != FieldType.SYMBOL)
        {
            throw new IllegalArgumentException("partition key '" + key.name() + "' of topic " + source.topic() + " is not a SYMBOL");
        }
        this.topic = source.topic();
        this.keyOffset = key.offset();
        this.width = key.width();
        this.scratch = new byte[width];
        this.names = new Long2ObjectHashMap[partitions];
        this.channels = new FileChannel[partitions];
        this.pending = new ByteBuffer[partitions];
        this.unforced = new boolean[partitions];
        for (int p = 0; p < partitions; p++)
        {
            names[p] = new Long2ObjectHashMap<>();
        }
        if (directory != null)
        {
            try
            {
                if (!Files.isDirectory(directory))
                {
                    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
                for (int p = 0; p < partitions; p++)
                {
                    channels[p] = open(directory.resolve(topic + "-" + p + ".keys"), names[p]);
                    pending[p] = ByteBuffer.allocateDirect(PENDING_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
                }
            }
            catch (final IOException ex)
            {
                close();
                throw new UncheckedIOException("cannot open the key names of topic " + topic + " in " + directory, ex);
            }
        }
    }

    /**
     * The topic whose keys it names.
     *
     * @return the topic.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * Records the name of an input event's key if it is new: allocation-free for a known key.
     *
     * @param partition of the event (owned by the calling thread).
     * @param buffer    holding the event (the topic's schema layout).
     * @param offset    of the event in the buffer.
     * @param key       of the event, the hash of its symbol.
     */
    public void record(final int partition, final DirectBuffer buffer, final int offset, final long key)
    {
        final Long2ObjectHashMap<String> map = names[partition];
        if (!map.containsKey(key))
        {
            add(partition, map, buffer, offset + keyOffset, key);
        }
    }

    private void add(final int partition, final Long2ObjectHashMap<String> map, final DirectBuffer buffer, final int at, final long key)
    {
        int length = 0;
        while (length < width && buffer.getByte(at + length) != 0)
        {
            scratch[length] = buffer.getByte(at + length);
            length++;
        }
        final String name = new String(scratch, 0, length, StandardCharsets.US_ASCII);
        map.put(key, name);
        final ByteBuffer out = pending[partition];
        if (out != null)
        {
            if (out.remaining() < NAME_OFFSET + length)
            {
                drain(partition);
            }
            out.putLong(key).putShort((short)length).put(scratch, 0, length);
        }
    }

    @Override
    public String name(final int partition, final long key)
    {
        return names[partition].get(key);
    }

    /**
     * The number of names known in a partition.
     *
     * @param partition of the topic.
     * @return the count.
     */
    public int size(final int partition)
    {
        return names[partition].size();
    }

    /**
     * Writes a partition's new names to its file and forces them to the device; a no-op without a
     * directory or new names. Sinks call it at each checkpoint barrier, on the partition's thread.
     *
     * @param partition to force.
     * @throws UncheckedIOException if the write or force fails.
     */
    public void force(final int partition)
    {
        if (channels[partition] == null)
        {
            return;
        }
        drain(partition);
        if (unforced[partition])
        {
            try
            {
                channels[partition].force(false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot force the key names of " + topic + "/" + partition, ex);
            }
            unforced[partition] = false;
        }
    }

    private void drain(final int partition)
    {
        final ByteBuffer out = pending[partition];
        if (out.position() == 0)
        {
            return;
        }
        out.flip();
        try
        {
            while (out.hasRemaining())
            {
                channels[partition].write(out);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the key names of " + topic + "/" + partition, ex);
        }
        finally
        {
            out.clear();
        }
        unforced[partition] = true;
    }

    /**
     * Writes the names not yet written (without forcing) and closes the files.
     */
    @Override
    public void close()
    {
        for (int p = 0; p < channels.length; p++)
        {
            if (channels[p] != null)
            {
                try
                {
                    drain(p);
                }
                finally
                {
                    try
                    {
                        channels[p].close();
                    }
                    catch (final IOException ex)
                    {
                        // Closing a file we only appended to; what was written stays written.
                    }
                    channels[p] = null;
                }
            }
        }
    }

    private FileChannel open(final Path file, final Long2ObjectHashMap<String> into) throws IOException
    {
        if (!Files.exists(file))
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new IOException(file + " is larger than 2 GiB");
            }
            final ByteBuffer bytes = ByteBuffer.allocate((int)size).order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // read it all
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes.array());
            long valid;
            if (size < HEADER_LENGTH)
            {
                buffer.wrap(new byte[HEADER_LENGTH]);
                buffer.putInt(0, MAGIC);
                buffer.putInt(4, width);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(buffer.byteArray()), 0);
                channel.force(false);
                valid = HEADER_LENGTH;
            }
            else
            {
                if (buffer.getInt(0) != MAGIC)
                {
                    throw new IOException(file + " is not a key names file (bad magic)");
                }
                if (buffer.getInt(4) != width)
                {
                    throw new IOException(file + " names symbols of " + buffer.getInt(4) + " bytes, the topic's key has " + width +
                        ": the schema changed under existing state; move the data directory away to start afresh");
                }
                valid = readRecords(buffer, (int)size, into);
                if (valid < size)
                {
                    channel.truncate(valid);
                }
            }
            channel.position(valid);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private int readRecords(final UnsafeBuffer buffer, final int size, final Long2ObjectHashMap<String> into)
    {
        final UnsafeBuffer padded = new UnsafeBuffer(new byte[width]);
        int at = HEADER_LENGTH;
        while (at + NAME_OFFSET <= size)
        {
            final long key = buffer.getLong(at + KEY_OFFSET);
            final int length = buffer.getShort(at + LENGTH_OFFSET) & 0xFFFF;
            if (length > width || at + NAME_OFFSET + length > size)
            {
                break;
            }
            padded.setMemory(0, width, (byte)0);
            padded.putBytes(0, buffer, at + NAME_OFFSET, length);
            if (EventFlyweight.symbolHash(padded, 0, width) != key)
            {
                break;
            }
            into.put(key, buffer.getStringWithoutLengthAscii(at + NAME_OFFSET, length));
            at += NAME_OFFSET + length;
        }
        return at;
    }
}
