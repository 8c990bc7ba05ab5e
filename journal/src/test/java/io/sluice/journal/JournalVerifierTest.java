package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalVerifierTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPassSoundJournalAndNameFileAndOffsetOfFirstProblem() throws Exception
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Topic topic = journal.createTopic("t", 2);
            for (long i = 0; i < 6000; i++)
            {
                JournalTestSupport.append(topic.partition((int)(i & 1)).writer(), scratch, i);
            }
        }
        final JournalVerifier sound = JournalVerifier.verify(dir);
        assertThat(sound.problems()).isEmpty();
        assertThat(sound.records()).isEqualTo(6000);
        assertThat(sound.partitions()).isEqualTo(2);

        final Path segment = dir.resolve("t/partition-1/" + SegmentDescriptor.baseName(0) + ".log");
        try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw"))
        {
            raf.seek(5000);
            raf.write(raf.read() ^ 1);
        }
        final JournalVerifier damaged = JournalVerifier.verify(dir);
        assertThat(damaged.problems()).hasSize(1);
        assertThat(damaged.problems().get(0)).contains(segment.toString()).contains("byte offset").contains("CRC32C");

        final Path index = dir.resolve("t/partition-0/" + SegmentDescriptor.baseName(0) + ".index");
        try (RandomAccessFile raf = new RandomAccessFile(index.toFile(), "rw"))
        {
            raf.seek(OffsetIndex.ENTRY_LENGTH * 3 + OffsetIndex.POSITION_OFFSET);
            raf.write(0x7F);
        }
        assertThat(JournalVerifier.verify(dir).problems()).anySatisfy(p -> assertThat(p).contains(index.toString()));
    }
}
