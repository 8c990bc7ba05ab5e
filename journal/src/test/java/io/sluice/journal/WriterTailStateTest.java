package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer keeps its tail's position, record count and maximum timestamp itself and tells the segment
 * only at index checkpoints and when it seals it; what other threads see must still be exact: the
 * live tail's bytes used and maximum timestamp after every record, sealed segments' state, what a
 * reopen recovers, and the frames' first word (length and the "not yet checksummed" marker, one store).
 */
class WriterTailStateTest
{
    private static final int RECORDS = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    void shouldReportExactTailStateAfterEveryAppendAcrossCheckpointsAndRolls(final boolean staged)
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[300]);
        final long[] timestamps = new long[RECORDS];
        final int[] alignedLengths = new int[RECORDS];
        try (Journal journal = Journal.open(new JournalContext().directory(dir)
            .segmentLength(JournalTestSupport.SMALL_SEGMENT).indexIntervalBytes(64).externalDuties(true).stagedWrites(staged)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            long segmentMax = Long.MIN_VALUE;
            long segmentBytes = SegmentDescriptor.HEADER_LENGTH;
            int segments = 1;
            for (int i = 0; i < RECORDS; i++)
            {
                // Out of order, with long stretches below the running maximum (no new time index entry).
                final long timestamp = random.nextInt(8) == 0 ? random.nextInt(1_000_000) : 500_000 + random.nextInt(1000);
                final int length = random.nextInt(payload.capacity());
                timestamps[i] = timestamp;
                alignedLengths[i] = RecordDescriptor.alignedFrameLength(length);
                assertThat(writer.append(1, 0, timestamp, i, payload, 0, length)).as("seed %d", seed).isEqualTo(i);

                final List<SegmentInfo> infos = partition.segmentInfos();
                if (infos.size() > segments)
                {
                    final SegmentInfo sealed = infos.get(infos.size() - 2);
                    assertThat(sealed.bytesUsed()).as("sealed bytes, seed %d", seed).isEqualTo(segmentBytes);
                    assertThat(sealed.maxTimestamp()).as("sealed max, seed %d", seed).isEqualTo(segmentMax);
                    segments = infos.size();
                    segmentBytes = SegmentDescriptor.HEADER_LENGTH;
                    segmentMax = Long.MIN_VALUE;
                }
                segmentBytes += alignedLengths[i];
                segmentMax = Math.max(segmentMax, timestamp);
                final SegmentInfo tail = infos.get(infos.size() - 1);
                assertThat(tail.bytesUsed()).as("tail bytes after record %d, seed %d", i, seed).isEqualTo(segmentBytes);
                assertThat(tail.maxTimestamp()).as("tail max after record %d, seed %d", i, seed).isEqualTo(segmentMax);
                final UnsafeBuffer segment = partition.segments()[partition.segments().length - 1].buffer();
                final int at = (int)(segmentBytes - alignedLengths[i]);
                assertThat(segment.getInt(at + RecordDescriptor.LENGTH_OFFSET)).isEqualTo(RecordDescriptor.HEADER_LENGTH + length);
                if (staged)
                {
                    assertThat(segment.getInt(at + RecordDescriptor.CRC_OFFSET)).as("written checksummed")
                        .isNotEqualTo(RecordDescriptor.UNCHECKSUMMED);
                }
                else
                {
                    assertThat(segment.getInt(at + RecordDescriptor.CRC_OFFSET)).isEqualTo(RecordDescriptor.UNCHECKSUMMED);
                }
            }
            assertThat(segments).as("the test must cross several segments").isGreaterThan(3);
            partition.force();
        }

        try (Journal journal = Journal.open(new JournalContext().directory(dir)
            .segmentLength(JournalTestSupport.SMALL_SEGMENT).indexIntervalBytes(64).externalDuties(true)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(RECORDS);
            final PartitionReader reader = partition.newReader();
            for (int probe = 0; probe < 50; probe++)
            {
                // The indexes the writer wrote at its checkpoints lead every seek to the right record.
                final int target = random.nextInt(RECORDS);
                reader.seek(target);
                final long[] seen = new long[2];
                assertThat(reader.poll(record -> { seen[0] = record.offset(); seen[1] = record.timestamp(); }, 1)).isEqualTo(1);
                assertThat(seen[0]).as("seed %d", seed).isEqualTo(target);
                assertThat(seen[1]).as("seed %d", seed).isEqualTo(timestamps[target]);
            }
            final PartitionWriter writer = partition.writer();
            assertThat(writer.append(1, 0, 2_000_000, 0, new UnsafeBuffer(new byte[8]), 0, 8)).isEqualTo(RECORDS);
            final List<SegmentInfo> infos = partition.segmentInfos();
            assertThat(infos.get(infos.size() - 1).maxTimestamp()).isEqualTo(2_000_000);
        }
    }
}
