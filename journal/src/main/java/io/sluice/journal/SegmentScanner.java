package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks the frames of a segment from its header to the first frame that is absent (length 0),
 * malformed (length out of bounds) or damaged (checksum mismatch), and reports where it stopped.
 * A frame published but not yet checksummed (format version 2, CRC32C field holding the marker, see
 * {@link RecordDescriptor}) is handled as the caller says: stop there, accept it, or checksum it now.
 * Used by recovery on open, by the verify tool and by repair. Not thread-safe; one per scanning thread.
 */
final class SegmentScanner
{
    /** The scan reached a zero length: the clean end of the written region. */
    static final int END_CLEAN = 0;
    /** A frame length was out of bounds. */
    static final int END_BAD_LENGTH = 1;
    /** A frame's CRC32C did not match. */
    static final int END_BAD_CRC = 2;
    /** The scan stopped because it had seen the expected number of records. */
    static final int END_EXPECTED_COUNT = 3;
    /** A frame was never checksummed and the caller cannot trust it (another boot wrote it). */
    static final int END_UNCHECKSUMMED = 4;

    /**
     * An unchecksummed frame is followed by a checksummed one: checksums are stored in record order,
     * so the earlier frame was damaged after it had been checksummed. The scan ends at the first
     * unchecksummed frame of the run, and a valid frame follows it.
     */
    static final int END_CHECKSUM_ORDER = 5;

    private final RecordChecksum checksum = new RecordChecksum();

    int recordCount;
    int endPosition;
    long maxTimestamp;
    int endReason;
    int badFrameLength;
    /** Unchecksummed frames the last scan accepted. */
    int unchecksummedCount;

    /**
     * Scans a segment.
     *
     * @param buffer        over the whole segment.
     * @param checksumView  a duplicate ByteBuffer of the same mapping for CRC computation.
     * @param verifyCrc     whether to check each checksummed frame's CRC32C.
     * @param legacy        whether the segment is of format version 1 (every frame checksummed by its writer).
     * @param acceptUnchecksummed whether an unchecksummed frame counts as a record (the boot that wrote
     *                      it is running: its bytes are intact) or ends the scan ({@link #END_UNCHECKSUMMED});
     *                      unused when legacy. Accepted frames are left as they are (see {@link #checksumFrom}),
     *                      and must be followed by unchecksummed frames only ({@link #END_CHECKSUM_ORDER}).
     * @param maxRecords    stop after this many records (Integer.MAX_VALUE for no limit).
     * @param handler       offered each good frame with its relative offset and position, or null.
     */
    void scan(
        final UnsafeBuffer buffer,
        final ByteBuffer checksumView,
        final boolean verifyCrc,
        final boolean legacy,
        final boolean acceptUnchecksummed,
        final int maxRecords,
        final FrameVisitor handler)
    {
        scanFrom(buffer, checksumView, verifyCrc, legacy, acceptUnchecksummed, maxRecords, handler,
            SegmentDescriptor.HEADER_LENGTH, 0, Long.MIN_VALUE);
    }

