package io.sluice.journal;

import static io.sluice.journal.JournalDamageTest.flip;
import static io.sluice.journal.JournalDamageTest.log;
import static io.sluice.journal.JournalDamageTest.partitionDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalRepairTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    private void write(final Path journalDir, final int count)
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (int i = 0; i < count; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
        }
        // Tail damage is what a crash leaves: without the recovery point of a clean close, the open walks the tail.
        JournalTestSupport.clearRecoveryPoints(journalDir);
    }

    private static long[] positionsIn(final Path log, final int count) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(log);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final long[] positions = new long[count + 1];
        int position = SegmentDescriptor.HEADER_LENGTH;
        for (int i = 0; i <= count; i++)
        {
            positions[i] = position;
            final int length = buffer.getInt(position);
            position += length == 0 ? 0 : RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
        }
        return positions;
    }

    private static int readAll(final Partition partition)
    {
        final int[] count = new int[1];
        try (PartitionReader reader = partition.newReader())
        {
            while (reader.poll(r ->
            {
                assertThat(JournalTestSupport.check(r, r.offset())).isNull();
                count[0]++;
            }, 100) > 0)
            {
                // read on
            }
        }
        return count[0];
    }

    @Test
    void shouldTruncateTailAtCorruptionKeepingTheDamagedBytesAndReportReuse() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 300);
        final long[] positions = positionsIn(log(j, 0), 300);
        flip(log(j, 0), positions[120] + 40, 0x02);
        final byte[] before = Files.readAllBytes(log(j, 0));
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(j))).hasMessageContaining("journal repair");

        final List<String> actions = JournalRepair.repair(j, "t", null);

        final Path side = log(j, 0).resolveSibling(log(j, 0).getFileName() + ".damaged-at-" + positions[120]);
        assertThat(String.join("\n", actions))
            .contains("damaged at byte offset " + positions[120] + " (record offset 120)")
            .contains(side.toString())
            .contains("179 intact record(s) from byte offset " + positions[121])
            .contains("offsets will be reused")
            .contains("the next append gets offset 120");
        // Every written byte from the damage on: to the last non-zero byte of the last record.
        final byte[] saved = Files.readAllBytes(side);
        assertThat(saved.length).isGreaterThan((int)(positions[299] - positions[120])).isLessThanOrEqualTo((int)(positions[300] - positions[120]));
        assertThat(Arrays.equals(saved, Arrays.copyOfRange(before, (int)positions[120], (int)positions[120] + saved.length))).isTrue();
        assertThat(Files.readString(partitionDir(j).resolve(JournalRepair.HISTORY_FILE))).contains(side.toString());
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(120);
            assertThat(readAll(partition)).isEqualTo(120);
            assertThat(journal.recoveryEvents()).isEmpty();
        }
        assertThat(JournalVerifier.verify(j).problems()).isEmpty();
        assertThat(JournalRepair.repair(j, "t", new int[] {0})).singleElement().asString().contains("nothing to repair");
    }

    @Test
    void shouldTruncateDamagedSealedSegmentAndQuarantineTheLaterOnes() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 5000);
        final long[] bases = PartitionRecovery.listBaseOffsets(partitionDir(j));
        assertThat(bases.length).isGreaterThan(2);
        final long[] positions = positionsIn(log(j, 0), 10);
        flip(log(j, 0), positions[7] + 4, 0x01);

        final List<String> actions = JournalRepair.repair(j, "t", new int[] {0});

        for (int i = 1; i < bases.length; i++)
        {
            final Path later = log(j, bases[i]);
            assertThat(later).doesNotExist();
            assertThat(later.resolveSibling(later.getFileName() + JournalRepair.QUARANTINED_SUFFIX)).exists();
            assertThat(String.join("\n", actions)).contains(later + ": moved to");
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(7);
            assertThat(readAll(partition)).isEqualTo(7);
            JournalTestSupport.append(partition.writer(), scratch, 7);
        }
    }

    @Test
    void shouldChangeNothingOnAHealthyPartition() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 100);
        final byte[] before = Files.readAllBytes(log(j, 0));
        assertThat(JournalRepair.repair(j, "t", null)).singleElement().asString().contains("nothing to repair");
        assertThat(Files.readAllBytes(log(j, 0))).isEqualTo(before);
        assertThat(partitionDir(j).resolve(JournalRepair.HISTORY_FILE)).doesNotExist();
    }
}
