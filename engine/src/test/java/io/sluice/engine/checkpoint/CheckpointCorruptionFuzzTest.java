package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;

/**
 * Seeded corruption fuzzer over checkpoint files and manifests: one random bit flip, truncation or
 * zeroed range per case, in the manifest or a state file of the newest checkpoint or of an older one.
 * The template is a real engine directory of a keyed window pipeline with three completed checkpoints
 * and events journaled after the last. Each case copies it, damages one file, relaunches the engine
 * (recovery), publishes the rest of the input and ends it.
 *
 * <p>What must hold: no hang; either recovery succeeds and the outputs are exactly those of an
 * uninterrupted run (per partition, what recovery emits is a suffix of the uninterrupted outputs, and
 * with what was emitted before the restart they are all of them), and a damaged checkpoint that
 * recovery tried is reported as rejected with the damaged file's path; or the engine refuses to start
 * with an error naming the damaged file.
 *
 * <p>Each case launches and closes a whole engine (recovery, replay, a final checkpoint), hundreds of
 * times slower than the journal fuzzer's read of a damaged file, so the default build runs 200 cases
 * (well under a minute on a quiet 2-core machine) rather than 10^4; {@code -Pslow} runs 10,000. The
 * seed is printed on failure ({@code -Dsluice.test.seed=} replays it).
 */
class CheckpointCorruptionFuzzTest
{
    private static final Duration CASE_DEADLINE = Duration.ofSeconds(120);
    private static final int CHECKPOINTED = 3_000;
    private static final int JOURNALED = 3_500;
    private static final int EVENTS = 5_000;

    @TempDir
    Path dir;

    private static Pipeline counting(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("counting")
            .partitionKey("account")
            .eventTime("ts", 100)
            .window(w -> w.tumbling(1_000).count("n").sum("notional", "amount"))
            .sink("text", sink)
            .build();
    }

    private static EngineContext context(final Path data)
    {
        return new EngineContext().directory(data).partitions(2).ringSize(1024).journalSegmentLength(256 * 1024)
            .checkpointsRetained(3).checkpointIntervalMillis(3_600_000);
    }

