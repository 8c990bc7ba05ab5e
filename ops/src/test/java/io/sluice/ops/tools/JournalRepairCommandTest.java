package io.sluice.ops.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import io.sluice.journal.StorageFaults;
import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code journal repair}, and what {@code journal append} says about repairs on open and about offsets
 * it could not force.
 */
class JournalRepairCommandTest
{
    @TempDir
    Path tempDir;

    @AfterEach
    void clearFaults()
    {
        StorageFaults.clear();
    }

    private Path segment()
    {
        return tempDir.resolve("j/t/partition-0/00000000000000000000.log");
    }

    private String dir()
    {
        return tempDir.resolve("j").toString();
    }

    private Path input(final int lines) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            text.append("record-").append(i).append("-").append("x".repeat(i % 50)).append('\n');
        }
        final Path file = tempDir.resolve("input.txt");
        Files.writeString(file, text);
        return file;
    }

    /** Byte position of each record in the first segment, read from the frame lengths. */
    private long[] positions(final int count) throws IOException
    {
        final long[] positions = new long[count + 1];
        try (RandomAccessFile raf = new RandomAccessFile(segment().toFile(), "r"))
        {
            long position = 64;
            for (int i = 0; i <= count; i++)
            {
                positions[i] = position;
                raf.seek(position);
                final int length = Integer.reverseBytes(raf.readInt());
                position += (length + 7) & ~7;
            }
        }
        return positions;
    }

    private void flip(final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(segment().toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x20);
        }
    }

    @Test
    void shouldRefuseCorruptionThenRepairKeepingTheBytesAndSayingWhatItDid() throws IOException
    {
        final CliResult first = CliResult.run("journal", "append", "-d", dir(), "-t", "t", "--create", "1", "-i", input(500).toString());
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(ExitCodes.OK);
        final long[] positions = positions(500);
        flip(positions[200] + 40);
        // As after a crash: without the recovery point a clean close leaves on the tail (header bytes 44..63), the
        // open walks the tail and refuses the damage; below a recovery point it is found when read (docs/journal.md).
        try (RandomAccessFile raf = new RandomAccessFile(segment().toFile(), "rw"))
        {
            raf.seek(44);
            raf.write(new byte[20]);
        }

        final CliResult refused = CliResult.run("journal", "append", "-d", dir(), "-t", "t", "more");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains(segment().toString(), "byte offset " + positions[200], "valid record follows",
            "sluice journal repair -d " + dir() + " -t t -p 0");
        final CliResult verify = CliResult.run("journal", "verify", "-d", dir());
        assertThat(verify.exitCode()).isEqualTo(ExitCodes.DAMAGED);
        assertThat(verify.out()).contains("corruption in the active segment at byte offset " + positions[200]);

        final CliResult repair = CliResult.run("journal", "repair", "-d", dir(), "-t", "t", "-p", "0");

        assertThat(repair.exitCode()).as(repair.toString()).isEqualTo(ExitCodes.OK);
        final Path side = segment().resolveSibling(segment().getFileName() + ".damaged-at-" + positions[200]);
        assertThat(repair.out()).contains(side.toString(), "299 intact record(s)", "next append gets offset 200", "reused");
        assertThat(side).exists();
        assertThat(CliResult.run("journal", "verify", "-d", dir()).exitCode()).isEqualTo(ExitCodes.OK);
        final CliResult dump = CliResult.run("journal", "dump", "-d", dir(), "-t", "t", "--from-offset", "199");
        assertThat(dump.out().lines()).singleElement().asString().startsWith("partition=0 offset=199 ");
        final CliResult again = CliResult.run("journal", "append", "-d", dir(), "-t", "t", "more");
        assertThat(again.out()).isEqualTo("partition=0 offset=200\n");
    }

    @Test
    void shouldPrintTheRepairsRecoveryMadeWhenAppending() throws IOException
    {
        CliResult.run("journal", "append", "-d", dir(), "-t", "t", "--create", "1", "-i", input(20).toString());
        final long[] positions = positions(20);
        flip(positions[19] + 36); // inside the last record: a torn tail

        final CliResult append = CliResult.run("journal", "append", "-d", dir(), "-t", "t", "next");

        assertThat(append.exitCode()).as(append.toString()).isEqualTo(ExitCodes.OK);
        assertThat(append.out()).isEqualTo("partition=0 offset=19\n");
        assertThat(append.err()).contains("recovery: " + segment() + " @" + positions[19], "truncated torn tail");
    }

    @Test
    void shouldDumpAShortTailAndSayWhatItFound() throws IOException
    {
        CliResult.run("journal", "append", "-d", dir(), "-t", "t", "--create", "1", "-i", input(20).toString());
        final long[] positions = positions(20);
        try (RandomAccessFile raf = new RandomAccessFile(segment().toFile(), "rw"))
        {
            raf.setLength(positions[15] + 10);
        }

        final CliResult dump = CliResult.run("journal", "dump", "-d", dir(), "-t", "t");

        assertThat(dump.exitCode()).as(dump.toString()).isEqualTo(ExitCodes.OK);
        assertThat(dump.out().lines()).hasSize(15);
        assertThat(dump.err()).contains("recovery: " + segment(), "shorter than its header's segment length");
    }

    @Test
    void shouldNotPrintOffsetsItCouldNotForce() throws IOException
    {
        CliResult.run("journal", "append", "-d", dir(), "-t", "t", "--create", "1", "first");
        final java.util.concurrent.atomic.AtomicInteger segmentForces = new java.util.concurrent.atomic.AtomicInteger();
        StorageFaults.install((operation, file) ->
        {
            // The open forces nothing (the recovery point of the first run's clean close covers its record): the
            // disk fills before the appended records are forced.
            if (operation == StorageFaults.Operation.FORCE && file.toString().endsWith(".log") &&
                segmentForces.incrementAndGet() > 0)
            {
                throw new IOException("No space left on device");
            }
        });

        final CliResult append = CliResult.run("journal", "append", "-d", dir(), "-t", "t", "a", "b", "c");

        assertThat(append.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(append.out()).doesNotContain("offset=");
        assertThat(append.err()).contains("No space left on device", "3 record(s)", "not forced");
    }
}
