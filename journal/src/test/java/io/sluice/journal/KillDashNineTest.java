package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends at full speed and is killed with SIGKILL at random moments, again and again.
 * After each kill every record acknowledged as JOURNALED must be there, in order, without gaps or
 * duplicates, and the next child continues from the recovered end. With staged writes
 * ({@link JournalContext#stagedWrites}) the child appends runs of 1,024 records unpublished and publishes each with
 * one {@code pwrite} of some 80 KiB (20 pages), so that many kills land during a write and leave a prefix of it, cut
 * at a page boundary, in the file.
 */
class KillDashNineTest
{
    private static final int SEGMENT = 1024 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    void shouldKeepEveryJournaledRecordAcrossRepeatedSigkill(final boolean staged) throws Exception
    {
        killLoop(20, staged);
    }

    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    @Tag("slow")
    void shouldKeepEveryJournaledRecordAcrossHundredsOfSigkills(final boolean staged) throws Exception
    {
        killLoop(200, staged);
    }

    private void killLoop(final int kills, final boolean staged) throws Exception
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        long verifiedUpTo = 0;
        for (int round = 0; round < kills; round++)
        {
            final Process child = startChild(staged);
            final List<String> lines = new ArrayList<>();
            final Thread pump = pump(child, lines);
            awaitLine(lines, "READY", child);
            // Kill while appending: on a busy machine the child may not have appended anything a fixed
            // time after READY, so wait for its first acknowledged batch, then a random while longer.
            awaitLine(lines, "ACK ", child);
            TimeUnit.MILLISECONDS.sleep(random.nextInt(120));
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            pump.join(10_000);
            final long acked = lastAck(lines);
            assertThat(acked)
                .as("seed %d round %d: the child appends after the recovered end, never over it", seed, round)
                .isGreaterThanOrEqualTo(verifiedUpTo);
            try (Journal journal = Journal.open(
                new JournalContext().directory(dir).segmentLength(SEGMENT).indexIntervalBytes(4096).stagedWrites(staged)))
            {
                final Partition partition = journal.topic("t").partition(0);
                assertThat(partition.endOffset())
                    .as("seed %d round %d: end offset must cover the last acknowledged offset", seed, round)
                    .isGreaterThan(acked);
                verifiedUpTo += PartitionRoundTripTest.readAll(partition, verifiedUpTo);
                assertThat(verifiedUpTo).as("seed %d round %d", seed, round).isEqualTo(partition.endOffset());
            }
        }
        try (Journal journal = Journal.open(new JournalContext().directory(dir).segmentLength(SEGMENT)))
        {
            assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isEqualTo(verifiedUpTo);
        }
    }

    private Process startChild(final boolean staged) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-ea"));
        // Agrona needs jdk.internal.misc exported; the build passes the project's JVM flags down.
        command.addAll(List.of(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            JournalAppendChild.class.getName(), dir.toString(), String.valueOf(SEGMENT), String.valueOf(staged)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Thread pump(final Process child, final List<String> lines)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the child died: what was read is what counts
            }
        });
        thread.start();
        return thread;
    }

    private static void awaitLine(final List<String> lines, final String prefix, final Process child) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines)
        {
            while (lines.stream().noneMatch(l -> l.startsWith(prefix)))
            {
                if (System.nanoTime() > deadline || !child.isAlive())
                {
                    throw new AssertionError("child did not print " + prefix + "; alive=" + child.isAlive() + " lines=" + lines);
                }
                lines.wait(100);
            }
        }
    }

    /** The last complete ACK line; a line cut by the kill is ignored (it was never fully acknowledged). */
    private static long lastAck(final List<String> lines)
    {
        long acked = -1;
        synchronized (lines)
        {
            for (final String line : lines)
            {
                if (line.startsWith("ACK ") && line.length() > 4)
                {
                    try
                    {
                        acked = Math.max(acked, Long.parseLong(line.substring(4)));
                    }
                    catch (final NumberFormatException partialLine)
                    {
                        // torn by the kill
                    }
                }
            }
        }
        return acked;
    }
}
