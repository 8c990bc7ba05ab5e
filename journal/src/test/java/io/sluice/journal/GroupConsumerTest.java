/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.collections.MutableLong;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupConsumerTest
{
    private static final int PARTITIONS = 4;
    private static final long SESSION_MS = 3_000;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
    private Journal journal;
    private Topic topic;
    private GroupCoordinator coordinator;

    /** A delivered record: which partition, which offset, and the sequence the payload says it carries. */
    private record Delivery(String member, int partition, long offset)
    {
    }

    @BeforeEach
    void open()
    {
        clock.update(1_000_000);
        journal = Journal.open(JournalTestSupport.smallContext(dir));
        topic = journal.createTopic("orders", PARTITIONS);
        coordinator = new GroupCoordinator(topic, clock);
    }

    @AfterEach
    void close()
    {
        coordinator.close();
        journal.close();
    }

    @Test
    void shouldDeliverEveryRecordOnceToSoleMemberAndResumeAfterRestartFromCommit()
    {
        appendToEach(10);
        final List<Delivery> deliveries = new ArrayList<>();
        final GroupConsumer consumer = coordinator.newConsumer("g", "a", SESSION_MS);

        assertThat(drain(consumer, deliveries)).isEqualTo(10 * PARTITIONS);
        assertDeliveredExactlyOnce(deliveries, 10);
        assertThat(coordinator.lag("g", 0)).isEqualTo(10);

        consumer.commit();
        assertThat(coordinator.committedOffset("g", 2)).isEqualTo(10);
        assertThat(coordinator.lag("g", 2)).isZero();

        coordinator.close();
        journal.close();
        journal = Journal.open(JournalTestSupport.smallContext(dir));
        topic = journal.topic("orders");
        coordinator = new GroupCoordinator(topic, clock);
        appendToEach(5);

        final List<Delivery> afterRestart = new ArrayList<>();
        final GroupConsumer restarted = coordinator.newConsumer("g", "a", SESSION_MS);
        assertThat(drain(restarted, afterRestart)).isEqualTo(5 * PARTITIONS);
        assertThat(afterRestart).allSatisfy(d -> assertThat(d.offset()).isGreaterThanOrEqualTo(10));
        assertThat(coordinator.groupNames()).containsExactly("g");
        restarted.close();
    }

    @Test
    void shouldSplitPartitionsWhenMemberJoinsAndHandOverWithoutDuplicatesOrGaps()
    {
        appendToEach(20);
        final List<Delivery> deliveries = new ArrayList<>();
        final GroupConsumer a = coordinator.newConsumer("g", "a", SESSION_MS);
        assertThat(a.poll(record -> deliveries.add(delivery("a", record)), 30)).isEqualTo(30);

        final GroupConsumer b = coordinator.newConsumer("g", "b", SESSION_MS);
        assertThat(b.assignment().ownedCount()).as("a has not released yet").isZero();
        assertThat(b.poll(record -> deliveries.add(delivery("b", record)), 100)).isZero();

        drain(a, deliveries);
        assertThat(a.assignment().ownedCount()).isEqualTo(2);
        assertThat(a.assignment().owns(0)).isTrue();
        drain(b, deliveries);
        assertThat(b.assignment().ownedCount()).isEqualTo(2);
        assertThat(b.assignment().owns(3)).isTrue();

        assertDeliveredExactlyOnce(deliveries, 20);
        assertThat(deliveries).filteredOn(d -> d.partition() >= 2 && d.member().equals("b")).isNotEmpty();
        assertThat(deliveries).filteredOn(d -> d.partition() < 2).allMatch(d -> d.member().equals("a"));
        a.close();
        b.close();
    }

    @Test
    void shouldGiveLeavingMembersPartitionsToOthersAtItsPosition()
    {
        appendToEach(8);
        final List<Delivery> deliveries = new ArrayList<>();
        final GroupConsumer a = coordinator.newConsumer("g", "a", SESSION_MS);
        final GroupConsumer b = coordinator.newConsumer("g", "b", SESSION_MS);
        drain(a, deliveries);
        drain(b, deliveries);
        appendToEach(4);
        b.poll(record -> deliveries.add(delivery("b", record)), 3);

        b.close();
        drain(a, deliveries);

        assertThat(a.assignment().ownedCount()).isEqualTo(PARTITIONS);
        assertDeliveredExactlyOnce(deliveries, 12);
        a.close();
    }

    @Test
    void shouldTakeOverFromTimedOutMemberAtCommittedOffset()
    {
        appendToEach(10);
        final List<Delivery> deliveries = new ArrayList<>();
        final GroupConsumer a = coordinator.newConsumer("g", "a", SESSION_MS);
        final GroupConsumer b = coordinator.newConsumer("g", "b", SESSION_MS);
        drain(a, deliveries);
        b.poll(record -> deliveries.add(delivery("b", record)), 8);
        b.commit();
        final long committed2 = coordinator.committedOffset("g", 2);
        final long committed3 = coordinator.committedOffset("g", 3);
        b.poll(record -> deliveries.add(delivery("b", record)), 5); // consumed but never committed: b then hangs

        for (int i = 0; i < 4; i++)
        {
            clock.advance(SESSION_MS / 3);
            a.poll(record -> deliveries.add(delivery("a", record)), 0);
        }
        coordinator.doWork();
        assertThat(coordinator.group("g").memberIds()).containsExactly("a");

        final List<Delivery> takenOver = new ArrayList<>();
        drain(a, takenOver);
        assertThat(a.assignment().ownedCount()).isEqualTo(PARTITIONS);
        assertThat(takenOver).filteredOn(d -> d.partition() == 2).first().extracting(Delivery::offset)
            .isEqualTo(committed2);
        assertThat(takenOver).filteredOn(d -> d.partition() == 3).first().extracting(Delivery::offset)
            .isEqualTo(committed3);
        deliveries.addAll(takenOver);
        assertEveryRecordDelivered(deliveries, 10);

        assertThatThrownBy(b::commit)
            .isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.UNKNOWN_MEMBER));
        a.close();
    }

    @Test
    void shouldFanOutEveryRecordToEachGroup()
    {
        appendToEach(15);
        final List<Delivery> first = new ArrayList<>();
        final List<Delivery> second = new ArrayList<>();
        final GroupConsumer a1 = coordinator.newConsumer("first", "a", SESSION_MS);
        final GroupConsumer a2 = coordinator.newConsumer("first", "b", SESSION_MS);
        final GroupConsumer b1 = coordinator.newConsumer("second", "a", SESSION_MS);

        for (int round = 0; round < 4; round++)
        {
            a1.poll(record -> first.add(delivery("a", record)), 7);
            a2.poll(record -> first.add(delivery("b", record)), 7);
            b1.poll(record -> second.add(delivery("a", record)), 7);
        }
        drain(a1, first);
        drain(a2, first);
        drain(b1, second);

        assertDeliveredExactlyOnce(first, 15);
        assertDeliveredExactlyOnce(second, 15);
        assertThat(coordinator.groupNames()).containsExactly("first", "second");
        a1.close();
        a2.close();
        b1.close();
        assertThat(coordinator.lag("first", 1)).isZero();
        assertThat(coordinator.lag("second", 1)).isZero();
    }

    @Test
    void shouldDeliverZeroCopyViewsOverJournalBytes()
    {
        appendToEach(1);
        final GroupConsumer consumer = coordinator.newConsumer("g", "a", SESSION_MS);
        final MutableLong sum = new MutableLong();

        final int delivered = consumer.poll(record ->
        {
            assertThat(record.payloadLength()).isEqualTo(12);
            sum.addAndGet(record.buffer().getInt(record.payloadOffset()));
        }, 10);

        assertThat(delivered).isEqualTo(PARTITIONS);
        assertThat(sum.get()).isEqualTo(0 + 1 + 2 + 3);
        assertThat(consumer.position(0)).isEqualTo(1);
        consumer.close();
        assertThat(coordinator.committedOffset("g", 0)).isEqualTo(1);
        assertThatThrownBy(() -> consumer.poll(record -> { }, 1)).isInstanceOf(GroupException.class);
    }

    @Test
    void shouldRejoinAfterBeingEvictedAndReadFromCommittedOffset()
    {
        appendToEach(3);
        final List<Delivery> deliveries = new ArrayList<>();
        final GroupConsumer a = coordinator.newConsumer("g", "a", SESSION_MS);
        drain(a, deliveries);
        clock.advance(SESSION_MS + 1);
        coordinator.doWork();
        assertThat(coordinator.group("g").memberIds()).isEmpty();

        drain(a, deliveries);

        assertThat(coordinator.group("g").memberIds()).containsExactly("a");
        assertThat(deliveries).hasSize(2 * 3 * PARTITIONS);
        assertEveryRecordDelivered(deliveries, 3);
        a.close();
    }

    @Test
    void shouldReportLagFromEarliestWhenNothingCommitted()
    {
        appendToEach(6);

        assertThat(coordinator.committedOffset("fresh", 0)).isEqualTo(NULL_OFFSET);
        assertThat(coordinator.lag("fresh", 0)).isEqualTo(6);
    }

    @Test
    void shouldResumeAtEarliestRetainedRecordWhenRetentionDeletedTheCommittedOffset()
    {
        coordinator.close();
        journal.close();
        final JournalContext context = JournalTestSupport.smallContext(dir.resolve("retained"))
            .retentionBytes(4L * JournalTestSupport.SMALL_SEGMENT);
        try (Journal retained = Journal.open(context))
        {
            final Topic t = retained.createTopic("t", 1);
            final GroupCoordinator groups = new GroupCoordinator(t, clock);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);
            for (long i = 0; i < 10; i++)
            {
                JournalTestSupport.append(t.partition(0).writer(), payload, i);
            }
            final GroupConsumer first = groups.newConsumer("g", "a", SESSION_MS);
            first.poll(record -> { }, 5);
            first.close();
            assertThat(groups.committedOffset("g", 0)).isEqualTo(5);

            for (long i = 10; i < 10_000; i++)
            {
                JournalTestSupport.append(t.partition(0).writer(), payload, i);
            }
            assertThat(retained.enforceRetention()).isPositive();
            final long start = t.partition(0).startOffset();
            assertThat(start).isGreaterThan(5);
            assertThat(groups.lag("g", 0)).isEqualTo(10_000 - start);

            final GroupConsumer second = groups.newConsumer("g", "b", SESSION_MS);
            final MutableLong firstOffset = new MutableLong(-1);
            second.poll(record -> firstOffset.set(record.offset()), 1);
            assertThat(firstOffset.get()).isEqualTo(start);
            second.close();
            groups.close();
        }
        journal = Journal.open(JournalTestSupport.smallContext(dir));
        coordinator = new GroupCoordinator(journal.topic("orders"), clock);
    }

    private void appendToEach(final int count)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final Partition partition = topic.partition(p);
            for (int i = 0; i < count; i++)
            {
                final long offset = partition.endOffset();
                scratch.putInt(0, p);
                scratch.putLong(4, offset);
                assertThat(partition.writer().append(1, 0, clock.time(), offset, scratch, 0, 12)).isEqualTo(offset);
            }
        }
    }

    private static Delivery delivery(final String member, final RecordView record)
    {
        final int partition = record.buffer().getInt(record.payloadOffset());
        assertThat(record.buffer().getLong(record.payloadOffset() + 4)).isEqualTo(record.offset());
        return new Delivery(member, partition, record.offset());
    }

    private static int drain(final GroupConsumer consumer, final List<Delivery> deliveries)
    {
        int total = 0;
        int delivered;
        int idle = 0;
        do
        {
            delivered = consumer.poll(record -> deliveries.add(delivery(consumer.memberId(), record)), 3);
            total += delivered;
            idle = delivered == 0 ? idle + 1 : 0;
        }
        while (idle < 2);
        return total;
    }

    private static void assertDeliveredExactlyOnce(final List<Delivery> deliveries, final int perPartition)
    {
        assertThat(deliveries).hasSize(perPartition * PARTITIONS);
        assertEveryRecordDelivered(deliveries, perPartition);
    }

    private static void assertEveryRecordDelivered(final List<Delivery> deliveries, final int perPartition)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final int partition = p;
            final List<Long> offsets = deliveries.stream()
                .filter(d -> d.partition() == partition).map(Delivery::offset).distinct().sorted().toList();
            assertThat(offsets).as("partition %d", p).hasSize(perPartition);
            assertThat(offsets.get(perPartition - 1)).isEqualTo(perPartition - 1);
        }
    }
}
