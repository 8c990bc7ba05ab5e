package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real processes, real SIGKILL: a child engine with windowed pipelines and periodic checkpoints is
 * killed at random moments and restarted until it finishes; its outputs must equal those of an
 * uninterrupted run exactly: nothing lost, nothing duplicated. Also kills it at each step of the
 * checkpoint protocol.
 *
 * <p>Cost: the outputs depend on event time only, never on the pace, so only the runs that are killed
 * at a moment are paced ({@link #RATE}); the reference run and every run that only has to finish go
 * as fast as they can ({@link #UNPACED}). The default kill loop kills 10 times, one kill in each 150 ms
 * slice of the 1.5 s after the child is ready (in random order), so that every phase a kill may hit
 * (replay just done, steady processing, checkpoints in flight) is hit as surely as by the 20 uniform
 * kills it had before; the slow variant kills 200 times at random.
 */
class CheckpointCrashTest
{
    private static final int EVENTS = 150_000;
    /**
     * Events per second of a run that is killed: a run publishes at most this many per second after READY,
     * so the stratified kill loop's 10 runs (at most 8.25 s between them) publish at most ~124k of the
     * {@link #EVENTS}: the input cannot run out before the last kill, on however fast a machine.
     */
    private static final int RATE = 15_000;
    /** Events per second of a run nobody kills: high enough never to pace. */
    private static final int UNPACED = 100_000_000;
    /** The span after READY within which the kill loop kills. */
    private static final int KILL_SPAN_MS = 1_500;

    @TempDir
    static Path shared;

    private static Path reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void runUninterrupted() throws Exception
    {
        reference = shared.resolve("reference-out");
        final Process child = start(shared.resolve("reference-data"), reference, 50, null, UNPACED);
        final List<String> lines = pump(child);
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).contains("DONE");
    }

    @Test
    void shouldGiveExactlyTheUninterruptedOutputsAcrossRandomSigkills() throws Exception
    {
        killLoop(10, true);
    }

    @Test
    @Tag("slow")
    void shouldGiveExactlyTheUninterruptedOutputsAcrossHundredsOfSigkills() throws Exception
    {
        killLoop(200, false);
    }

    /**
     * Kills the child {@code kills} times, each a random delay after it is ready: with {@code stratified},
     * kill {@code k} falls in its own slice of {@link #KILL_SPAN_MS}, the slices in random order.
     */
    private void killLoop(final int kills, final boolean stratified) throws Exception
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final List<Integer> slices = new ArrayList<>();
        for (int k = 0; k < kills; k++)
        {
            slices.add(k);
        }
        java.util.Collections.shuffle(slices, random);
        final int slice = KILL_SPAN_MS / kills;
        final Path data = dir.resolve("data");
        final Path out = dir.resolve("out");
        int killed = 0;
        while (killed < kills)
        {
            final Process child = start(data, out, 50, null, RATE);
            final List<String> lines = new ArrayList<>();
            final Thread pump = pumpAsync(child, lines);
            awaitReady(child, lines);
            final long delay = stratified ? slices.get(killed) * (long)slice + random.nextInt(slice) : random.nextInt(KILL_SPAN_MS);
            if (!child.waitFor(delay, TimeUnit.MILLISECONDS))
            {
                child.destroyForcibly(); // SIGKILL
                killed++;
            }
            else if (stratified)
            {
                // The input ran out before this kill's slice: waiting for a kill that can no longer come would loop forever.
                throw new AssertionError("the child finished its input after " + killed + " of " + kills + " kills (seed " + seed +
                    "): RATE is too high for the kill span");
            }
            child.waitFor(60, TimeUnit.SECONDS);
            pump.join(10_000);
        }
        final Process last = start(data, out, 50, null, UNPACED);
        final List<String> lines = pump(last);
        assertThat(last.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).as("seed %d", seed).contains("DONE");
        assertSameOutputs(out, "seed " + seed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        KillPoints.AFTER_STATE_WRITE, KillPoints.AFTER_STATE_FORCE, KillPoints.AFTER_MANIFEST_WRITE,
        KillPoints.AFTER_RENAME, KillPoints.AFTER_DIRECTORY_FSYNC})
    void shouldRecoverAConsistentCheckpointWhateverStepTheCrashInterrupted(final String killPoint) throws Exception
    {
        final Path data = dir.resolve("data");
        final Path out = dir.resolve("out");
        // Let one checkpoint complete first, so the crash leaves an older complete one beside the broken one.
        final Process crashing = start(data, out, 300, killPoint, RATE);
        final List<String> crashLines = pump(crashing);
        assertThat(crashing.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(crashing.exitValue()).as("halted at %s: %s", killPoint, crashLines).isEqualTo(137);
        final CheckpointStore store = new CheckpointStore(data.resolve("checkpoints"), 3);
        for (final long id : store.manifestIds())
        {
            store.load(id); // every manifest present names a complete, verifying checkpoint
        }
        final Process recovering = start(data, out, 300, null, UNPACED);
        final List<String> lines = pump(recovering);
        assertThat(recovering.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).contains("DONE");
        assertSameOutputs(out, killPoint);
    }

    private static void assertSameOutputs(final Path out, final String context) throws IOException
    {
        for (final String pipeline : List.of("tumbling", "sliding"))
        {
            for (int p = 0; p < CrashLoopChild.PARTITIONS; p++)
            {
                final String name = pipeline + "-" + p + ".txt";
                final List<String> expected = Files.readAllLines(reference.resolve(name));
                final List<String> actual = Files.readAllLines(out.resolve(name));
                assertThat(expected).isNotEmpty();
                for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
                {
                    assertThat(actual.get(i)).as("%s %s line %d", context, name, i).isEqualTo(expected.get(i));
                }
                assertThat(actual.size()).as("%s %s lines", context, name).isEqualTo(expected.size());
            }
        }
    }

    private static Process start(final Path data, final Path out, final long checkpointMs, final String killPoint, final int rate)
        throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        if (killPoint != null)
        {
            command.add("-Dsluice.test.killPoint=" + killPoint);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashLoopChild.class.getName(),
            data.toString(), out.toString(), String.valueOf(EVENTS), String.valueOf(rate), String.valueOf(checkpointMs)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<String> pump(final Process child) throws Exception
    {
        final List<String> lines = new ArrayList<>();
        pumpAsync(child, lines).join(TimeUnit.SECONDS.toMillis(180));
        synchronized (lines)
        {
            return new ArrayList<>(lines);
        }
    }

    private static Thread pumpAsync(final Process child, final List<String> lines)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
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
                // the child died
            }
        });
        thread.start();
        return thread;
    }

    private static void awaitReady(final Process child, final List<String> lines) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        synchronized (lines)
        {
            while (lines.stream().noneMatch(l -> l.startsWith("READY")))
            {
                if (System.nanoTime() > deadline || !child.isAlive())
                {
                    if (!child.isAlive() && lines.contains("DONE"))
                    {
                        return;
                    }
                    throw new AssertionError("child not ready: alive=" + child.isAlive() + " " + lines);
                }
                lines.wait(100);
            }
        }
    }
}
