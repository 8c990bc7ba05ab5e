package io.sluice.ops.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;

class JournalCommandsTest
{
    @TempDir
    Path tempDir;

    private String dir;

    @BeforeEach
    void setUp()
    {
        dir = tempDir.resolve("journal").toString();
    }

    @Test
    void shouldAppendArgumentsAndDumpThemWithKeyAndPayloadAsHex()
    {
        final CliResult append = CliResult.run("journal", "append", "-d", dir, "-t", "orders", "--create", "1",
            "-k", "0x4d2", "--type", "7", "--flags", "3", "--timestamp", "1000", "hello", "world");

        assertThat(append.exitCode()).as(append.toString()).isEqualTo(ExitCodes.OK);
        assertThat(append.out()).isEqualTo("partition=0 offset=0\npartition=0 offset=1\n");

        final CliResult dump = CliResult.run("journal", "dump", "-d", dir, "-t", "orders");

        assertThat(dump.exitCode()).as(dump.toString()).isEqualTo(ExitCodes.OK);
        assertThat(dump.out()).isEqualTo(
            "partition=0 offset=0 timestamp=1000 type=7 flags=0x0003 key=0x00000000000004d2 length=5 payload=68656c6c6f\n" +
            "partition=0 offset=1 timestamp=1000 type=7 flags=0x0003 key=0x00000000000004d2 length=5 payload=776f726c64\n");
    }

    @Test
    void shouldDumpOffsetRangeTimeRangeAndKeyAcrossPartitions() throws IOException
    {
        final Path input = tempDir.resolve("records.txt");
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            lines.append(i % 4).append(' ').append(String.format("%02x", i)).append('\n');
        }
        Files.writeString(input, lines);
        // Distinct timestamps per record: append one by one with --timestamp i * 10.
        for (int i = 0; i < 20; i++)
        {
            final CliResult append = CliResult.run("journal", "append", "-d", dir, "-t", "t", "--create", "2", "--hex",
                "-p", "0", "--timestamp", Long.toString(i * 10L), "-k", Integer.toString(i % 4),
                String.format("%02x", i));
            assertThat(append.exitCode()).as(append.toString()).isEqualTo(ExitCodes.OK);
        }
        final CliResult keyed = CliResult.run("journal", "append", "-d", dir, "-t", "t", "--keyed", "--hex", "-p", "1",
            "--timestamp", "5", "--input", input.toString());
        assertThat(keyed.exitCode()).as(keyed.toString()).isEqualTo(ExitCodes.OK);
        assertThat(keyed.out().lines()).hasSize(20).allMatch((line) -> line.startsWith("partition=1 offset="));

        final CliResult offsets = CliResult.run("journal", "dump", "-d", dir, "-t", "t", "-p", "0",
            "--from-offset", "3", "--to-offset", "6");
        assertThat(offsets.out().lines()).extracting((line) -> line.split(" ")[1])
            .containsExactly("offset=3", "offset=4", "offset=5");

        final CliResult times = CliResult.run("journal", "dump", "-d", dir, "-t", "t", "-p", "0",
            "--from-time", "55", "--to-time", "90");
        assertThat(times.out().lines()).extracting((line) -> line.split(" ")[2])
            .containsExactly("timestamp=60", "timestamp=70", "timestamp=80");

        final CliResult byKey = CliResult.run("journal", "dump", "-d", dir, "-t", "t", "-k", "3", "-n", "3");
        assertThat(byKey.out().lines()).hasSize(3).allMatch((line) -> line.contains("key=0x0000000000000003"));

