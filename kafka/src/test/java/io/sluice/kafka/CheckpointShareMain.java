package io.sluice.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;

/**
 * Measures what sharing a completed checkpoint costs a scale-out daemon, in the same run: the hard
 * link into the shared directory ({@link DirectoryCheckpointStore#putCompleted}) against loading and
 * writing the state again ({@code put(load(id))}, what the daemon did before). Prints the median of
 * each and their ratio.
 *
 * <pre>{@code
 * java -cp <kafka test class path> io.sluice.kafka.CheckpointShareMain [state MB, default 64] [rounds, default 7] [directory]
 * }</pre>
 */
public final class CheckpointShareMain
{
    private CheckpointShareMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args state size in MB, rounds, working directory.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        final Path dir = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir")), "share-");
        final byte[] state = new byte[megabytes * 1024 * 1024];
        new Random(1).nextBytes(state);
        final CheckpointStore local = new CheckpointStore(dir.resolve("local"), 3);
        final DirectoryCheckpointStore linked = new DirectoryCheckpointStore(dir.resolve("linked"), "job", 3);
        final DirectoryCheckpointStore copied = new DirectoryCheckpointStore(dir.resolve("copied"), "job", 3);
        final long[] link = new long[rounds];
        final long[] copy = new long[rounds];
        for (int round = 0; round < rounds; round++)
        {
            final long id = round + 1;
            final PartitionCheckpoint entry = local.writeState(id, "trades", 0, 0, new UnsafeBuffer(state), state.length);
            local.commit(new CheckpointManifest(id, System.currentTimeMillis(), List.of(entry)));
            long start = System.nanoTime();
            linked.putCompleted(0, local, id);
            link[round] = System.nanoTime() - start;
            start = System.nanoTime();
            copied.put(0, local.load(id));
            copy[round] = System.nanoTime() - start;
        }
        Arrays.sort(link);
        Arrays.sort(copy);
        final double linkMs = link[rounds / 2] / 1e6;
        final double copyMs = copy[rounds / 2] / 1e6;
        System.out.printf("state %d MB, %d rounds, load average %s%n", megabytes, rounds,
            Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf("share by hard link: median %.2f ms%n", linkMs);
        System.out.printf("share by load + write (before): median %.2f ms%n", copyMs);
        System.out.printf("ratio copy/link: %.1fx%n", copyMs / linkMs);
    }
}
