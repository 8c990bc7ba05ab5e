package io.sluice.journal;

import java.nio.file.Path;

/**
 * A description of one segment of a partition, for tools and metrics.
 *
 * @param file         the segment's log file.
 * @param baseOffset   offset of its first record.
 * @param recordCount  records it holds.
 * @param bytesUsed    bytes written, header included.
 * @param capacity     the file's length.
 * @param maxTimestamp largest record timestamp, Long.MIN_VALUE when empty.
 */
public record SegmentInfo(Path file, long baseOffset, long recordCount, long bytesUsed, long capacity, long maxTimestamp)
{
}
