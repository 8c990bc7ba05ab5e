package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partitions' state files of a checkpoint are read in parallel: each blob comes back whole, in the
 * manifest's partition order, and a damaged file is reported as a sequential load would report it (the
 * first damaged partition in manifest order).
 */
class CheckpointStoreLoadTest
{
    private static final int PARTITIONS = 5;

    @TempDir
    Path dir;

    private static byte[] blob(final int partition)
    {
        // Several chunks each, of different lengths, so a blob put in another partition's place shows.
        final byte[] bytes = new byte[CheckpointStore.CHUNK_LENGTH * 2 + 1_000 * (partition + 1)];
        new Random(partition).nextBytes(bytes);
        return bytes;
    }

    private CheckpointStore writeCheckpoint(final long id)
    {
        final CheckpointStore store = new CheckpointStore(dir, 3);
        final List<PartitionCheckpoint> entries = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            final byte[] bytes = blob(p);
            entries.add(store.writeState(id, "trades", p, 100L * p, new UnsafeBuffer(bytes), bytes.length));
        }
        store.commit(new CheckpointManifest(id, 1L, entries));
        return store;
    }

    @Test
    void shouldLoadEveryPartitionsStateWholeAndInManifestOrder()
    {
        final CheckpointStore store = writeCheckpoint(1);

        final CheckpointStore.LoadedCheckpoint loaded = store.load(1);

        assertThat(loaded.states()).hasSize(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++)
        {
            final byte[] expected = blob(p);
            final DirectBuffer state = loaded.state("trades", p);
            final byte[] actual = new byte[expected.length];
            state.getBytes(0, actual);
            assertThat(actual).as("state of partition %d", p).isEqualTo(expected);
            assertThat(loaded.manifest().find("trades", p).journalOffset()).isEqualTo(100L * p);
        }
    }

    @Test
    void shouldReportTheFirstDamagedPartitionInManifestOrder() throws Exception
    {
        final CheckpointStore store = writeCheckpoint(1);
        final Path checkpoint = dir.resolve(CheckpointStore.name(1));
        for (final int p : new int[] {3, 1})
        {
            Files.write(checkpoint.resolve("trades-" + p + ".cm"), new byte[] {1}, StandardOpenOption.APPEND);
        }

        assertThatThrownBy(() -> store.load(1))
            .isInstanceOf(CheckpointException.class)
            .hasMessageContaining("trades-1.cm")
            .hasMessageContaining("manifest says");
        try (var files = Files.list(dir))
        {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.startsWith("verify-"));
        }
    }
}
