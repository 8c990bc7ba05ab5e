package io.sluice.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Helpers shared by the journal tests: deterministic payloads that encode their own sequence, so a
 * record read back proves where it came from.
 */
final class JournalTestSupport
{
    static final int SMALL_SEGMENT = 64 * 1024;

    private JournalTestSupport()
    {
    }

    /**
     * Removes the recovery point a clean close left on each tail segment under a journal directory, leaving
     * the journal as a crash (kill -9, power loss) leaves it: the next open walks every tail record, which
     * is what the tests of torn tails and corruption at open are about.
     */
    static void clearRecoveryPoints(final Path journalDir)
    {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(journalDir))
        {
            for (final Path log : (Iterable<Path>)walk.filter(p -> p.getFileName().toString().endsWith(SegmentDescriptor.LOG_SUFFIX))::iterator)
            {
                try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(log.toFile(), "rw"))
                {
                    if (raf.length() < SegmentDescriptor.HEADER_LENGTH)
                    {
                        continue;
                    }
                    raf.seek(SealMark.MAGIC_OFFSET);
                    if (Integer.reverseBytes(raf.readInt()) == SealMark.RECOVERY_POINT_MAGIC)
                    {
                        raf.seek(SealMark.MAGIC_OFFSET);
                        raf.write(new byte[SegmentDescriptor.HEADER_LENGTH - SealMark.MAGIC_OFFSET]);
                    }
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static JournalContext smallContext(final Path dir)
    {
        return new JournalContext().directory(dir).segmentLength(SMALL_SEGMENT).indexIntervalBytes(256);
    }

    /** Payload of record {@code sequence}: its length varies with the sequence; every byte is derived from it. */
    static int payloadLength(final long sequence)
    {
        return 8 + (int)(sequence % 57);
    }

    static void fillPayload(final UnsafeBuffer buffer, final long sequence)
    {
        final int length = payloadLength(sequence);
        buffer.putLong(0, sequence);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(i, (byte)(sequence * 31 + i));
        }
    }

    static long append(final PartitionWriter writer, final UnsafeBuffer scratch, final long sequence)
    {
        fillPayload(scratch, sequence);
        return writer.append(7, 3, timestampOf(sequence), keyOf(sequence), scratch, 0, payloadLength(sequence));
    }

    static long appendUnpublished(final PartitionWriter writer, final UnsafeBuffer scratch, final long sequence)
    {
        fillPayload(scratch, sequence);
        return writer.appendUnpublished(7, 3, timestampOf(sequence), keyOf(sequence), scratch, 0, payloadLength(sequence));
    }

    /** The calling thread's stat line (Linux), whose minor page fault count {@link #minorFaults} reads. */
    static final Path THREAD_STAT = Path.of("/proc/thread-self/stat");

    /**
     * Minor page faults of the calling thread so far: field 10 of its {@code /proc/thread-self/stat} line, after the
     * command name.
     *
     * @return the count.
     * @throws IOException if the line cannot be read (not Linux: callers assume it is readable first).
     */
    static long minorFaults() throws IOException
    {
        final String line = Files.readString(THREAD_STAT);
        return Long.parseLong(line.substring(line.lastIndexOf(')') + 2).split(" ")[7]);
    }

    static long timestampOf(final long sequence)
    {
        return 1_000_000L + sequence * 10 - (sequence % 5) * 7; // mildly out of order
    }

    static long keyOf(final long sequence)
    {
        return sequence * 0x9E3779B97F4A7C15L;
    }

    /** Checks that a record is exactly the one written for this sequence; returns a problem or null. */
    static String check(final RecordView record, final long sequence)
    {
        if (record.offset() != sequence)
        {
            return "offset " + record.offset() + " != " + sequence;
        }
        if (record.type() != 7 || record.flags() != 3)
        {
            return "type/flags at " + sequence;
        }
        if (record.timestamp() != timestampOf(sequence) || record.key() != keyOf(sequence))
        {
            return "timestamp/key at " + sequence;
        }
        if (record.payloadLength() != payloadLength(sequence))
        {
            return "length " + record.payloadLength() + " at " + sequence;
        }
        if (record.buffer().getLong(record.payloadOffset()) != sequence)
        {
            return "payload sequence at " + sequence;
        }
        for (int i = 8; i < payloadLength(sequence); i++)
        {
            if (record.buffer().getByte(record.payloadOffset() + i) != (byte)(sequence * 31 + i))
            {
                return "payload byte " + i + " at " + sequence;
            }
        }
        return null;
    }

    /** Checks that record {@code i} of a batch is exactly the one written for this sequence; returns a problem or null. */
    static String check(final RecordBatch batch, final int i, final long sequence)
    {
        if (batch.offset(i) != sequence)
        {
            return "offset " + batch.offset(i) + " != " + sequence;
        }
        if (batch.type(i) != 7 || batch.flags(i) != 3)
        {
            return "type/flags at " + sequence;
        }
        if (batch.timestamp(i) != timestampOf(sequence) || batch.key(i) != keyOf(sequence))
        {
            return "timestamp/key at " + sequence;
        }
        if (batch.payloadLength(i) != payloadLength(sequence))
        {
            return "length " + batch.payloadLength(i) + " at " + sequence;
        }
        if (batch.buffer().getLong(batch.payloadOffset(i)) != sequence)
        {
            return "payload sequence at " + sequence;
        }
        for (int b = 8; b < payloadLength(sequence); b++)
        {
            if (batch.buffer().getByte(batch.payloadOffset(i) + b) != (byte)(sequence * 31 + b))
            {
                return "payload byte " + b + " at " + sequence;
            }
        }
        return null;
    }
}