    /**
     * Scans a segment from a frame boundary known to follow {@code fromCount} good records (a trusted
     * recovery point), as {@link #scan} does from the first frame; the counts and maximum it reports
     * include those records. The handler is offered the frames from there on, with their relative offsets.
     *
     * @param buffer        over the whole segment.
     * @param checksumView  a duplicate ByteBuffer of the same mapping for CRC computation.
     * @param verifyCrc     whether to check each checksummed frame's CRC32C.
     * @param legacy        whether the segment is of format version 1.
     * @param acceptUnchecksummed as for {@link #scan}.
     * @param maxRecords    stop once this many records are counted (Integer.MAX_VALUE for no limit).
     * @param handler       offered each good frame, or null.
     * @param fromPosition  position of the first frame to scan.
     * @param fromCount     records before it.
     * @param fromMaxTs     maximum timestamp of those records.
     */
    void scanFrom(
        final UnsafeBuffer buffer,
        final ByteBuffer checksumView,
        final boolean verifyCrc,
        final boolean legacy,
        final boolean acceptUnchecksummed,
        final int maxRecords,
        final FrameVisitor handler,
        final int fromPosition,
        final int fromCount,
        final long fromMaxTs)
    {
        int unchecksummedSeen = 0;
        int firstUnchecksummedPosition = -1;
        int firstUnchecksummedCount = 0;
        long firstUnchecksummedMaxTs = Long.MIN_VALUE;
        final int capacity = buffer.capacity();
        int position = fromPosition;
        int count = fromCount;
        long maxTs = fromMaxTs;
        int reason = END_CLEAN;
        badFrameLength = 0;
        while (true)
        {
            if (count == maxRecords)
            {
                reason = END_EXPECTED_COUNT;
                break;
            }
            if (position > capacity - RecordDescriptor.FRAME_ALIGNMENT)
            {
                break;
            }
            final int frameLength = buffer.getIntVolatile(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength == 0)
            {
                break;
            }
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
            {
                reason = END_BAD_LENGTH;
                badFrameLength = frameLength;
                break;
            }
            if (!legacy && buffer.getInt(position + RecordDescriptor.CRC_OFFSET) == RecordDescriptor.UNCHECKSUMMED)
            {
                if (!acceptUnchecksummed)
                {
                    reason = END_UNCHECKSUMMED;
                    badFrameLength = frameLength;
                    break;
                }
                if (unchecksummedSeen++ == 0)
                {
                    firstUnchecksummedPosition = position;
                    firstUnchecksummedCount = count;
                    firstUnchecksummedMaxTs = maxTs;
                }
            }
            else if ((verifyCrc || unchecksummedSeen > 0) && !checksum.matches(buffer, checksumView, position, frameLength, legacy))
            {
                reason = END_BAD_CRC;
                badFrameLength = frameLength;
                break;
            }
            else if (unchecksummedSeen > 0)
            {
                // A valid checksummed frame after unchecksummed ones: the first of those is damage.
                reason = END_CHECKSUM_ORDER;
                badFrameLength = buffer.getInt(firstUnchecksummedPosition + RecordDescriptor.LENGTH_OFFSET);
                position = firstUnchecksummedPosition;
                count = firstUnchecksummedCount;
                maxTs = firstUnchecksummedMaxTs;
                unchecksummedSeen = 0;
                break;
            }
            final long timestamp = buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET);
            if (timestamp > maxTs)
            {
                maxTs = timestamp;
            }
            if (handler != null)
            {
                handler.onFrame(count, position, frameLength, timestamp);
            }
            count++;
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        recordCount = count;
        unchecksummedCount = unchecksummedSeen;
        endPosition = position;
        maxTimestamp = maxTs;
        endReason = reason;
    }

    /**
     * Checksums the unchecksummed frames among consecutive frames known to be complete (accepted by a
     * scan in the boot that wrote them), storing each CRC32C: what the writer's checksum duty had not
     * reached when the process died.
     *
     * @param buffer       over the whole segment.
     * @param checksumView a duplicate ByteBuffer of the same mapping.
     * @param from         position of the first frame.
     * @param to           position past the last frame.
     * @return the number of frames checksummed.
     */
    int checksumFrom(final UnsafeBuffer buffer, final ByteBuffer checksumView, final int from, final int to)
    {
        int position = from;
        int stored = 0;
        while (position < to)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (buffer.getInt(position + RecordDescriptor.CRC_OFFSET) == RecordDescriptor.UNCHECKSUMMED)
            {
                checksum.store(buffer, checksumView, position, frameLength);
                stored++;
            }
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return stored;
    }

    /** {@link #findValidFrame} found no valid frame. */
    static final int NONE_FOUND = -1;
    /** {@link #findValidFrame} gave up: too many candidates to checksum within its budget. */
    static final int BUDGET_EXHAUSTED = -2;

