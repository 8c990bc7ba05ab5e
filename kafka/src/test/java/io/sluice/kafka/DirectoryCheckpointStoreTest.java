package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;

/**
 * A completed local checkpoint goes into the shared directory store without its state being read or
 * written again when both are on one file system (hard links), and stays restorable when the local
 * checkpoint is deleted.
 */
class DirectoryCheckpointStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLinkALocalCheckpointIntoTheSharedStoreAndRestoreItAfterTheLocalOneIsGone() throws Exception
    {
        final CheckpointStore local = new CheckpointStore(dir.resolve("work/partition-3/checkpoints"), 3);
        final byte[] state = new byte[3 * 1024 * 1024 + 17];
        new Random(11).nextBytes(state);
        final long id = (2L << 32) + 7;
        final PartitionCheckpoint entry = local.writeState(id, "trades", 0, 0, new UnsafeBuffer(state), state.length)
            .withSourcePositions(new long[] {5763});
        local.commit(new CheckpointManifest(id, 1_000, List.of(entry)));

        final DirectoryCheckpointStore shared = new DirectoryCheckpointStore(dir.resolve("shared"), "desk1", 3);
        shared.putCompleted(3, local, id);

        final Path localFile = local.directory().resolve(String.format("%020d", id)).resolve(entry.fileName());
        final Path sharedFile = dir.resolve("shared/desk1/partition-3").resolve(String.format("%020d", id)).resolve(entry.fileName());
        assertThat(Files.getAttribute(sharedFile, "unix:ino")).as("one file, linked").isEqualTo(Files.getAttribute(localFile, "unix:ino"));
        assertThat(Files.getAttribute(sharedFile, "unix:nlink")).isEqualTo(2);

        local.delete(id);
        assertThat(Files.exists(localFile)).isFalse();
        final List<String> events = new ArrayList<>();
        final CheckpointStore.LoadedCheckpoint restored = shared.newest(3, Long.MAX_VALUE, events);
        assertThat(restored).as("events %s", events).isNotNull();
        assertThat(restored.manifest().id()).isEqualTo(id);
        assertThat(restored.manifest().partitions().get(0).sourcePosition(0)).isEqualTo(5763);
        final byte[] loaded = new byte[state.length];
        restored.states().get(0).getBytes(0, loaded);
        assertThat(loaded).isEqualTo(state);
        assertThat(shared.ids(3)).containsExactly(id);
    }
}
