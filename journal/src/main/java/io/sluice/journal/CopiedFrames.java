package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reader's copy of a stretch of one segment's bytes, read from the segment file with positioned reads rather than
 * through the reader's mapping ({@link PartitionReader#copyReads}): what a reader streaming a long stretch once
 * (recovery's replay of the tail) reads its batches from.
 * <pre>
 *  segment file:  | header | ... | frame | frame | frame | frame | ... |
 *                                ^start                  ^start + length
 *  buffer():                     | a copy of [start, start + length) |
 * </pre>
 * <b>Why a copy.</b> A segment freshly mapped by this process costs, on first reading, a page fault for each run of
 * pages the kernel maps at once and a TLB miss for each 4 KiB page; the kernel's copy out of the page cache goes through
 * its own large-page mapping, and the copy then lies in the core's cache for the checksum and the decode. Streaming a
 * 480 MB segment with each 96-byte frame's CRC32C checked took ~4x less CPU this way (perf/README.md, section 61).
 * <p>
 * <b>Which frames a copy may deliver.</b> A fill first reads the partition's end offset (the caller's acquire of it):
 * every frame below that offset is complete in the page cache before the read copies it, so the copy holds those
 * frames' final bytes. A frame at or past that offset may have been copied half written: the copy is used only for
 * records below {@link #validBelow()} and filled again for later ones. Recovery reads with no writer running; a
 * reader tailing a live partition gets the same guarantees as from the mapping.
 * <p>
 * Threading: the reader's thread.
 */
final class CopiedFrames implements AutoCloseable
{
    private final ByteBuffer bytes;
    private final UnsafeBuffer buffer;
    private Segment segment;
    private FileChannel channel;
    private int start;
    private int length;
    private long validBelow;

    /**
     * @param capacity bytes copied at most per fill.
     */
    CopiedFrames(final int capacity)
    {
        if (capacity < RecordDescriptor.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("copied reads need at least " + RecordDescriptor.HEADER_LENGTH +
                " bytes of buffer, got " + capacity);
        }
        bytes = ByteBuffer.allocateDirect(capacity);
        buffer = new UnsafeBuffer(bytes);
    }

    /**
     * The copy: segment position {@code p} is at {@code p - start()} here.
     *
     * @return the buffer over the copied bytes.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * A view of the copy for the checksum's fallback path ({@link RecordChecksum}).
     *
     * @return the byte buffer under {@link #buffer()}.
     */
    ByteBuffer checksumView()
    {
        return bytes;
    }

    /**
     * Segment position of the copy's first byte.
     *
     * @return the position.
     */
    int start()
    {
        return start;
    }

    /**
     * Bytes copied by the last fill.
     *
     * @return the length.
     */
    int length()
    {
        return length;
    }

    /**
     * Records at offsets below this were complete when the copy was read; later ones need a new fill.
     *
     * @return the partition's end offset at the last fill.
     */
    long validBelow()
    {
        return validBelow;
    }

    /**
     * Whether the copy holds a segment's bytes {@code [position, position + bytes)} as of a fill that the record at
     * {@code offset} was complete for.
     *
     * @return true if they can be read from {@link #buffer()}.
     */
    boolean holds(final Segment segment, final int position, final int bytes, final long offset)
    {
        return segment == this.segment && offset < validBelow && position >= start && position - start <= length - bytes;
    }

    /**
     * The length of the frame at a position, as the mapping would give it ({@code PartitionReader.frameLength}): read
     * from the copy, filled from that position first unless it holds the frame's header (and, once its length is known,
     * the whole frame) for the record at {@code offset}.
     *
     * @param end the partition's end offset, read by the caller before this call.
     * @return the frame length, whole within the segment; 0 where no frame starts; -1 for a length no frame there can
     *         have. A whole frame longer than the copy's capacity is returned but not held: see {@link #holds}.
     */
    int frameLength(final Segment segment, final int position, final long offset, final long end)
    {
        final int capacity = segment.capacity();
        if (position > capacity - RecordDescriptor.HEADER_LENGTH)
        {
            return 0;
        }
        if (!holds(segment, position, RecordDescriptor.HEADER_LENGTH, offset))
        {
            fill(segment, position, end);
        }
        final int frameLength = buffer.getInt(position - start + RecordDescriptor.LENGTH_OFFSET);
        if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
        {
            return frameLength == 0 ? 0 : -1;
        }
        if (!holds(segment, position, frameLength, offset) && position != start)
        {
            fill(segment, position, end);
        }
        return frameLength;
    }

    /**
     * Copies the segment's bytes from a position, as many as the buffer takes or the segment holds.
     *
     * @throws JournalException IO naming the segment file and position if the file cannot be read.
     */
    private void fill(final Segment segment, final int position, final long end)
    {
        final int count = Math.min(bytes.capacity(), segment.capacity() - position);
        try
        {
            if (segment != this.segment)
            {
                closeChannel();
                channel = FileChannel.open(segment.file(), StandardOpenOption.READ);
                this.segment = segment;
            }
            bytes.clear().limit(count);
            while (bytes.hasRemaining())
            {
                if (channel.read(bytes, position + bytes.position()) < 0)
                {
                    break; // a file shorter than its mapping: the rest reads as no frame, as past the written end
                }
            }
        }
        catch (final IOException ex)
        {
            this.segment = null;
            length = 0;
            throw new JournalException(JournalException.Category.IO, "cannot read " + segment.file() + " at byte " + position +
                ": " + ex.getMessage(), ex);
        }
        // Bytes the read did not reach (none but at a short file's end) must not hold a stale frame length.
        for (int i = bytes.position(); i < count; i++)
        {
            bytes.put(i, (byte)0);
        }
        start = position;
        length = count;
        validBelow = end;
    }

    private void closeChannel()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // a read-only channel: nothing was written that its close could lose
            }
            channel = null;
        }
        segment = null;
    }

    /**
     * Closes the segment file's channel; the copy stays allocated for a later fill.
     */
    @Override
    public void close()
    {
        closeChannel();
        length = 0;
        validBelow = 0;
    }
}
