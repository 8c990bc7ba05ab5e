/**
 * The Sluice journal: topics made of partitions, each an append-only, segmented, memory-mapped
 * log with a CRC32C per record, a sparse offset index and a time index per segment.
 *
 * <p>Public surface: {@link io.sluice.journal.Journal}, {@link io.sluice.journal.JournalContext},
 * {@link io.sluice.journal.Topic}, {@link io.sluice.journal.Partition},
 * {@link io.sluice.journal.PartitionWriter}, {@link io.sluice.journal.PartitionReader},
 * {@link io.sluice.journal.RecordView}, {@link io.sluice.journal.RecordHandler},
 * {@link io.sluice.journal.JournalException}. Everything else is package-private.
 *
 * <p>On-disk layout of a journal directory (directories 0700, files 0600):
 * <pre>
 *   &lt;journal&gt;/&lt;topic&gt;/topic.meta                       partition count, see TopicMetadata
 *   &lt;journal&gt;/&lt;topic&gt;/partition-&lt;n&gt;/&lt;base&gt;.log         segment, see SegmentDescriptor and RecordDescriptor
 *   &lt;journal&gt;/&lt;topic&gt;/partition-&lt;n&gt;/&lt;base&gt;.index       sparse offset index, see OffsetIndex
 *   &lt;journal&gt;/&lt;topic&gt;/partition-&lt;n&gt;/&lt;base&gt;.timeindex   time index, see TimeIndex
 *   &lt;journal&gt;/&lt;topic&gt;/partition-&lt;n&gt;/next.spare        pre-allocated next segment
 * </pre>
 * {@code <base>} is the offset of the segment's first record, zero-padded to 20 digits.
 */
package io.sluice.journal;
