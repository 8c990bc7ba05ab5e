package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadOnlyJournalTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldReadWhatALiveWriterHasAppendedWithoutChangingAnyFile() throws Exception
    {
        try (Journal writerJournal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition live = writerJournal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 3000; i++)
            {
                JournalTestSupport.append(live.writer(), scratch, i);
            }
            // The checksum duty stores the records' CRC32Cs into the sealed segments in the background (a
            // slow machine may not have caught up yet); a force() checksums everything appended so far, so
            // from here on only the writer's tail changes.
            live.force();
            final TreeMap<String, String> before = digests(dir);
            try (Journal reader = Journal.open(JournalTestSupport.smallContext(dir).readOnly(true)))
            {
                final Partition partition = reader.topic("t").partition(0);
                assertThat(partition.endOffset()).isEqualTo(3000);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(3000);
                assertThatThrownBy(partition::writer).hasMessageContaining("read-only");
                assertThatThrownBy(() -> reader.createTopic("u", 1)).hasMessageContaining("read-only");
                // The live writer goes on; the read-only view is the one taken at open.
                JournalTestSupport.append(live.writer(), scratch, 3000);
                assertThat(partition.endOffset()).isEqualTo(3000);
            }
            JournalTestSupport.append(live.writer(), scratch, 3001);
            // The live writer itself changes its tail segment and indexes; everything else must be untouched.
            final String tail = "t/partition-0/" + SegmentDescriptor.baseName(live.segmentInfos().get(live.segmentInfos().size() - 1).baseOffset());
            before.keySet().removeIf(name -> name.startsWith(tail));
            final TreeMap<String, String> after = digests(dir);
            after.keySet().retainAll(before.keySet());
            assertThat(after).isEqualTo(before);
        }
    }

    @Test
    void shouldReportButNotRepairATornTail() throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < 10; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
        }
        // A torn tail is what a crash leaves: without the recovery point of a clean close.
        JournalTestSupport.clearRecoveryPoints(dir);
        final Path segment = dir.resolve("t/partition-0/" + SegmentDescriptor.baseName(0) + ".log");
        try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw"))
        {
            long last = SegmentDescriptor.HEADER_LENGTH;
            for (int i = 0; i < 9; i++)
            {
                last += RecordDescriptor.alignedFrameLength(JournalTestSupport.payloadLength(i));
            }
            raf.seek(last + RecordDescriptor.HEADER_LENGTH + 2); // inside the last record: nothing valid follows
            raf.write(0x5A);
        }
        final byte[] damaged = Files.readAllBytes(segment);
        try (Journal reader = Journal.open(JournalTestSupport.smallContext(dir).readOnly(true)))
        {
            final Partition partition = reader.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(9);
            assertThat(reader.recoveryEvents()).singleElement().satisfies(e -> assertThat(e.description()).contains("left as is"));
        }
        assertThat(Files.readAllBytes(segment)).isEqualTo(damaged);
        try (Journal repairing = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertThat(repairing.recoveryEvents()).singleElement().satisfies(e -> assertThat(e.description()).contains("truncated"));
        }
    }

    private static TreeMap<String, String> digests(final Path root) throws Exception
    {
        final TreeMap<String, String> digests = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)walk.filter(Files::isRegularFile)::iterator)
            {
                digests.put(root.relativize(file).toString(),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return digests;
    }
}
