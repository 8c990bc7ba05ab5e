package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The {@code topic.meta} file of a topic directory, replaced atomically.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 0x534C544D "SLTM"                   |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                       Partition Count                         |  8
 *  +---------------------------------------------------------------+
 *  |                    CRC32C of bytes [0, 12)                    | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class TopicMetadata
{
    static final String FILE_NAME = "topic.meta";
    static final int MAGIC = 0x534C544D;
    static final int VERSION = 1;
    static final int LENGTH = 16;

    private TopicMetadata()
    {
    }

    static void write(final Path topicDir, final int partitionCount)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, partitionCount);
        buffer.putInt(12, crc(buffer));
        JournalFiles.writeAtomically(topicDir.resolve(FILE_NAME), buffer.array());
    }

    static int readPartitionCount(final Path topicDir)
    {
        final Path file = topicDir.resolve(FILE_NAME);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != LENGTH || buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION || buffer.getInt(12) != crc(buffer))
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "topic metadata " + file + " is damaged (length " + bytes.length + ", magic/version/CRC checked)");
        }
        final int count = buffer.getInt(8);
        if (count < 1)
        {
            throw new JournalException(JournalException.Category.CORRUPTION, "topic metadata " + file + " has partition count " + count);
        }
        return count;
    }

    private static int crc(final ByteBuffer buffer)
    {
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 12);
        return (int)crc.getValue();
    }
}
