package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The staging buffer of a {@link PartitionWriter} in staged mode ({@link JournalContext#stagedWrites}): the writer
 * builds its frames here, laid out exactly as they will lie in the tail segment (staging byte 0 is segment position
 * {@link #start()}), and {@link #write} checksums them (CRC32C, while they are in this thread's cache) and copies them
 * into the segment file with one positional write ({@code pwrite}): into the file's page cache through the kernel's
 * own mapping, so that no page of the process's mapping is written, faulted in or pre-touched. On this 2-core PVM
 * guest a mapped page cost 8-10 us of CPU the first time it was touched, whoever touched it, against 1-1.8 us for
 * writing the same 4 KiB with {@code pwrite} (perf/README.md, section 82). A run of one or two records, where the
 * system call costs more than the stores, may be stored through the mapping instead ({@link #store}).
 * <pre>
 *   segment:  ... | written frames | staged frames (not yet in the file) | reserved zeros ... | hole
 *                                  ^ start()                            ^ writer's position
 *   staging:                       [0 ................................. position - start)
 * </pre>
 * A write cut short by a SIGKILL leaves a prefix of the staged bytes in the file, cut at a page boundary: frames before
 * the cut are whole and checksummed, the frame across it fails its CRC32C (or reads length 0) and only zeros follow, so
 * recovery truncates it as a torn tail. None of those frames was acknowledged: JOURNALED comes after the write returns.
 *
 * <p>Threading: the writer's thread only. Nothing is allocated per write; the buffer grows (once, to the next power of
 * two) only for a frame larger than any before it.
 */
final class StagedFrames
{
    /** Bytes staged at most before the writer writes them, whatever the run: a few hundred events of a few dozen bytes. */
    static final int CAPACITY = 256 * 1024;

    private final RecordChecksum checksum = new RecordChecksum();
    private ByteBuffer bytes;
    private UnsafeBuffer buffer;
    private ByteBuffer checksumView;
    /** Segment position of staging byte 0. */
    private int start;
    private Path file;
    private FileChannel channel;
    private long writes;

    /**
     * A staging buffer of {@link #CAPACITY} bytes, nothing staged, no file open yet.
     *
     * @param position segment position of the writer, where staging starts.
     */
    StagedFrames(final int position)
    {
        allocate(CAPACITY);
        start = position;
    }

    private void allocate(final int capacity)
    {
        if (bytes != null)
        {
            BufferUtil.free(bytes);
        }
        bytes = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        buffer = new UnsafeBuffer(bytes);
        checksumView = bytes.duplicate();
    }

    /**
     * Starts staging at a segment position, the writer's, with nothing staged: after a write, after a roll, or at the
     * writer's first append. Opens the segment's file for writing when it is not the one staged for.
     *
     * @param segment  the writer's tail.
     * @param position where the writer's next frame goes in it.
     * @param frameLength aligned length of that frame: the buffer grows to hold it if it is larger than the buffer.
     * @throws IOException if the file cannot be opened.
     */
    void begin(final Segment segment, final int position, final int frameLength) throws IOException
    {
        start = position;
        if (segment.file() != file || channel == null)
        {
            closeChannel();
            channel = FileChannel.open(segment.file(), StandardOpenOption.WRITE);
            file = segment.file();
        }
        if (frameLength > buffer.capacity())
        {
            allocate(Integer.highestOneBit(frameLength - 1) << 1);
        }
    }

    /**
     * Segment position of staging byte 0.
     *
     * @return the position.
     */
    int start()
    {
        return start;
    }

    /**
     * One past the last segment position the buffer can stage.
     *
     * @return the limit.
     */
    int limit()
    {
        return start + buffer.capacity();
    }

    /**
     * The address at which segment position 0 would lie in the staging buffer: a frame at segment position {@code p}
     * is staged at {@code frameBase() + p}.
     *
     * @return the base address.
     */
    long frameBase()
    {
        return buffer.addressOffset() - start;
    }

    /**
     * The staging buffer, for a writer's claim.
     *
     * @return the buffer; staging byte 0 is segment position {@link #start()}.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Positional writes done so far.
     *
     * @return the count.
     */
    long writes()
    {
        return writes;
    }

    /**
     * Checksums the frames staged below a segment position and writes them to the file; the staging then starts at
     * that position.
     *
     * @param position one past the last staged frame (the writer's position).
     * @throws IOException if the write fails.
     */
    void write(final int position) throws IOException
    {
        final int length = position - start;
        if (length <= 0)
        {
            return;
        }
        checksum(length);
        StorageFaults.check(StorageFaults.Operation.WRITE, file);
        final ByteBuffer source = bytes;
        source.limit(length).position(0);
        long at = start;
        while (source.hasRemaining())
        {
            at += channel.write(source, at);
        }
        source.clear();
        writes++;
        start = position;
    }

    /**
     * Checksums the frames staged below a segment position and stores them into the segment's mapping, where they lie
     * in the file, instead of writing them (a small run, {@link JournalContext#stagedSmallRunRecords}); the staging then
     * starts at that position. Each frame's first 64 bits (its length and CRC32C) are stored last, with a release
     * store, as the mapped writer publishes a frame: a reader that scans the mapping by frame length sees whole frames
     * only. A SIGKILL during the stores leaves a prefix of whole frames and, at most, one whose first 64 bits are
     * still zero: recovery truncates it as a torn tail (none of them was acknowledged). No system call; the first
     * store into a page of the mapping takes its page fault here unless the allocator duty pre-touched it (it keeps a
     * short stretch touched ahead of a writer that stores small runs). Nothing is allocated.
     *
     * @param mapping  of the segment the frames are staged for (byte 0 is segment position 0).
     * @param position one past the last staged frame (the writer's position).
     */
    void store(final UnsafeBuffer mapping, final int position)
    {
        final int length = position - start;
        if (length <= 0)
        {
            return;
        }
        checksum(length);
        final long from = buffer.addressOffset();
        final long to = mapping.addressOffset() + start;
        for (int at = 0; at < length; )
        {
            final int aligned = RecordDescriptor.alignedFrameLength(
                buffer.getInt(at + RecordDescriptor.LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH);
            UnsafeApi.copyMemory(null, from + at + Long.BYTES, null, to + at + Long.BYTES, aligned - Long.BYTES);
            // Release: the frame's body is in place for any thread or process that reads this length.
            UnsafeApi.putLongRelease(null, to + at + RecordDescriptor.LENGTH_OFFSET, UnsafeApi.getLong(null, from + at));
            at += aligned;
        }
        start = position;
    }

    /**
     * Stores the CRC32C of each frame staged in the first {@code length} bytes, while they are in this thread's cache:
     * one pass over the run by address ({@link RecordChecksum#storeRun}).
     */
    private void checksum(final int length)
    {
        checksum.storeRun(buffer, checksumView, length);
    }

    /**
     * Closes the file; the buffer stays for the next {@link #begin}.
     */
    void closeChannel()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // Nothing is lost: every frame written through it was written before, and close() frees the descriptor.
            }
            channel = null;
            file = null;
        }
    }

    /**
     * Closes the file and frees the buffer.
     */
    void close()
    {
        closeChannel();
        if (bytes != null)
        {
            BufferUtil.free(bytes);
            bytes = null;
        }
    }
}
