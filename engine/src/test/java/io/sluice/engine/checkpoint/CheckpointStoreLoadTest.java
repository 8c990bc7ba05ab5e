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
 * first damaged partition in manifest order). The blobs are read by the manifest's file layout, without Chronicle
 * Map; through Chronicle Map when the manifest has none (written before it had) or its layout does not hold the state.
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

    private static void assertStates(final CheckpointStore.LoadedCheckpoint loaded)
    {
        assertThat(loaded.states()).hasSize(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++)
        {
            final byte[] expected = blob(p);
            final byte[] actual = new byte[expected.length];
            loaded.state("trades", p).getBytes(0, actual);
            assertThat(actual).as("state of partition %d", p).isEqualTo(expected);
        }
    }

    /** Commits checkpoint 1's manifest again with each entry's layout replaced. */
    private static void rewriteLayouts(final CheckpointStore store, final java.util.function.UnaryOperator<PartitionCheckpoint> layout)
    {
        final CheckpointManifest manifest = store.readManifest(1);
        store.commit(new CheckpointManifest(1, manifest.createdMs(), manifest.partitions().stream().map(layout).toList()));
    }

    @Test
    void shouldReadEveryStateByTheManifestsFileLayoutWithoutChronicleMap()
    {
        final CheckpointStore store = writeCheckpoint(1);

        assertThat(store.readManifest(1).partitions()).allSatisfy(entry ->
        {
            assertThat(entry.hasFileLayout()).as(entry.toString()).isTrue();
            assertThat(entry.chunkOffsets()).hasSize(CheckpointStore.chunkCount(entry.stateLength()));
        });
        final CheckpointStore.LoadedCheckpoint loaded = store.load(1);

        assertThat(loaded.readThroughMap()).isZero();
        assertStates(loaded);
        final List<String> events = new ArrayList<>();
        assertThat(store.loadLatest(events)).isNotNull();
        assertThat(events).containsExactly("loaded checkpoint 1 (5 partitions, 0 read through Chronicle Map)");
    }

    @Test
    void shouldReadAManifestWithoutFileLayoutThroughChronicleMap()
    {
        final CheckpointStore store = writeCheckpoint(1);
        rewriteLayouts(store, entry -> entry.withFileLayout(0, new long[0]));

        final CheckpointStore.LoadedCheckpoint loaded = store.load(1);

        assertThat(loaded.readThroughMap()).isEqualTo(PARTITIONS);
        assertStates(loaded);
    }

    @Test
    void shouldReadThroughChronicleMapWhenTheLayoutDoesNotHoldTheState()
    {
        final CheckpointStore store = writeCheckpoint(1);
        // Every chunk placed one byte early: the file passes its CRC, the bytes read fail the state's.
        rewriteLayouts(store, entry -> entry.withFileLayout(entry.fileCrc(),
            java.util.Arrays.stream(entry.chunkOffsets()).map(offset -> offset - 1).toArray()));

        final CheckpointStore.LoadedCheckpoint loaded = store.load(1);

        assertThat(loaded.readThroughMap()).isEqualTo(PARTITIONS);
        assertStates(loaded);
    }

    @Test
    void shouldRejectAStateFileDamagedOutsideItsState() throws Exception
    {
        final CheckpointStore store = writeCheckpoint(1);
        final Path file = dir.resolve(CheckpointStore.name(1)).resolve("trades-2.cm");
        final long firstChunk = store.readManifest(1).find("trades", 2).chunkOffsets()[0];
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // A byte of the map's header or hash lookup, before the first chunk: not part of the state.
            final java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            final long at = firstChunk / 2;
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).clear();
            channel.write(one, at);
        }

        assertThatThrownBy(() -> store.load(1))
            .isInstanceOf(CheckpointException.class)
            .hasMessageContaining("trades-2.cm")
            .hasMessageContaining("fails the manifest's CRC32C of the file");
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
