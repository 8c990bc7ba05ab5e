package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionRoundTripTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldReadBackEveryRecordAcrossSegmentRollsAndReopen()
    {
        final int count = 20_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < count; i++)
            {
                assertThat(JournalTestSupport.append(partition.writer(), scratch, i)).isEqualTo(i);
            }
            assertThat(partition.segmentInfos().size()).isGreaterThan(10);
            assertThat(readAll(partition, 0)).isEqualTo(count);
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(journal.recoveryEvents()).isEmpty();
            assertThat(partition.endOffset()).isEqualTo(count);
            assertThat(readAll(partition, 0)).isEqualTo(count);
            assertThat(readAll(partition, 12_345)).isEqualTo(count - 12_345);
            JournalTestSupport.append(partition.writer(), scratch, count);
            assertThat(readAll(partition, count - 3)).isEqualTo(4);
        }
    }

    @Test
    void shouldPeekTheKeysOfTheNextRecordsWithoutMovingAcrossSegmentRollsAndReopen()
    {
        final int count = 20_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < count; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
        }
        // Reopened: the sealed segments are trusted by their seal marks, so poll checksums what it delivers.
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir));
            PartitionReader reader = journal.topic("t").partition(0).newReader())
        {
            final long[] keys = new long[16];
            final long[] next = {0};
            final List<String> problems = new ArrayList<>();
            int segmentEnds = 0;
            while (next[0] < count)
            {
                final long position = reader.position();
                final int peeked = reader.peekKeys(keys, 16);
                assertThat(reader.position()).isEqualTo(position);
                assertThat(peeked).isBetween(0, (int)Math.min(16, count - position));
                segmentEnds += peeked < Math.min(16, count - position) ? 1 : 0;
                final long from = next[0];
                final int read = reader.poll(record ->
                {
                    final long at = next[0]++;
                    final String problem = JournalTestSupport.check(record, at);
                    if (problem != null && problems.size() < 5)
                    {
                        problems.add(problem);
                    }
                    if (at - from < peeked && keys[(int)(at - from)] != record.key() && problems.size() < 5)
                    {
                        problems.add("peeked key " + keys[(int)(at - from)] + " at " + at + ", record key " + record.key());
                    }
                }, Math.max(1, peeked));
                assertThat(read).isPositive();
            }
            assertThat(problems).isEmpty();
            assertThat(segmentEnds).as("peeks cut short at a segment's end").isPositive();
            assertThat(reader.peekKeys(keys, 16)).as("caught up").isZero();
        }
    }

    @Test
    void shouldReadBatchesOfOneSegmentEachAcrossSegmentRollsAndReopen()
    {
        final int count = 20_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < count; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            assertThat(readAllInBatches(partition, 0)).as("written by this process").isEqualTo(count);
        }
        // Reopened: the sealed segments are trusted by their seal marks, so each batch read checksums its records.
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(readAllInBatches(partition, 0)).isEqualTo(count);
            assertThat(readAllInBatches(partition, 12_345)).isEqualTo(count - 12_345);
            JournalTestSupport.append(partition.writer(), scratch, count);
            assertThat(readAllInBatches(partition, count - 3)).isEqualTo(4);
            assertThat(partition.corruptRecordsRead()).isZero();
        }
    }

    /** Reads from {@code from} to the end in batches, checking every record, the batches' bounds and their segments. */
    private static long readAllInBatches(final Partition partition, final long from)
    {
        final RecordBatch batch = new RecordBatch(100);
        final List<String> problems = new ArrayList<>();
        long next = from;
        int shortBatches = 0;
        try (PartitionReader reader = partition.newReader())
        {
            reader.seek(from);
            int read;
            while ((read = reader.poll(batch, 100)) > 0)
            {
                assertThat(batch.size()).isEqualTo(read);
                assertThat(batch.firstOffset()).isEqualTo(next);
                assertThat(reader.position()).isEqualTo(next + read);
                shortBatches += read < Math.min(100, partition.endOffset() - next) ? 1 : 0;
                for (int i = 0; i < read; i++)
                {
                    final String problem = JournalTestSupport.check(batch, i, next + i);
                    if (problem != null && problems.size() < 5)
                    {
                        problems.add(problem);
                    }
                    if (i > 0 && batch.position(i) <= batch.position(i - 1))
                    {
                        problems.add("frames out of order in one batch at " + (next + i));
                    }
                }
                next += read;
            }
            assertThat(batch.size()).as("caught up: an empty batch").isZero();
        }
        assertThat(problems).isEmpty();
        assertThat(next).isEqualTo(partition.endOffset());
        if (partition.segmentInfos().size() > 2 && partition.endOffset() - from > 10_000)
        {
            assertThat(shortBatches).as("batches cut short at the segments' ends").isPositive();
        }
        return next - from;
    }

    @Test
    void shouldChecksumByAddressUnderTheProjectJvmFlags()
    {
        // The build passes --add-opens java.base/java.util.zip; without it the slower fallback runs.
        assertThat(RecordChecksum.byAddress()).isTrue();
    }

    @Test
    void shouldTailRecordsAppendedByAnotherThread() throws Exception
    {
        final int count = 200_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final Thread writer = new Thread(() ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
                for (long i = 0; i < count; i++)
                {
                    JournalTestSupport.append(partition.writer(), buffer, i);
                }
            });
            writer.start();
            final long[] next = {0};
            final List<String> problems = new ArrayList<>();
            try (PartitionReader reader = partition.newReader())
            {
                final long deadline = System.nanoTime() + 60_000_000_000L;
                while (next[0] < count && System.nanoTime() < deadline)
                {
                    reader.poll(record ->
                    {
                        final String problem = JournalTestSupport.check(record, next[0]++);
                        if (problem != null && problems.size() < 5)
                        {
                            problems.add(problem);
                        }
                    }, 100);
                }
            }
            writer.join();
            assertThat(problems).isEmpty();
            assertThat(next[0]).isEqualTo(count);
        }
    }

    @Test
    void shouldSeekToFirstRecordAtOrAfterTimestamp()
    {
        final int count = 10_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < count; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            final Random random = new Random(42);
            try (PartitionReader reader = partition.newReader())
            {
                for (int probe = 0; probe < 300; probe++)
                {
                    final long target = JournalTestSupport.timestampOf(0) - 50 + random.nextInt(count * 10 + 100);
                    long expected = count;
                    for (long i = 0; i < count; i++)
                    {
                        if (JournalTestSupport.timestampOf(i) >= target)
                        {
                            expected = i;
                            break;
                        }
                    }
                    assertThat(reader.seekToTimestamp(target)).isEqualTo(expected < count);
                    assertThat(reader.position()).as("target %d", target).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void shouldRouteKeysStablyAcrossPartitions()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Topic topic = journal.createTopic("t", 4);
            final int[] counts = new int[4];
            for (long key = 0; key < 40_000; key++)
            {
                counts[topic.partitionFor(key)]++;
            }
            for (final int c : counts)
            {
                assertThat(c).isBetween(9_000, 11_000);
            }
            assertThat(Topic.partitionFor(123456789L, 4)).isEqualTo(topic.partitionFor(123456789L));
        }
    }

    @Test
    void shouldCreateFilesOwnerOnlyAndRefuseDirectoryWritableByOthers() throws Exception
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir.resolve("j"))))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            JournalTestSupport.append(partition.writer(), scratch, 0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("j")))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(partition.directory()))).isEqualTo("rwx------");
            try (var files = Files.list(partition.directory()))
            {
                files.forEach(f ->
                {
                    try
                    {
                        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------");
                    }
                    catch (final java.io.IOException ex)
                    {
                        throw new java.io.UncheckedIOException(ex);
                    }
                });
            }
        }
        Files.setPosixFilePermissions(dir.resolve("j"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(dir.resolve("j"))))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("writable by group or others")
            .hasMessageContaining(dir.resolve("j").toString());
    }

    @Test
    void shouldRejectInvalidSettingsNamingThem()
    {
        assertThatThrownBy(() -> new JournalContext().directory(dir).segmentLength(1000).conclude())
            .hasMessageContaining("segmentLength");
        assertThatThrownBy(() -> new JournalContext().conclude()).hasMessageContaining("directory");
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertThatThrownBy(() -> journal.createTopic("../evil", 1)).hasMessageContaining("invalid topic name");
            journal.createTopic("t", 2);
            assertThatThrownBy(() -> journal.createTopic("t", 3)).hasMessageContaining("exists with 2 partitions");
        }
    }

    @Test
    void shouldAppendThroughZeroCopyClaim()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            for (long i = 0; i < 5000; i++)
            {
                final long offset = writer.claim(JournalTestSupport.payloadLength(i));
                JournalTestSupport.fillPayload(scratch, i);
                writer.claimBuffer().putBytes(writer.claimPayloadOffset(), scratch, 0, JournalTestSupport.payloadLength(i));
                assertThat(writer.commit(7, 3, JournalTestSupport.timestampOf(i), JournalTestSupport.keyOf(i))).isEqualTo(offset);
            }
            assertThat(readAll(partition, 0)).isEqualTo(5000);
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertThat(readAll(journal.topic("t").partition(0), 0)).isEqualTo(5000);
        }
    }

    static long readAll(final Partition partition, final long from)
    {
        final long[] next = {from};
        try (PartitionReader reader = partition.newReader())
        {
            reader.seek(from);
            while (reader.poll(record ->
            {
                final String problem = JournalTestSupport.check(record, next[0]);
                if (problem != null)
                {
                    throw new AssertionError(problem);
                }
                next[0]++;
            }, 1000) > 0)
            {
                // drain
            }
        }
        return next[0] - from;
    }

    @Test
    void shouldPartitionKeysExactlyAsTheSplitMixRemainderForEveryPartitionCount()
    {
        // The on-disk contract, written out: the shortcuts for one partition and powers of two must not move a key.
        final SplittableRandom random = new SplittableRandom(12);
        final long[] edges = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE};
        for (int count = 1; count <= 70; count++)
        {
            for (int i = 0; i < 2_000; i++)
            {
                final long key = i < edges.length ? edges[i] : random.nextLong();
                long z = key + 0x9E3779B97F4A7C15L;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                z = z ^ (z >>> 31);
                assertThat(Topic.partitionFor(key, count)).as("key %d of %d partitions", key, count)
                    .isEqualTo((int)((z >>> 1) % count));
            }
        }
    }
}
