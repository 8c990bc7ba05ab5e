package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionAndDurabilityTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldDeleteWholeOldestSegmentsBeyondRetainedSize()
    {
        final JournalContext context = JournalTestSupport.smallContext(dir).retentionBytes(4L * JournalTestSupport.SMALL_SEGMENT);
        try (Journal journal = Journal.open(context))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 10_000; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            final int before = partition.segmentInfos().size();
            assertThat(before).isGreaterThan(4);
            assertThat(journal.enforceRetention()).isEqualTo(before - 4);
            assertThat(partition.sizeInBytes()).isLessThanOrEqualTo(4L * JournalTestSupport.SMALL_SEGMENT);
            final long start = partition.startOffset();
            assertThat(start).isPositive();
            assertThat(PartitionRoundTripTest.readAll(partition, start)).isEqualTo(10_000 - start);
            try (PartitionReader reader = partition.newReader())
            {
                assertThatThrownBy(() -> reader.seek(0))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining("before the start " + start);
            }
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).outOfRangePolicy(JournalContext.OutOfRangePolicy.MOVE_TO_START)))
        {
            final Partition partition = journal.topic("t").partition(0);
            try (PartitionReader reader = partition.newReader())
            {
                reader.seek(0);
                assertThat(reader.position()).isEqualTo(partition.startOffset());
            }
        }
    }

    @Test
    void shouldDeleteSegmentsOlderThanRetainedAgeButKeepWhatIsStillNeeded()
    {
        final long[] now = {0};
        final JournalContext context = JournalTestSupport.smallContext(dir)
            .retentionMillis(1_000)
            .epochClock(() -> now[0]);
        try (Journal journal = Journal.open(context))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 5000; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            final long newestTimestamp = JournalTestSupport.timestampOf(4999);
            now[0] = newestTimestamp; // nothing older than a second yet, except the oldest segments
            final int segments = partition.segmentInfos().size();
            // A checkpoint still needs offset 100: the segment holding it must stay.
            assertThat(partition.enforceRetention(now[0] + 1_000_000, 100)).isZero();
            assertThat(partition.enforceRetention(now[0] + 1_000_000, Long.MAX_VALUE)).isEqualTo(segments - 1);
            assertThat(partition.segmentInfos()).hasSize(1);
        }
    }

    @Test
    void shouldMakeRecordsDurableThroughGroupCommit()
    {
        final JournalContext context = JournalTestSupport.smallContext(dir)
            .groupCommit(true)
            .groupCommitRecords(100)
            .groupCommitDelayNs(TimeUnit.MILLISECONDS.toNanos(1));
        try (Journal journal = Journal.open(context))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            long last = -1;
            for (long i = 0; i < 3000; i++)
            {
                last = JournalTestSupport.append(partition.writer(), scratch, i);
            }
            partition.writer().awaitDurable(last, new SleepingIdleStrategy(100_000));
            assertThat(partition.durableOffset()).isGreaterThan(last);
        }
    }

    @Test
    void shouldForceSynchronouslyWithoutGroupCommit()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final long offset = JournalTestSupport.append(partition.writer(), scratch, 0);
            assertThat(partition.durableOffset()).isEqualTo(0);
            partition.writer().awaitDurable(offset, new BusySpinIdleStrategy());
            assertThat(partition.durableOffset()).isEqualTo(1);
        }
    }
}
