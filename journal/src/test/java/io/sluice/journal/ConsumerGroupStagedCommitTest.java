/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Staged commits against real files: a commit accepted without I/O, its store held at the offsets file's force (the
 * {@link StorageFaults} seam) on a writer thread while the group goes on serving its members, durable only once the
 * store completes; a failed store names the group and the file, fails the commits it covered, and the next store
 * makes the group's offsets durable.
 */
@Timeout(120)
class ConsumerGroupStagedCommitTest
{
    private static final int PARTITIONS = 2;
    private static final long SESSION_MS = 600_000;
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path groupsDir;

    @AfterEach
    void clearFaults()
    {
        StorageFaults.clear();
    }

    @Test
    void shouldServeMembersWhileAStoreIsHeldAndBeDurableOnlyOnceItCompletes() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        StorageFaults.install((operation, file) ->
        {
            if (operation == StorageFaults.Operation.FORCE && file.getFileName().toString().equals("g" + OffsetFileDescriptor.TEMP_SUFFIX))
            {
                entered.countDown();
                awaitLatch(release);
            }
        });

        try (ConsumerGroup group = new ConsumerGroup("g", groupsDir, PARTITIONS, SystemEpochClock.INSTANCE))
        {
            final long generation = group.join("a", SESSION_MS);
            group.sync("a", null, new MemberAssignment(PARTITIONS));
            final long ticket = group.stageCommit("a", generation, new long[]{ 10, 20 });
            assertThat(ticket).isPositive();
            assertThat(group.committedOffset(0)).as("accepted at once: a new owner resumes from it").isEqualTo(10);
            assertThat(group.isCommitDurable(ticket)).isFalse();

            final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    group.storeStagedCommits();
                }
                catch (final Throwable ex)
                {
                    writerFailure.set(ex);
                }
            }, "offsets-writer");
            writer.start();
            assertThat(entered.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).as("the writer reached the offsets file's force").isTrue();

            // The writer is inside the store: every call of the members goes on (they would wait on the lock otherwise).
            assertThat(group.heartbeat("a")).isTrue();
            group.join("b", SESSION_MS);
            final MemberAssignment a = group.sync("a", null, new MemberAssignment(PARTITIONS));
            assertThat(a.ownedCount()).isEqualTo(1);
            final long second = group.stageCommit("a", group.generation(), new long[]{ 11, NULL_OFFSET });
            assertThat(second).isGreaterThan(ticket);
            final MemberAssignment b = group.sync("b", null, new MemberAssignment(PARTITIONS));
            assertThat(b.acquired(1)).isTrue();
            assertThat(b.resumeOffset(1)).as("the partition moved resumes from the accepted commit").isEqualTo(20);
            assertThat(group.isCommitDurable(ticket)).as("not durable while its store is held").isFalse();
            assertThat(OffsetStore.readCommitted(groupsDir, "g", PARTITIONS)).as("nothing on disk yet")
                .containsExactly(NULL_OFFSET, NULL_OFFSET);

            release.countDown();
            writer.join(DEADLINE_MS);
            assertThat(writerFailure.get()).isNull();
            assertThat(group.isCommitDurable(ticket)).isTrue();
            assertThat(group.isCommitDurable(second)).as("staged after the store began: the next store's").isFalse();
            assertThat(OffsetStore.readCommitted(groupsDir, "g", PARTITIONS)).containsExactly(10, 20);

            assertThat(group.storeStagedCommits()).isEqualTo(1);
            assertThat(group.isCommitDurable(second)).isTrue();
            assertThat(group.storeStagedCommits()).as("nothing staged").isZero();
            assertThat(OffsetStore.readCommitted(groupsDir, "g", PARTITIONS)).containsExactly(11, 20);
        }
    }

    @Test
    void shouldFailTheCommitsAStoreCoveredNamingTheGroupAndTheFileAndStoreThemWithTheNextCommit()
    {
        final String enospc = "No space left on device";
        final java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        StorageFaults.install((operation, file) ->
        {
            if (failing.get() && operation == StorageFaults.Operation.FORCE && file.toString().endsWith(OffsetFileDescriptor.TEMP_SUFFIX))
            {
                throw new IOException(enospc);
            }
        });

        try (ConsumerGroup group = new ConsumerGroup("orders", groupsDir, PARTITIONS, SystemEpochClock.INSTANCE))
        {
            final long generation = group.join("a", SESSION_MS);
            group.sync("a", null, new MemberAssignment(PARTITIONS));
            final long ticket = group.stageCommit("a", generation, new long[]{ 5, 6 });
            assertThatThrownBy(group::storeStagedCommits).isInstanceOfSatisfying(GroupException.class, ex ->
                assertThat(ex.reason()).isEqualTo(GroupException.Reason.IO_ERROR));
            assertThat(group.hasCommitFailed(ticket)).isTrue();
            assertThat(group.isCommitDurable(ticket)).isFalse();
            assertThat(group.commitFailure().getMessage()).contains("'orders'").contains(group.offsetsFile().toString())
                .contains(enospc);
            assertThat(group.hasStagedCommits()).as("a failed store is not retried on its own").isFalse();

            // The blocking commit fails the same way, with the group and the file named.
            assertThatThrownBy(() -> group.commit("a", generation, new long[]{ 7, NULL_OFFSET }))
                .isInstanceOfSatisfying(GroupException.class, ex -> assertThat(ex.reason()).isEqualTo(GroupException.Reason.IO_ERROR))
                .hasMessageContaining("'orders'").hasMessageContaining(group.offsetsFile().toString());

            failing.set(false);
            final long next = group.stageCommit("a", generation, new long[]{ 8, NULL_OFFSET });
            assertThat(group.storeStagedCommits()).isEqualTo(1);
            assertThat(group.isCommitDurable(next)).isTrue();
            assertThat(group.hasCommitFailed(next)).isFalse();
            // The failed commit's offset of partition 1 was the member's consumed position: it is stored with the next.
            assertThat(OffsetStore.readCommitted(groupsDir, "orders", PARTITIONS)).containsExactly(8, 6);
        }
    }

    @Test
    void shouldStoreWhatIsStagedWhenTheGroupCloses()
    {
        final long ticket;
        try (ConsumerGroup group = new ConsumerGroup("g", groupsDir, PARTITIONS, SystemEpochClock.INSTANCE))
        {
            final long generation = group.join("a", SESSION_MS);
            group.sync("a", null, new MemberAssignment(PARTITIONS));
            ticket = group.stageCommit("a", generation, new long[]{ 3, 4 });
            assertThat(group.isCommitDurable(ticket)).isFalse();
        }
        assertThat(OffsetStore.readCommitted(groupsDir, "g", PARTITIONS)).containsExactly(3, 4);
        try (ConsumerGroup reopened = new ConsumerGroup("g", groupsDir, PARTITIONS, SystemEpochClock.INSTANCE))
        {
            reopened.join("b", SESSION_MS);
            final MemberAssignment b = reopened.sync("b", null, new MemberAssignment(PARTITIONS));
            assertThat(b.resumeOffset(0)).isEqualTo(3);
            assertThat(b.resumeOffset(1)).isEqualTo(4);
        }
    }

    @Test
    void shouldLetABlockingCommitWaitForTheWriterThatHoldsTheStore() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        StorageFaults.install((operation, file) ->
        {
            if (operation == StorageFaults.Operation.FORCE && file.toString().endsWith(OffsetFileDescriptor.TEMP_SUFFIX) &&
                entered.getCount() > 0)
            {
                entered.countDown();
                awaitLatch(release);
            }
        });
        try (ConsumerGroup group = new ConsumerGroup("g", groupsDir, PARTITIONS, SystemEpochClock.INSTANCE))
        {
            final long generation = group.join("a", SESSION_MS);
            group.sync("a", null, new MemberAssignment(PARTITIONS));
            group.stageCommit("a", generation, new long[]{ 1, 1 });
            final Thread writer = new Thread(group::storeStagedCommits, "offsets-writer");
            writer.start();
            assertThat(entered.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();

            final AtomicReference<Throwable> committerFailure = new AtomicReference<>();
            final CountDownLatch committed = new CountDownLatch(1);
            final Thread committer = new Thread(() ->
            {
                try
                {
                    group.commit("a", generation, new long[]{ 2, 2 });
                    committed.countDown();
                }
                catch (final Throwable ex)
                {
                    committerFailure.set(ex);
                }
            }, "blocking-committer");
            committer.start();
            await(() -> committer.getState() == Thread.State.BLOCKED || committer.getState() == Thread.State.WAITING,
                "the blocking commit waits for the store in progress");
            assertThat(committed.getCount()).as("not returned while the store is held").isOne();
            assertThat(group.heartbeat("a")).as("the group is not locked meanwhile").isTrue();

            release.countDown();
            assertThat(committed.await(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
            writer.join(DEADLINE_MS);
            committer.join(DEADLINE_MS);
            assertThat(committerFailure.get()).isNull();
            assertThat(OffsetStore.readCommitted(groupsDir, "g", PARTITIONS)).containsExactly(2, 2);
        }
    }

    private static void awaitLatch(final CountDownLatch latch) throws IOException
    {
        try
        {
            if (!latch.await(DEADLINE_MS, TimeUnit.MILLISECONDS))
            {
                throw new IOException("the test never released the held store");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(1); // poll interval of a wait bounded by DEADLINE_MS
        }
    }
}