    private static void publish(final Engine engine, final int from, final int to)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = from; i < to; i++)
        {
            final Random random = new Random(i);
            publisher.publish(TestEvents.trade(buffer, random.nextInt(50), random.nextInt(10_000) / 100.0, 1 + random.nextInt(9),
                i * 10L + random.nextInt(50)), 0);
        }
    }

    @Test
    void shouldRecoverExactlyOrRefuseNamingTheFileWhateverDamageACheckpointSuffers() throws Exception
    {
        final int cases = Boolean.getBoolean("sluice.test.slow") ? 10_000 : 200;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());

        final TestEvents.TextSink uninterrupted = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("whole")).checkpoints(false), List.of(counting(uninterrupted))))
        {
            publish(engine, 0, EVENTS);
            engine.endOfInput("trades");
        }
        final List<String> reference = uninterrupted.lines();
        assertThat(reference).isNotEmpty();

        final Path template = dir.resolve("template");
        final TestEvents.TextSink before = new TestEvents.TextSink();
        final AtomicBoolean failing = new AtomicBoolean();
        final CheckpointFaults faults = (step, file) ->
        {
            if (failing.get())
            {
                throw new IOException("injected: the template keeps no checkpoint after the last of three");
            }
        };
        try (Engine engine = Engine.launch(context(template).checkpointFaults(faults), List.of(counting(before))))
        {
            for (int round = 1; round <= 3; round++)
            {
                publish(engine, (round - 1) * CHECKPOINTED / 3, round * CHECKPOINTED / 3);
                engine.checkpoint().get(60, TimeUnit.SECONDS);
            }
            publish(engine, CHECKPOINTED, JOURNALED);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            failing.set(true); // the final checkpoint at close fails: events stay after the last checkpoint
        }
        final CheckpointStore store = new CheckpointStore(template.resolve("checkpoints"), 3);
        final List<Long> ids = store.manifestIds();
        assertThat(ids).hasSize(3);
        final List<Path> targets = new ArrayList<>();
        for (final long id : ids)
        {
            targets.add(store.directory().resolve(CheckpointStore.name(id) + ".manifest"));
            for (final PartitionCheckpoint entry : store.readManifest(id).partitions())
            {
                targets.add(store.directory().resolve(CheckpointStore.name(id)).resolve(entry.fileName()));
            }
        }
        final List<String> earlier = before.lines();

        final Random random = new Random(seed);
        final int[] outcomes = new int[3]; // recovered past the damage, recovered from the damaged one, refused
        for (int n = 0; n < cases; n++)
        {
            final Path target = targets.get(random.nextInt(targets.size()));
            final Path relative = template.relativize(target);
            final long damagedId = Long.parseLong(relative.getName(1).toString().substring(0, 20));
            final Path work = dir.resolve("case");
            deleteTree(work);
            copyTree(template, work);
            final Path damaged = work.resolve(relative.toString());
            final String label = "seed " + seed + " case " + n + ": " + mutate(damaged, random);
            try
            {
                assertTimeoutPreemptively(CASE_DEADLINE, () -> check(work, damaged, damagedId, reference, earlier, outcomes, label),
                    () -> label + ": no answer within " + CASE_DEADLINE.toSeconds() + " s (a hang)");
            }
            catch (final Throwable ex)
            {
                if (String.valueOf(ex.getMessage()).contains(label))
                {
                    throw ex;
                }
                throw new AssertionError(label + ": " + ex, ex);
            }
        }
        System.out.println("checkpoint fuzz seed " + seed + ", " + cases + " cases: recovered past the damage " + outcomes[0] +
            ", damage harmless to the checkpoint loaded " + outcomes[1] + ", refused naming the file " + outcomes[2]);
    }

    private static void check(
        final Path work,
        final Path damaged,
        final long damagedId,
        final List<String> reference,
        final List<String> earlier,
        final int[] outcomes,
        final String label)
    {
        final TestEvents.TextSink after = new TestEvents.TextSink();
        final Engine engine;
        try
        {
            engine = Engine.launch(context(work), List.of(counting(after)));
        }
        catch (final RuntimeException ex)
        {
            assertThat(String.valueOf(ex.getMessage())).as(label + ": refusal names the damaged file").contains(damaged.toString());
            outcomes[2]++;
            return;
        }
        final List<String> events;
        try (engine)
        {
            events = List.copyOf(engine.recoveryEvents());
            publish(engine, JOURNALED, EVENTS);
            engine.endOfInput("trades");
        }
        final long loaded = events.stream().filter(e -> e.startsWith("loaded checkpoint "))
            .mapToLong(e -> Long.parseLong(e.substring("loaded checkpoint ".length()).split(" ")[0])).findFirst().orElse(-1);
        if (loaded < damagedId)
        {
            // Recovery tried the damaged checkpoint and must say why it went past it, naming the file.
            assertThat(events).as(label + ": recovery events").anySatisfy(e -> assertThat(e)
                .startsWith("checkpoint " + damagedId + " rejected").contains(damaged.toString()));
            outcomes[0]++;
        }
        else if (loaded == damagedId)
        {
            outcomes[1]++; // the damage fell where nothing reads (slack of a map): the state verified by CRC32C
        }
        else
        {
            outcomes[0]++; // an older checkpoint was damaged: the newer one did not need it
        }
        final List<String> emitted = after.lines();
        for (int p = 0; p < 2; p++)
        {
            final String prefix = p + " ";
            final List<String> whole = reference.stream().filter(l -> l.startsWith(prefix)).toList();
            final List<String> again = emitted.stream().filter(l -> l.startsWith(prefix)).toList();
            assertThat(again.size()).as(label + ": outputs of partition " + p + " after recovery " + events).isLessThanOrEqualTo(whole.size());
            assertThat(again).as(label + ": outputs of partition " + p + " after recovery " + events)
                .isEqualTo(whole.subList(whole.size() - again.size(), whole.size()));
        }
        final TreeSet<String> all = new TreeSet<>(earlier);
        all.addAll(emitted);
        assertThat(all).as(label + ": outputs before and after the restart " + events).isEqualTo(new TreeSet<>(reference));
    }

    /** Damages the file in place: bit flips, a truncation or a zeroed range; says what it did. */
    private static String mutate(final Path file, final Random random) throws IOException
    {
        final byte[] original = Files.readAllBytes(file);
        int written = original.length;
        while (written > 1 && original[written - 1] == 0)
        {
            written--;
        }
        // Half the time aim at the written bytes (a Chronicle Map file is mostly empty space).
        final int span = random.nextBoolean() ? Math.min(original.length, written + 64) : original.length;
        final int kind = random.nextInt(3);
        final String name = file.getParent().getFileName() + "/" + file.getFileName();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            if (kind == 0)
            {
                final int flips = 1 + random.nextInt(random.nextBoolean() ? 1 : 8);
                final StringBuilder where = new StringBuilder();
                for (int i = 0; i < flips; i++)
                {
                    final int at = random.nextInt(span);
                    raf.seek(at);
                    final int b = raf.read();
                    raf.seek(at);
                    raf.write(b ^ (1 << random.nextInt(8)));
                    where.append(i == 0 ? "" : ",").append(at);
                }
                return "flip " + name + " at " + where;
            }
            if (kind == 1)
            {
                final int length = random.nextInt(original.length);
                raf.setLength(length);
                return "truncate " + name + " to " + length;
            }
            final int from = random.nextInt(span);
            final int length = 1 + random.nextInt(Math.min(8192, original.length - from));
            raf.seek(from);
            raf.write(new byte[length]);
            return "zero " + name + " [" + from + ", " + (from + length) + ")";
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }
}
