package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition's state files are copies of one scratch map the store keeps between checkpoints: every checkpoint
 * loads back exactly the state written for it, whatever the states before it (longer, shorter, more or fewer chunks,
 * the same length with other bytes), including the older checkpoints still retained, and the scratch map never shows
 * in the checkpoint directory.
 */
class StateFileWriterTest
{
    @TempDir
    Path dir;

    private static byte[] blob(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldLoadEachCheckpointsOwnStateAcrossGrowingShrinkingAndRewrittenStates() throws IOException
    {
        final int chunk = CheckpointStore.CHUNK_LENGTH;
        final int[] lengths = {100, 100, 5_000, 4_990, chunk, chunk + 1, 3 * chunk - 7, 3 * chunk - 7, chunk / 2, 40, 2 * chunk + 3_000, 16};
        final CheckpointStore store = new CheckpointStore(dir, 3);
        for (int i = 0; i < lengths.length; i++)
        {
            final long id = i + 1;
            final byte[] state = blob(lengths[i], id);
            final byte[] other = blob(lengths[i] + 64, -id); // a second partition whose state differs
            store.commit(new CheckpointManifest(id, 1L, List.of(
                store.writeState(id, "trades", 0, id, new UnsafeBuffer(state), state.length),
                store.writeState(id, "trades", 1, id, new UnsafeBuffer(other), other.length))));

            for (long back = Math.max(1, id - 2); back <= id; back++) // every retained checkpoint, not only the newest
            {
                final int length = lengths[(int)back - 1];
                final CheckpointStore.LoadedCheckpoint loaded = store.load(back);
                assertThat(bytes(loaded, 0, length)).as("checkpoint %d partition 0", back).isEqualTo(blob(length, back));
                assertThat(bytes(loaded, 1, length + 64)).as("checkpoint %d partition 1", back).isEqualTo(blob(length + 64, -back));
            }
            assertThat(namesIn(dir)).as("after checkpoint %d", id).noneMatch(n -> n.startsWith("staging-"));
        }
    }

    /**
     * A state growing from checkpoint to checkpoint (a window's key table as keys arrive) within one chunk: each put
     * of a longer chunk moves the entry in the scratch map and leaves its "lowest possibly free chunk" below the lowest
     * free one, a hint Chronicle Map's recovery reports as corruption when the loader opens the copy.
     */
    @Test
    void shouldLoadEveryCheckpointOfAStateThatGrowsWithinOneChunk()
    {
        final CheckpointStore store = new CheckpointStore(dir, 3);
        for (int i = 0; i < 24; i++)
        {
            final long id = i + 1;
            final byte[] state = blob(6_000 + 7_000 * i, id);
            store.commit(new CheckpointManifest(id, 1L, List.of(store.writeState(id, "trades", 0, id, new UnsafeBuffer(state), state.length))));

            assertThat(bytes(store.load(id), 0, state.length)).as("checkpoint %d of %d bytes", id, state.length).isEqualTo(state);
        }
    }

    @Test
    void shouldWriteAStateFileAboutAsLongAsItsStateWhateverTheChunkCount()
    {
        // 80 chunks: past the 64 at which Chronicle Map's default of two segments made the file about twice the state.
        final CheckpointStore store = new CheckpointStore(dir, 3);
        final int[] lengths = {80 * CheckpointStore.CHUNK_LENGTH - 12_345, 81 * CheckpointStore.CHUNK_LENGTH + 1};
        for (int i = 0; i < lengths.length; i++)
        {
            final long id = i + 1;
            final byte[] state = blob(lengths[i], id);
            final PartitionCheckpoint written = store.writeState(id, "trades", 0, id, new UnsafeBuffer(state), state.length);
            store.commit(new CheckpointManifest(id, 1L, List.of(written)));

            assertThat(written.fileSize()).as("state file of %d bytes of state", state.length).isLessThan(state.length + state.length / 10);
            assertThat(bytes(store.load(id), 0, state.length)).isEqualTo(state);
        }
    }

    @Test
    void shouldWriteAgainAfterTheScratchMapsWereReleased()
    {
        final CheckpointStore store = new CheckpointStore(dir, 3);
        final byte[] first = blob(70_000, 1);
        store.commit(new CheckpointManifest(1, 1L, List.of(store.writeState(1, "trades", 0, 1, new UnsafeBuffer(first), first.length))));
        store.close();
        final byte[] second = blob(90_000, 2);
        store.commit(new CheckpointManifest(2, 1L, List.of(store.writeState(2, "trades", 0, 2, new UnsafeBuffer(second), second.length))));
        store.close();

        assertThat(bytes(store.load(1), 0, first.length)).isEqualTo(first);
        assertThat(bytes(store.load(2), 0, second.length)).isEqualTo(second);
    }

    private static byte[] bytes(final CheckpointStore.LoadedCheckpoint loaded, final int partition, final int length)
    {
        assertThat(loaded.manifest().partitions().get(partition).stateLength()).isEqualTo(length);
        final byte[] bytes = new byte[length];
        loaded.states().get(partition).getBytes(0, bytes);
        return bytes;
    }

    private static List<String> namesIn(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.walk(directory))
        {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
