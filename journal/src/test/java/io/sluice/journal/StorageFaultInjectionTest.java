package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection at every storage call site of the journal through the {@link StorageFaults} seam: a
 * force of a segment or an index, the allocation of a spare segment (on the writer's thread and on the
 * background allocator), the rename that turns a spare into a segment, a directory fsync, the
 * re-extension of a short tail, and the writes of a consumer group's offsets file. Each fails as a full
 * disk would; each must end in an error naming the file, and nothing acknowledged may be lost: after
 * the fault is gone the journal reopens with every record acknowledged before, each exactly as written.
 */
class StorageFaultInjectionTest
{
    private static final String ENOSPC = "No space left on device";

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @AfterEach
    void clear()
    {
        StorageFaults.clear();
    }

    /** Fails the first operation of this kind on a file whose name ends so, and counts the failures. */
    private static AtomicInteger failOn(final StorageFaults.Operation operation, final String suffix)
    {
        final AtomicInteger failures = new AtomicInteger();
        StorageFaults.install((op, file) ->
        {
            if (op == operation && file.toString().endsWith(suffix))
            {
                failures.incrementAndGet();
                throw new IOException(ENOSPC);
            }
        });
        return failures;
    }

    private static JournalContext context(final Path journalDir, final boolean preallocate)
    {
        return JournalTestSupport.smallContext(journalDir).preallocateNextSegment(preallocate);
    }

