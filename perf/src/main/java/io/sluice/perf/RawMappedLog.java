package io.sluice.perf;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.sluice.journal.JournalFiles;
import io.sluice.journal.RecordDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The baseline the journal is measured against: a raw memory copy of already-framed records into
 * memory-mapped, pre-allocated files of the journal's segment length, with no checksum, no index,
 * no publication and no roll bookkeeping.
 *
 * <p>It mirrors the journal's file handling so the comparison isolates the append path: the files
 * are pre-allocated by the journal's own {@link JournalFiles#preallocate} (zero-filled, non-sparse,
 * fsynced), the first {@value #SEGMENT_HEADER_LENGTH} bytes are left for a segment header, frames are
 * {@link RecordDescriptor#FRAME_ALIGNMENT}-aligned, and a file that cannot take the next frame is
 * rolled: unmapped, and the next file of the ring mapped afresh, so every 4 KiB page is faulted in
 * once per pass just as in a fresh journal segment.
 * <pre>
 *   file: | 64 B header | frame | frame | ... | frame | unused tail |
 *   frame: | 32 B header (as RecordDescriptor) | payload | pad to 8 |
 * </pre>
 * Threading: one thread.
 */
final class RawMappedLog implements AutoCloseable
{
    /** Bytes left at the start of each file, as the journal's segment header. */
    static final int SEGMENT_HEADER_LENGTH = 64;

    private final Path[] files;
    private final int segmentLength;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private final CRC32C crc = new CRC32C();
    private MappedByteBuffer mapped;
    private ByteBuffer checksumView;
    private int fileIndex;
    private int position;

    private RawMappedLog(final Path[] files, final int segmentLength)
    {
        this.files = files;
        this.segmentLength = segmentLength;
        map(0);
    }

    /**
     * Pre-allocates {@code fileCount} files of {@code segmentLength} bytes in the directory and maps
     * the first.
     *
     * @param directory     to create the files in.
     * @param segmentLength of each file, as the journal's segment length.
     * @param fileCount     files in the ring; writing past the last wraps to the first.
     * @return the log, positioned after the first file's header.
     */
    static RawMappedLog create(final Path directory, final int segmentLength, final int fileCount)
    {
        final Path[] files = new Path[fileCount];
        for (int i = 0; i < fileCount; i++)
        {
            files[i] = directory.resolve("raw-" + i + ".log");
            JournalFiles.preallocate(files[i], segmentLength);
        }
        return new RawMappedLog(files, segmentLength);
    }

    /**
     * One file prepared as the journal prepares its segment: sparse, with real zero blocks written (not forced) over
     * its first {@code reservedBytes} only ({@link JournalFiles#createSparse}), so that the raw copy writes into pages
     * in the same state as the journal's writer does. Maps it.
     *
     * @param directory     to create the file in.
     * @param segmentLength of the file.
     * @param reservedBytes at its start written as zeros.
     * @return the log, positioned after the file's header.
     */
    static RawMappedLog createSparse(final Path directory, final int segmentLength, final int reservedBytes)
    {
        final Path file = directory.resolve("raw-0.log");
        JournalFiles.createSparse(file, segmentLength, reservedBytes);
        return new RawMappedLog(new Path[] {file}, segmentLength);
    }

    /**
     * Copies one frame, exactly {@code frameLength} bytes, to the tail; the tail then advances by the
     * aligned length. This is the whole baseline: one memcpy per record.
     *
     * @param frame         header and payload, ready to copy.
     * @param frameLength   bytes to copy: header plus payload.
     * @param alignedLength bytes the frame occupies in the file.
     */
    void append(final DirectBuffer frame, final int frameLength, final int alignedLength)
    {
        if (position + alignedLength > segmentLength)
        {
            roll();
        }
        buffer.putBytes(position, frame, 0, frameLength);
        position += alignedLength;
    }

    /**
     * As {@link #append} and then the journal's CRC32C over the written frame, computed the way
     * {@code Segment.checksum} computes it (a {@link ByteBuffer} view and four single-byte updates for
     * the length). Used to attribute the journal's cost, not as a baseline.
     *
     * @param frame         header and payload, ready to copy.
     * @param frameLength   bytes to copy: header plus payload.
     * @param alignedLength bytes the frame occupies in the file.
     */
    void appendChecksummed(final DirectBuffer frame, final int frameLength, final int alignedLength)
    {
        if (position + alignedLength > segmentLength)
        {
            roll();
        }
        final int at = position;
        buffer.putBytes(at, frame, 0, frameLength);
        crc.reset();
        checksumView.limit(at + frameLength).position(at + RecordDescriptor.TYPE_OFFSET);
        crc.update(checksumView);
        crc.update(frameLength);
        crc.update(frameLength >>> 8);
        crc.update(frameLength >>> 16);
        crc.update(frameLength >>> 24);
        buffer.putInt(at + RecordDescriptor.CRC_OFFSET, (int)crc.getValue());
        position = at + alignedLength;
    }

    /**
     * Writes a zero to each 4 KiB page of the first {@code bytes} of the current file, so that the
     * copies that follow take no page fault: the state the journal's allocator duty leaves ahead of its
     * writer. Untimed set-up, for a comparison of the copy alone.
     *
     * @param bytes from the start of the current file.
     */
    void pretouch(final int bytes)
    {
        final int end = Math.min(bytes, segmentLength);
        for (int page = 0; page < end; page += 4096)
        {
            buffer.putByte(page, (byte)0);
        }
    }

    /**
     * The mapped file currently written.
     *
     * @return the current file's buffer.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the next frame goes in {@link #buffer()}.
     *
     * @return the tail position.
     */
    int position()
    {
        return position;
    }

    /**
     * Walks the frames in {@code [from, to)} of a buffer laid out as a segment, reading what a replay
     * handler reads: the length, timestamp, key and first payload word of each frame. The raw
     * baseline of sequential replay.
     *
     * @param buffer holding the frames.
     * @param from   position of the first frame.
     * @param to     end of the written region.
     * @return a sum of the values read, to be consumed so the reads are not eliminated.
     */
    static long scan(final UnsafeBuffer buffer, final int from, final int to)
    {
        long sum = 0;
        int position = from;
        while (position < to)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            sum += buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET) +
                buffer.getLong(position + RecordDescriptor.KEY_OFFSET) +
                buffer.getLong(position + RecordDescriptor.HEADER_LENGTH);
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return sum;
    }

    private void roll()
    {
        IoUtil.unmap(mapped);
        map((fileIndex + 1) % files.length);
    }

    private void map(final int index)
    {
        fileIndex = index;
        mapped = JournalFiles.mapReadWrite(files[index]);
        checksumView = mapped.duplicate();
        buffer.wrap(mapped);
        position = SEGMENT_HEADER_LENGTH;
    }

    /**
     * Unmaps the current file; the files themselves stay for the caller to delete.
     */
    @Override
    public void close()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
            buffer.wrap(0, 0);
        }
    }
}