        final CliResult all = CliResult.run("journal", "dump", "-d", dir, "-t", "t", "--max-payload", "0");
        assertThat(all.out().lines()).hasSize(40).allMatch((line) -> line.endsWith("length=1 payload=..."));
    }

    @Test
    void shouldPrintStatsOfEveryPartition()
    {
        CliResult.run("journal", "append", "-d", dir, "-t", "a", "--create", "3", "--keyed", "1 x", "2 y", "3 z", "4 w");

        final CliResult stats = CliResult.run("journal", "stats", "-d", dir, "--segments");

        assertThat(stats.exitCode()).as(stats.toString()).isEqualTo(ExitCodes.OK);
        assertThat(stats.out()).contains("1 topic", "topic a: 3 partitions", "00000000000000000000.log");
        assertThat(stats.out().lines().filter((line) -> line.trim().startsWith("total")))
            .singleElement().satisfies((line) -> assertThat(line.trim().split("\\s+")[1]).isEqualTo("4"));
    }

    @Test
    void shouldPrintConsumerGroupsWithCommittedOffsetsAndLag()
    {
        CliResult.run("journal", "append", "-d", dir, "-t", "a", "--create", "1", "1", "2", "3", "4", "5");
        try (io.sluice.journal.Journal journal = io.sluice.journal.Journal.open(new io.sluice.journal.JournalContext().directory(Path.of(dir)));
            io.sluice.journal.GroupCoordinator coordinator = new io.sluice.journal.GroupCoordinator(
                journal.topic("a"), org.agrona.concurrent.SystemEpochClock.INSTANCE))
        {
            final io.sluice.journal.GroupConsumer consumer = coordinator.newConsumer("audit", "m1", 10_000);
            assertThat(consumer.poll(record -> { }, 3)).isEqualTo(3);
            consumer.close(); // commits what it consumed: offset 3 of 5
        }

        final CliResult stats = CliResult.run("journal", "stats", "-d", dir);

        assertThat(stats.exitCode()).as(stats.toString()).isEqualTo(ExitCodes.OK);
        assertThat(stats.out()).contains("group audit: p0 committed=3 lag=2 (total lag 2)");
    }

    @Test
    void shouldVerifySoundJournalThenReportFlippedBitWithExitCodeDamaged() throws IOException
    {
        CliResult.run("journal", "append", "-d", dir, "-t", "a", "--create", "1", "first", "second", "third");

        final CliResult sound = CliResult.run("journal", "verify", "-d", dir);

        assertThat(sound.exitCode()).as(sound.toString()).isEqualTo(ExitCodes.OK);
        assertThat(sound.out()).startsWith("OK: 3 records in 1 segments of 1 partitions checked in ");

        final Path segment = tempDir.resolve("journal/a/partition-0/00000000000000000000.log");
        final byte[] bytes = Files.readAllBytes(segment);
        final int at = indexOf(bytes, "second".getBytes(StandardCharsets.UTF_8));
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.seek(at);
            file.write(bytes[at] ^ 1);
        }

        final CliResult damaged = CliResult.run("journal", "verify", "-d", dir);

        assertThat(damaged.exitCode()).as(damaged.toString()).isEqualTo(ExitCodes.DAMAGED);
        assertThat(damaged.out()).contains("problem: ", segment.toString(), "CRC32C").contains("DAMAGED: ");
        assertThat(damaged.err()).contains("sluice journal verify: journal " + dir + " has 1 problem(s)");
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length))
            {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void shouldFailWithMessageWhenJournalDirectoryIsMissing()
    {
        final CliResult result = CliResult.run("journal", "stats", "-d", dir);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).isEqualTo("sluice journal stats: no journal at " + dir + ": not a directory\n");
        assertThat(tempDir.resolve("journal")).doesNotExist();
    }

    @Test
    void shouldFailWithMessageWhenTopicIsMissing()
    {
        CliResult.run("journal", "append", "-d", dir, "-t", "a", "--create", "1", "x");

        final CliResult dump = CliResult.run("journal", "dump", "-d", dir, "-t", "b");
        final CliResult append = CliResult.run("journal", "append", "-d", dir, "-t", "b", "x");

        assertThat(dump.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(dump.err()).startsWith("sluice journal dump: ").contains("no topic 'b'", "[a]").doesNotContain("\tat ");
        assertThat(append.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(append.err()).contains("no topic 'b'", "--create");
    }

    @Test
    void shouldFailOnInvalidPartitionHexAndKey()
    {
        CliResult.run("journal", "append", "-d", dir, "-t", "a", "--create", "2", "x");

        assertThat(CliResult.run("journal", "dump", "-d", dir, "-t", "a", "-p", "2").err())
            .contains("topic 'a' has partitions 0..1, not 2");
        final CliResult hex = CliResult.run("journal", "append", "-d", dir, "-t", "a", "--hex", "abc");
        assertThat(hex.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(hex.err()).contains("argument 1: odd number of hex digits");
        final CliResult key = CliResult.run("journal", "append", "-d", dir, "-t", "a", "--keyed", "k1 x");
        assertThat(key.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(key.err()).contains("argument 1: key must be a decimal or 0x-prefixed hex long, not 'k1'");
    }

    @Test
    void shouldFailWithUsageWhenRequiredOptionIsMissingOrValueInvalid()
    {
        final CliResult noTopic = CliResult.run("journal", "dump", "-d", dir);
        final CliResult badType = CliResult.run("journal", "append", "-d", dir, "-t", "a", "--type", "70000", "x");

        assertThat(noTopic.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTopic.err()).contains("Missing required option: '--topic=TOPIC'");
        assertThat(badType.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badType.err()).contains("--type must be in [0, 65535], was 70000");
    }
}