    /**
     * Looks for a complete, valid frame starting at a frame-aligned position in {@code [from, limit)}:
     * a length that fits the segment, a zero reserved field and a matching CRC32C. Used after damage to
     * tell a torn tail (nothing valid after it) from corruption (valid records follow). Zero-filled,
     * pre-allocated space costs one read per 8 bytes and is never checksummed; the bytes checksummed in
     * all are bounded by {@code crcBudgetBytes} so that hostile data cannot make it quadratic.
     *
     * @param buffer         over the whole segment.
     * @param checksumView   a duplicate ByteBuffer of the same mapping.
     * @param from           first position to try; rounded up to the frame alignment.
     * @param limit          positions at or past this are not tried.
     * @param crcBudgetBytes most bytes to checksum before giving up.
     * @param legacy         whether the segment is of format version 1.
     * @return the position of the first valid frame, {@link #NONE_FOUND} or {@link #BUDGET_EXHAUSTED}.
     */
    int findValidFrame(
        final UnsafeBuffer buffer,
        final ByteBuffer checksumView,
        final int from,
        final int limit,
        final long crcBudgetBytes,
        final boolean legacy)
    {
        final int capacity = buffer.capacity();
        final int end = Math.min(limit, capacity - RecordDescriptor.HEADER_LENGTH + 1);
        long budget = crcBudgetBytes;
        for (int position = org.agrona.BitUtil.align(from, RecordDescriptor.FRAME_ALIGNMENT);
            position < end;
            position += RecordDescriptor.FRAME_ALIGNMENT)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position ||
                buffer.getInt(position + RecordDescriptor.RESERVED_OFFSET) != 0)
            {
                continue;
            }
            budget -= frameLength;
            if (budget < 0)
            {
                return BUDGET_EXHAUSTED;
            }
            if (checksum.matches(buffer, checksumView, position, frameLength, legacy))
            {
                return position;
            }
        }
        return NONE_FOUND;
    }

    /**
     * Counts the consecutive valid frames from a position (one known to hold a valid frame), stopping
     * at the first absent or damaged one. Used by repair to say how many intact records it set aside.
     *
     * @param buffer       over the whole segment.
     * @param checksumView a duplicate ByteBuffer of the same mapping.
     * @param from         position of a frame.
     * @param legacy       whether the segment is of format version 1.
     * @return the number of consecutive valid frames.
     */
    int countValidFrom(final UnsafeBuffer buffer, final ByteBuffer checksumView, final int from, final boolean legacy)
    {
        final int capacity = buffer.capacity();
        int position = from;
        int count = 0;
        while (position <= capacity - RecordDescriptor.HEADER_LENGTH)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position ||
                !checksum.matches(buffer, checksumView, position, frameLength, legacy))
            {
                break;
            }
            count++;
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return count;
    }

    /** Bytes {@link #extentOfNonZero} tests per step: a cache line. */
    private static final int ZERO_BLOCK = 64;

    /**
     * Position one past the last non-zero byte at or after {@code from}, or {@code from} when the
     * rest of the segment is all zeros.
     * <p>
     * Every open of a partition runs this over the unwritten part of its tail segment, typically
     * hundreds of MiB of zeros: it ORs a cache line of words per step, without a bounds check or a
     * branch per word, so the scan runs at memory bandwidth (a restart waits for it).
     */
    static int extentOfNonZero(final UnsafeBuffer buffer, final int from)
    {
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset();
        int end = buffer.capacity();
        while (end - ZERO_BLOCK >= from)
        {
            final long at = address + end - ZERO_BLOCK;
            final long any = UnsafeApi.getLong(array, at) | UnsafeApi.getLong(array, at + 8) |
                UnsafeApi.getLong(array, at + 16) | UnsafeApi.getLong(array, at + 24) |
                UnsafeApi.getLong(array, at + 32) | UnsafeApi.getLong(array, at + 40) |
                UnsafeApi.getLong(array, at + 48) | UnsafeApi.getLong(array, at + 56);
            if (any != 0)
            {
                break;
            }
            end -= ZERO_BLOCK;
        }
        while (end - Long.BYTES >= from && buffer.getLong(end - Long.BYTES) == 0)
        {
            end -= Long.BYTES;
        }
        while (end > from && buffer.getByte(end - 1) == 0)
        {
            end--;
        }
        return Math.max(end, from);
    }

    /** Bytes {@link #extentOfNonZero(Path, int, int)} reads at a time: within a core's second-level cache. */
    static final int ZERO_SCAN_STRETCH = 256 * 1024;
    /** Words of a stretch copied into the scanning array at a time: 32 KiB, within a core's first-level cache. */
    static final int ZERO_SCAN_WORDS = 4096;

    /**
     * {@link #extentOfNonZero(UnsafeBuffer, int)} over the first {@code capacity} bytes of a segment's file, read with
     * positioned reads a stretch at a time from the end backwards, instead of through the segment's mapping: the same
     * bytes (the page cache the mapping shows), without a page fault and a TLB miss per page of a range that is mostly
     * never written, and scanned where the copy lies in the core's cache. On a restart the tail segment's unwritten part
     * is tens of MiB per partition; read through a fresh mapping its scan took 40-55 ms of the launching thread's CPU for
     * two partitions (perf/README.md, sections 113 and 118). Bytes past the file's end read as zeros.
     * <p>
     * <b>Cheap before the JIT compiles it.</b> A restart runs this once per partition, early in a fresh JVM, so most of
     * it can run in the interpreter (more of it with the daemon's later compiles, {@code -XX:CompileThresholdScaling}),
     * where each accessor call of an {@link UnsafeBuffer} costs tens of nanoseconds. Each stretch's words are therefore
     * copied into a {@code long[]} a chunk at a time (one native copy per {@link #ZERO_SCAN_WORDS} words) and ORed there
     * with plain array loads, a few bytecodes a word (perf/README.md, section 129).
     *
     * @param file     the segment's file.
     * @param capacity bytes of the segment (its mapping's length).
     * @param from     position of the first byte to look at.
     * @return position one past the last non-zero byte at or after {@code from}, or {@code from} when there is none.
     * @throws JournalException IO naming the file if it cannot be read.
     */
    static int extentOfNonZero(final Path file, final int capacity, final int from)
    {
        if (capacity - from <= 0)
        {
            return Math.max(from, capacity);
        }
        final ByteBuffer bytes = ByteBuffer.allocateDirect(Math.min(ZERO_SCAN_STRETCH, capacity - from));
        final long[] words = new long[Math.min(ZERO_SCAN_WORDS, (bytes.capacity() + Long.BYTES - 1) / Long.BYTES)];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            for (int end = capacity; end > from; )
            {
                final int start = Math.max(from, end - bytes.capacity());
                final int length = end - start;
                bytes.clear().limit(length);
                while (bytes.hasRemaining() && channel.read(bytes, start + bytes.position()) >= 0)
                {
                    // a positioned read may return fewer bytes than asked: read on
                }
                // Past the file's end: no bytes, read as zeros.
                final int extent = extentOfNonZero(bytes, bytes.position(), words);
                if (extent > 0)
                {
                    return start + extent;
                }
                end = start;
            }
            return from;
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot read " + file + " to find its written extent: " +
                ex.getMessage(), ex);
        }
        finally
        {
            BufferUtil.free(bytes);
        }
    }

    /**
     * Position one past the last non-zero byte of {@code bytes[0, length)}, or 0 when they are all zeros: the bytes after
     * the last whole word first, then the whole words, copied into {@code words} a chunk at a time from the end backwards.
     *
     * @param bytes  holding the stretch from its index 0 (its position and limit are not used).
     * @param length of the stretch.
     * @param words  scratch of at least one word.
     * @return the extent within the stretch.
     */
    static int extentOfNonZero(final ByteBuffer bytes, final int length, final long[] words)
    {
        final int whole = length & -Long.BYTES;
        for (int i = length; i > whole; i--)
        {
            if (bytes.get(i - 1) != 0)
            {
                return i;
            }
        }
        // A view in the platform's order, so that the bulk copy below is a plain memory copy (a zero test needs no order).
        final java.nio.LongBuffer view = bytes.duplicate().clear().limit(whole).order(java.nio.ByteOrder.nativeOrder()).asLongBuffer();
        for (int chunkEnd = whole / Long.BYTES; chunkEnd > 0; )
        {
            final int chunkStart = Math.max(0, chunkEnd - words.length);
            final int count = chunkEnd - chunkStart;
            view.get(chunkStart, words, 0, count);
            int w = count;
            while (w >= 8 && (words[w - 1] | words[w - 2] | words[w - 3] | words[w - 4] |
                words[w - 5] | words[w - 6] | words[w - 7] | words[w - 8]) == 0)
            {
                w -= 8;
            }
            while (w > 0 && words[w - 1] == 0)
            {
                w--;
            }
            if (w > 0)
            {
                // The last non-zero word of the stretch: its last non-zero byte, whatever the platform's order.
                for (int i = (chunkStart + w) * Long.BYTES; ; i--)
                {
                    if (bytes.get(i - 1) != 0)
                    {
                        return i;
                    }
                }
            }
            chunkEnd = chunkStart;
        }
        return 0;
    }

    static String describe(final int reason, final int frameLength)
    {
        switch (reason)
        {
            case END_BAD_LENGTH:
                return "bad frame length " + frameLength;
            case END_BAD_CRC:
                return "CRC32C mismatch in frame of length " + frameLength;
            case END_CLEAN:
                return "frame length 0 (no record written here)";
            case END_CHECKSUM_ORDER:
                return "record of length " + frameLength + " carries no checksum but a later record does (checksums are " +
                    "stored in record order, so this record was damaged after it was checksummed)";
            case END_UNCHECKSUMMED:
                return "record of length " + frameLength + " never checksummed, written by a process of an earlier boot " +
                    "(so never forced: its pages may be torn)";
            default:
                return "expected record count reached";
        }
    }

    /**
     * Receives each good frame of a scan.
     */
    @FunctionalInterface
    interface FrameVisitor
    {
        void onFrame(int relativeOffset, int position, int frameLength, long timestamp);
    }
}
