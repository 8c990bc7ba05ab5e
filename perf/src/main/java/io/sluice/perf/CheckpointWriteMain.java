package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;

/**
 * What the checkpoint thread spends to make one checkpoint durable, alone: {@link CheckpointStore#writeState} of
 * every partition's state blob and {@link CheckpointStore#commit} of the manifest, as the checkpoint duty does, timed
 * by the CPU time of the calling thread (which a loaded machine inflates far less than wall time) and by wall time.
 * The blobs are random bytes of {@code bytes} per partition, a tenth of them changed between checkpoints (as a window
 * state whose keys all keep changing); no engine, no events. Prints per round the mean CPU and wall microseconds per
 * checkpoint.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -cp perf/target/benchmarks.jar io.sluice.perf.CheckpointWriteMain \
 *       [bytes=200000] [partitions=2] [checkpoints=300] [rounds=5] [retained=3]
 * }</pre>
 */
public final class CheckpointWriteMain
{
    private CheckpointWriteMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code name=value}: bytes (of state per partition), partitions, checkpoints (per round), rounds,
     *             retained (checkpoints kept by the store).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("bytes", "200000");
        defaults.put("partitions", "2");
        defaults.put("checkpoints", "300");
        defaults.put("rounds", "5");
        defaults.put("retained", "3");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int bytes = Integer.parseInt(a.get("bytes"));
        final int partitions = Integer.parseInt(a.get("partitions"));
        final int checkpoints = Integer.parseInt(a.get("checkpoints"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        Machine.describe().forEach(System.out::println);
        System.out.println("arguments " + a + ", load average " + Machine.loadAverage());
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final SplittableRandom random = new SplittableRandom(42);
        final UnsafeBuffer[] states = new UnsafeBuffer[partitions];
        for (int p = 0; p < partitions; p++)
        {
            final byte[] blob = new byte[bytes];
            random.nextBytes(blob);
            states[p] = new UnsafeBuffer(blob);
        }
        final Path directory = PerfFiles.newDirectory("sluice-checkpoint-write-");
        try
        {
            final CheckpointStore store = new CheckpointStore(directory.resolve("checkpoints"), Integer.parseInt(a.get("retained")));
            long id = 1;
            final double[] cpuMicros = new double[rounds];
            for (int round = 0; round <= rounds; round++) // round 0 warms up
            {
                final long cpu0 = threads.getCurrentThreadCpuTime();
                final long wall0 = System.nanoTime();
                for (int c = 0; c < checkpoints; c++, id++)
                {
                    final List<PartitionCheckpoint> entries = new ArrayList<>(partitions);
                    for (int p = 0; p < partitions; p++)
                    {
                        touch(states[p], random, bytes / 10);
                        entries.add(store.writeState(id, "orders", p, id * 1000, states[p], bytes));
                    }
                    store.commit(new CheckpointManifest(id, System.currentTimeMillis(), entries));
                }
                final double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / checkpoints;
                final double wall = (System.nanoTime() - wall0) / 1e3 / checkpoints;
                System.out.printf("%s %d: %d checkpoints of %d x %,d bytes: cpu %.1f us, wall %.1f us per checkpoint (load %s)%n",
                    round == 0 ? "warm-up" : "round", round, checkpoints, partitions, bytes, cpu, wall, Machine.loadAverage());
                if (round > 0)
                {
                    cpuMicros[round - 1] = cpu;
                }
            }
            Arrays.sort(cpuMicros);
            System.out.printf("RESULT bytes=%d partitions=%d cpu per checkpoint median %.1f us (min %.1f, max %.1f)%n",
                bytes, partitions, cpuMicros[rounds / 2], cpuMicros[0], cpuMicros[rounds - 1]);
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    private static void touch(final UnsafeBuffer state, final SplittableRandom random, final int changes)
    {
        for (int i = 0; i < changes; i++)
        {
            state.putByte(random.nextInt(state.capacity()), (byte)random.nextInt());
        }
    }
}