    /** Reopens without faults and checks every record up to the end, which must cover {@code acknowledged}. */
    private void assertNothingAcknowledgedLost(final Path journalDir, final long acknowledged)
    {
        StorageFaults.clear();
        try (Journal journal = Journal.open(context(journalDir, false)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isGreaterThanOrEqualTo(acknowledged);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(partition.endOffset());
            JournalTestSupport.append(partition.writer(), scratch, partition.endOffset());
        }
    }

    private long appendAndForce(final Partition partition, final long from, final int count)
    {
        for (long i = from; i < from + count; i++)
        {
            JournalTestSupport.append(partition.writer(), scratch, i);
        }
        return partition.force();
    }

    @Test
    void shouldStopAcknowledgingWhenForcingASegmentFails()
    {
        final Path j = dir.resolve("j");
        final Journal journal = Journal.open(context(j, false));
        final Partition partition = journal.createTopic("t", 1).partition(0);
        final long durable = appendAndForce(partition, 0, 100);
        failOn(StorageFaults.Operation.FORCE, ".log");
        for (long i = 100; i < 150; i++)
        {
            JournalTestSupport.append(partition.writer(), scratch, i);
        }
        assertThatThrownBy(partition::force).isInstanceOf(JournalException.class)
            .hasMessageContaining("FATAL").hasMessageContaining(ENOSPC).hasMessageContaining(partition.directory().toString());
        assertThat(partition.fatalError()).isNotNull();
        assertThat(partition.durableOffset()).isEqualTo(durable);
        // A writer that lost the ability to make records durable acknowledges nothing more.
        assertThatThrownBy(() -> JournalTestSupport.append(partition.writer(), scratch, 150)).hasMessageContaining("FATAL");
        journal.close();
        assertNothingAcknowledgedLost(j, durable);
    }

    @Test
    void shouldStopAcknowledgingWhenTheDirectoryFsyncAfterARollFails()
    {
        final Path j = dir.resolve("j");
        final Journal journal = Journal.open(context(j, false));
        final Partition partition = journal.createTopic("t", 1).partition(0);
        final long durable = appendAndForce(partition, 0, 100);
        failOn(StorageFaults.Operation.FSYNC_DIRECTORY, "partition-0");
        long next = 100;
        while (partition.segmentInfos().size() == 1)
        {
            JournalTestSupport.append(partition.writer(), scratch, next++);
        }
        assertThatThrownBy(partition::force).hasMessageContaining("FATAL").hasMessageContaining(ENOSPC)
            .hasMessageContaining("partition-0");
        assertThat(partition.durableOffset()).isEqualTo(durable);
        journal.close();
        assertNothingAcknowledgedLost(j, durable);
    }

    @Test
    void shouldFailTheAppendThatRollsWhenTheSpareCannotBeAllocatedThenContinueWithoutAGap()
    {
        for (final boolean preallocate : new boolean[] {false, true})
        {
            final Path j = dir.resolve("j-" + preallocate);
            try (Journal journal = Journal.open(context(j, preallocate)))
            {
                final Partition partition = journal.createTopic("t", 1).partition(0);
                long durable = appendAndForce(partition, 0, 100);
                // The background allocator fails too: the writer allocates itself on roll and reports it.
                failOn(StorageFaults.Operation.ALLOCATE, "next.spare.log");
                long next = 100;
                JournalException failure = null;
                while (failure == null)
                {
                    try
                    {
                        JournalTestSupport.append(partition.writer(), scratch, next);
                        next++;
                    }
                    catch (final JournalException ex)
                    {
                        failure = ex;
                    }
                }
                assertThat(failure.category()).isEqualTo(JournalException.Category.IO);
                assertThat(failure.getMessage()).contains(ENOSPC, "next.spare.log");
                durable = partition.force();
                StorageFaults.clear();
                // The failed append got no offset: the next one takes it.
                assertThat(JournalTestSupport.append(partition.writer(), scratch, next)).isEqualTo(next);
                assertThat(partition.segmentInfos()).hasSize(2);
                assertThat(partition.force()).isEqualTo(next + 1);
                assertThat(durable).isEqualTo(next);
            }
            assertNothingAcknowledgedLost(j, 0);
        }
    }

    @Test
    void shouldFailTheAppendThatRollsWhenTheSpareCannotBeRenamedIntoPlace()
    {
        final Path j = dir.resolve("j");
        long durable;
        try (Journal journal = Journal.open(context(j, false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            durable = appendAndForce(partition, 0, 100);
            failOn(StorageFaults.Operation.RENAME, ".log");
            long next = 100;
            JournalException failure = null;
            while (failure == null)
            {
                try
                {
                    JournalTestSupport.append(partition.writer(), scratch, next);
                    next++;
                }
                catch (final JournalException ex)
                {
                    failure = ex;
                }
            }
            assertThat(failure.getMessage()).contains("cannot create segment", ENOSPC);
            durable = partition.force();
            assertThat(durable).isEqualTo(next);
        }
        assertNothingAcknowledgedLost(j, durable);
    }

    @Test
    void shouldRefuseToOpenWhenARebuiltIndexCannotBeForced() throws IOException
    {
        final Path j = dir.resolve("j");
        try (Journal journal = Journal.open(context(j, false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            appendAndForce(partition, 0, 3000);
        }
        final Path index = JournalDamageTest.index(j, 0);
        JournalDamageTest.flip(index, OffsetIndex.ENTRY_LENGTH * 3L + OffsetIndex.POSITION_OFFSET, 0x08);
        failOn(StorageFaults.Operation.FORCE, ".index");
        assertThatThrownBy(() -> Journal.open(context(j, false))).isInstanceOf(JournalException.class)
            .hasMessageContaining(index.toString()).hasMessageContaining(ENOSPC);
        assertNothingAcknowledgedLost(j, 3000);
    }

    @Test
    void shouldRefuseToOpenWhenAShortTailCannotBeReextended() throws IOException
    {
        final Path j = dir.resolve("j");
        try (Journal journal = Journal.open(context(j, false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            appendAndForce(partition, 0, 100);
        }
        final Path log = JournalDamageTest.log(j, 0);
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw"))
        {
            raf.setLength(4096);
        }
        failOn(StorageFaults.Operation.ALLOCATE, ".log");
        assertThatThrownBy(() -> Journal.open(context(j, false))).hasMessageContaining(log.toString()).hasMessageContaining(ENOSPC);
        StorageFaults.clear();
        try (Journal journal = Journal.open(context(j, false)))
        {
            assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isPositive();
        }
    }

    @Test
    void shouldKeepTheLastStoredGroupOffsetsWhenStoringFails()
    {
        final Path groups = dir.resolve("groups");
        final OffsetStore store = OffsetStore.open(groups, "g", 2);
        store.store(1, new long[] {10, 11});
        for (final StorageFaults.Operation operation : new StorageFaults.Operation[] {
            StorageFaults.Operation.FORCE, StorageFaults.Operation.RENAME})
        {
            failOn(operation, operation == StorageFaults.Operation.FORCE ? ".tmp" : ".offsets");
            assertThatThrownBy(() -> store.store(2, new long[] {20, 21})).isInstanceOf(GroupException.class)
                .hasMessageContaining(groups.toString()).hasMessageContaining(ENOSPC);
            StorageFaults.clear();
            assertThat(OffsetStore.readCommitted(groups, "g", 2)).containsExactly(10, 11);
        }
        failOn(StorageFaults.Operation.FSYNC_DIRECTORY, "groups");
        assertThatThrownBy(() -> store.store(3, new long[] {30, 31})).hasMessageContaining(ENOSPC);
        StorageFaults.clear();
        // The rename happened, its directory entry was not forced: either file is a valid answer.
        assertThat(OffsetStore.readCommitted(groups, "g", 2)).satisfiesAnyOf(
            o -> assertThat(o).containsExactly(10, 11), o -> assertThat(o).containsExactly(30, 31));
    }
}
