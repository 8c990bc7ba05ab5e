/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Members of one group on their own threads, with a producer appending and members joining and leaving meanwhile:
 * every record is delivered exactly once (no member is evicted, so every hand-over is a cooperative one).
 */
class GroupConsumerConcurrencyTest
{
    private static final int PARTITIONS = 6;
    private static final int RECORDS_PER_PARTITION = 5_000;
    private static final long SESSION_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEachRecordExactlyOnceWhileMembersJoinAndLeaveOnOtherThreads() throws Exception
    {
        final int total = PARTITIONS * RECORDS_PER_PARTITION;
        final AtomicIntegerArray counts = new AtomicIntegerArray(total);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean producerDone = new AtomicBoolean();

        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Topic topic = journal.createTopic("t", PARTITIONS);
            final GroupCoordinator coordinator = new GroupCoordinator(topic, SystemEpochClock.INSTANCE);
            final Thread producer = new Thread(() ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
                for (int i = 0; i < RECORDS_PER_PARTITION; i++)
                {
                    for (int p = 0; p < PARTITIONS; p++)
                    {
                        buffer.putInt(0, p);
                        topic.partition(p).writer().append(1, 0, i, i, buffer, 0, 4);
                    }
                }
                producerDone.set(true);
            }, "producer");

            final List<Thread> members = new ArrayList<>();
            final CountDownLatch lateJoinerStarted = new CountDownLatch(1);
            for (int m = 0; m < 3; m++)
            {
                final boolean leavesEarly = m == 2;
                members.add(memberThread(coordinator, "m" + m, counts, total, failure, leavesEarly, null));
            }
            members.add(memberThread(coordinator, "late", counts, total, failure, false, lateJoinerStarted));

            producer.start();
            for (int i = 0; i < 3; i++)
            {
                members.get(i).start();
            }
            // The late member joins once the first three are in the group (a condition, with a deadline).
            final long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (coordinator.group("g").memberIds().size() < 3 && System.nanoTime() < joinDeadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            members.get(3).start();
            assertThat(lateJoinerStarted.await(30, TimeUnit.SECONDS)).isTrue();

            producer.join(TimeUnit.SECONDS.toMillis(60));
            for (final Thread member : members)
            {
                member.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(member.isAlive()).as(member.getName()).isFalse();
            }
            coordinator.close();
        }

        if (null != failure.get())
        {
            throw new AssertionError(failure.get());
        }
        assertThat(producerDone.get()).isTrue();
        for (int i = 0; i < total; i++)
        {
            assertThat(counts.get(i)).as("deliveries of record %d", i).isEqualTo(1);
        }
    }

    private static Thread memberThread(
        final GroupCoordinator coordinator,
        final String memberId,
        final AtomicIntegerArray counts,
        final int total,
        final AtomicReference<Throwable> failure,
        final boolean leavesEarly,
        final CountDownLatch started)
    {
        return new Thread(() ->
        {
            try (GroupConsumer consumer = coordinator.newConsumer("g", memberId, SESSION_MS))
            {
                if (null != started)
                {
                    started.countDown();
                }
                final RecordHandler handler = record ->
                {
                    final int partition = record.buffer().getInt(record.payloadOffset());
                    counts.incrementAndGet((int)(record.offset() * PARTITIONS + partition));
                };
                int polls = 0;
                while (!allDelivered(counts, total) && null == failure.get())
                {
                    if (consumer.poll(handler, 1 + (polls & 31)) == 0)
                    {
                        Thread.onSpinWait();
                    }
                    if ((++polls & 1023) == 0)
                    {
                        consumer.commit();
                    }
                    if (leavesEarly && polls == 20_000)
                    {
                        return; // close() leaves the group, committing its positions
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, memberId);
    }

    private static boolean allDelivered(final AtomicIntegerArray counts, final int total)
    {
        for (int i = total - 1; i >= 0; i--)
        {
            if (counts.get(i) == 0)
            {
                return false;
            }
        }
        return true;
    }
}
