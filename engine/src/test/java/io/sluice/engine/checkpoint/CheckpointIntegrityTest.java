package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineException;
import io.sluice.engine.runtime.EventPublisher;

/**
 * A checkpoint never claims more than is on disk: a checkpoint ahead of its journal stops recovery
 * with an error naming both ends, and a failed checkpoint write or rename is counted as failed,
 * leaves the last complete checkpoint as it was, and is never reported as the final checkpoint.
 */
class CheckpointIntegrityTest
{
    @TempDir
    Path dir;

    private static Pipeline counting()
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("counting")
            .partitionKey("account")
            .eventTime("ts", 100)
            .window(w -> w.tumbling(1_000).count("n"))
            .sink("text", new TestEvents.TextSink())
            .build();
    }

    private EngineContext context()
    {
        return new EngineContext().directory(dir.resolve("data")).partitions(2).ringSize(1024).checkpointsRetained(3);
    }

    private static void publish(final Engine engine, final int from, final int to)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = from; i < to; i++)
        {
            final Random random = new Random(i);
            publisher.publish(TestEvents.trade(buffer, random.nextInt(50), 1.0, 1, i * 10L), 0);
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
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }

    @Test
    void shouldRefuseToStartWhenTheCheckpointIsAheadOfTheJournal() throws Exception
    {
        final Path journal = dir.resolve("data/journal");
        final long checkpointId;
        final long checkpointed;
        final long kept;
        try (Engine engine = Engine.launch(context(), List.of(counting())))
        {
            publish(engine, 0, 2_000);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            // The journal as it was here is what a lost tail leaves behind: keep a copy of it.
            copyTree(journal, dir.resolve("journal-then"));
            kept = engine.journal().topic("trades").partition(0).endOffset();
            publish(engine, 2_000, 6_000);
            final CheckpointManifest later = engine.checkpoint().get(60, TimeUnit.SECONDS);
            checkpointId = later.id();
            checkpointed = later.find("trades", 0).journalOffset();
        }
        assertThat(checkpointed).isGreaterThan(kept);
        // The journal loses its tail under the checkpoints (files of the older copy put back).
        deleteTree(journal);
        copyTree(dir.resolve("journal-then"), journal);

        assertThatThrownBy(() -> Engine.launch(context(), List.of(counting())).close())
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("checkpoint ")
            .hasMessageContaining("trades/0")
            .hasMessageContaining("ends at offset " + kept)
            .hasMessageContaining("refusing to start");
        // The newest checkpoint (the final one at close, at least checkpointId) is the one named.
        final CheckpointStore store = new CheckpointStore(dir.resolve("data/checkpoints"), 3);
        assertThat(store.manifestIds().get(0)).isGreaterThanOrEqualTo(checkpointId);
        // Nothing was replayed or rewritten: the journal still ends where the copy did.
        try (io.sluice.journal.Journal reopened = io.sluice.journal.Journal.open(new io.sluice.journal.JournalContext().directory(journal)))
        {
            assertThat(reopened.topic("trades").partition(0).endOffset()).isEqualTo(kept);
        }
    }

    @Test
    void shouldCountAFailedManifestRenameAndNeverReportItAsTheFinalCheckpoint() throws Exception
    {
        final AtomicReference<CheckpointFaults.Step> failing = new AtomicReference<>();
        final CheckpointFaults faults = (step, file) ->
        {
            if (step == failing.get())
            {
                throw new IOException("injected: no space left on device (" + step + " " + file.getFileName() + ")");
            }
        };
        final Engine engine = Engine.launch(context().checkpointFaults(faults), List.of(counting()));
        final CheckpointManifest good;
        try
        {
            publish(engine, 0, 1_000);
            good = engine.checkpoint().get(60, TimeUnit.SECONDS);

            failing.set(CheckpointFaults.Step.MANIFEST_RENAME);
            publish(engine, 1_000, 2_000);
            assertThatThrownBy(() -> engine.checkpoint().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("injected: no space left on device");
            assertThat(engine.checkpoints().failed()).isEqualTo(1);
            assertThat(engine.checkpoints().completed()).isEqualTo(1);
            assertThat(engine.checkpoints().lastCompleted().id()).isEqualTo(good.id());

            failing.set(CheckpointFaults.Step.STATE_WRITE);
            assertThatThrownBy(() -> engine.checkpoint().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("cannot write state");
            assertThat(engine.checkpoints().failed()).isEqualTo(2);
            assertThat(engine.checkpoints().lastCompleted().id()).isEqualTo(good.id());

            failing.set(CheckpointFaults.Step.MANIFEST_WRITE);
        }
        finally
        {
            engine.close();
        }
        // close() tried a final checkpoint, which failed: it says so and claims none.
        assertThat(engine.finalCheckpointAttempted()).isTrue();
        assertThat(engine.finalCheckpoint()).isNull();
        assertThat(engine.finalCheckpointFailure()).hasMessageContaining("injected");
        assertThat(engine.checkpoints().failed()).isEqualTo(3);
        assertThat(engine.checkpoints().lastCompleted().id()).isEqualTo(good.id());
        assertThat(new CheckpointStore(dir.resolve("data/checkpoints"), 3).manifestIds()).containsExactly(good.id());

        // And without faults the final checkpoint is reported as the one close() took.
        final Engine healthy = Engine.launch(context(), List.of(counting()));
        healthy.close();
        assertThat(healthy.finalCheckpoint()).isNotNull();
        assertThat(healthy.finalCheckpoint().id()).isGreaterThan(good.id());
    }
}
