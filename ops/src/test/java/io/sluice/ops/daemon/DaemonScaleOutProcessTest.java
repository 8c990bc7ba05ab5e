package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.kafka.KafkaBrokerExtension;
import io.sluice.kafka.KafkaTestSupport;
import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;

/**
 * Real {@code sluice run} daemons configured with {@code scale_out} share a Kafka topic's partitions
 * through one consumer group, against a real Kafka broker (one for the class): a second daemon joins,
 * the first is SIGKILLed while the input is still being produced, a third joins and the first is
 * restarted. A {@code read_committed} consumer of the output topic then sees exactly the outputs of
 * the replay of the whole input (what {@code sluice replay} runs), each once; {@code ctl status}, JMX
 * and the Prometheus endpoint show each daemon's owned partitions, lag and rebalances; {@code ctl
 * checkpoint}, {@code pause}, {@code resume} and {@code replay} act on every owned partition's engine.
 */
class DaemonScaleOutProcessTest
{
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    /**
     * A daemon of job {@code <name>}: reads {@code <name>-in}, writes {@code <name>-out}, shares its
     * checkpoints in {@code shared}.
     */
    static String config(final String bootstrap, final String dataDir, final String name, final int partitions)
    {
        return DaemonYaml.daemon(dataDir, partitions).checkpoint("300ms", 5).prometheus().tradeSchema().volume("1s", "results")
            .kafkaSink("results", bootstrap, name + "-out", "sluice." + name + ".results")
            .kafkaIngress(bootstrap, name + "-in", "sluice." + name)
            .scaleOut(name, "shared", "6s")
            .build();
    }

    /** Writes the configuration of each daemon of a job, {@code <name>-a.yaml} with data in {@code <name>-a} and so on. */
    private Path[] configs(final String name, final int daemons, final int partitions) throws Exception
    {
        final Path[] configs = new Path[daemons];
        for (int i = 0; i < daemons; i++)
        {
            final String daemon = name + "-" + (char)('a' + i);
            configs[i] = Files.writeString(dir.resolve(daemon + ".yaml"), config(broker.bootstrap(), daemon, name, partitions));
        }
        return configs;
    }

    @Test
    void shouldSharePartitionsAcrossDaemonsAndCommitEveryResultOnceWhenOneIsKilledAndOneAdded() throws Exception
    {
        broker.createTopics(PARTITIONS, "scale-in", "scale-out");
        final Path[] configs = configs("scale", 3, PARTITIONS);
        final List<String> input = TradeVolumes.input(7, 30_000);
        final List<String> expected = TradeVolumes.expected(dir, Files.readString(configs[0]), input, PARTITIONS);
        assertThat(expected).hasSizeGreaterThan(1_000);
        final int third = 10_000;

        KafkaTestSupport.produce(broker.bootstrap(), "scale-in", PARTITIONS, input.subList(0, third));
        try (DaemonProcesses daemons = new DaemonProcesses(dir))
        {
            final DaemonProcess first = daemons.start(configs[0], "a1.log");
            awaitOwned("the first daemon owns every partition", first, PARTITIONS);

            final DaemonProcess second = daemons.start(configs[1], "b.log");
            awaitShared("the second daemon joins and takes partitions", PARTITIONS, first, second);

            KafkaTestSupport.produce(broker.bootstrap(), "scale-in", PARTITIONS, input.subList(third, 2 * third));
            first.process.destroyForcibly(); // SIGKILL, mid-stream
            assertThat(first.process.waitFor(3, TimeUnit.MINUTES)).isTrue();

            final DaemonProcess third3 = daemons.start(configs[2], "c.log");
            final DaemonProcess restarted = daemons.start(configs[0], "a2.log");
            KafkaTestSupport.produce(broker.bootstrap(), "scale-in", PARTITIONS, input.subList(2 * third, input.size()));
            awaitShared("the third daemon and the restarted first share the partitions with the second", PARTITIONS, second, third3, restarted);

            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "scale-out", expected.size());

            assertThat(third3.ctl("status")).contains("scale-out: job scale, group sluice.scale, Kafka topic scale-in: RUNNING")
                .containsPattern("owned partitions: [1-4] \\(\\d lag \\d+")
                .containsPattern("rebalances: [1-9]\\d*, last 20")
                .contains("  partition ").contains("recent moves:").contains("restored");
            assertThat(second.metrics()).containsPattern("sluice_kafka_partition_owned\\{kafka_topic=\"scale-in\",partition=\"\\d\"\\} 1")
                .containsPattern("sluice_kafka_partition_lag_records\\{kafka_topic=\"scale-in\",partition=\"\\d\"\\} \\d+")
                .containsPattern("sluice_kafka_rebalances_total\\{kafka_topic=\"scale-in\"\\} [1-9]");

            for (final DaemonProcess daemon : List.of(second, third3, restarted))
            {
                assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            }
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
        }
        // Nothing more after the graceful stops (the final checkpoints commit what was open), and nothing twice.
        assertThat(TradeVolumes.committed(broker.bootstrap(), "scale-out", expected.size())).hasSize(expected.size());
    }

    /**
     * A zombie: the owner of both partitions is paused (SIGSTOP) while the group moves them to another
     * daemon, which fences its transactions; resumed (SIGCONT), it learns it lost them and commits
     * nothing more, and the outputs stay exactly once.
     */
    @Test
    void shouldFenceAPausedOwnerWhosePartitionsMovedAndKeepOutputsExactlyOnce() throws Exception
    {
        broker.createTopics(2, "zombie-in", "zombie-out");
        final Path[] configs = configs("zombie", 2, 2);
        final List<String> input = TradeVolumes.input(7, 30_000);
        final List<String> expected = TradeVolumes.expected(dir, Files.readString(configs[0]), input, 2);
        final int half = input.size() / 2;
        KafkaTestSupport.produce(broker.bootstrap(), "zombie-in", 2, input.subList(0, half));
        try (DaemonProcesses daemons = new DaemonProcesses(dir))
        {
            final DaemonProcess zombie = daemons.start(configs[0], "zombie-a.log");
            awaitOwned("the first daemon owns both partitions", zombie, 2);
            DaemonProcess.await("the first daemon has shared a checkpoint of each partition", () -> sharedEverywhere(zombie, 2));
            signal("STOP", zombie);

            final DaemonProcess successor = daemons.start(configs[1], "zombie-b.log");
            awaitOwned("the second daemon takes both partitions once the paused one's session expired", successor, 2);
            KafkaTestSupport.produce(broker.bootstrap(), "zombie-in", 2, input.subList(half, input.size()));
            signal("CONT", zombie);
            zombie.awaitLog("lost (the group moved it while this daemon was unreachable)");

            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "zombie-out", expected.size());
            for (final DaemonProcess daemon : List.of(successor, zombie))
            {
                assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            }
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
        }
        assertThat(TradeVolumes.committed(broker.bootstrap(), "zombie-out", expected.size())).hasSize(expected.size());
    }

    /**
     * The operator's commands reach every partition a scale-out daemon owns: a checkpoint per partition
     * (ctl and the JMX operation), shared to the store; a pause on both partitions that survives a
     * rebalance (the paused daemon hands one partition over, which runs at its new owner) and a resume;
     * a replay whose outputs are committed again. The results before the replay are exactly once.
     */
    @Test
    void shouldCheckpointPauseResumeAndReplayEveryOwnedPartitionOfAScaleOutDaemon() throws Exception
    {
        broker.createTopics(2, "ctl-in", "ctl-out");
        final Path[] configs = configs("ctl", 2, 2);
        final List<String> input = TradeVolumes.input(11, 10_000);
        final List<String> expected = TradeVolumes.expected(dir, Files.readString(configs[0]), input, 2);
        final int half = input.size() / 2;
        KafkaTestSupport.produce(broker.bootstrap(), "ctl-in", 2, input.subList(0, half));
        try (DaemonProcesses daemons = new DaemonProcesses(dir))
        {
            final DaemonProcess first = daemons.start(configs[0], "ctl-a.log");
            awaitOwned("the first daemon owns both partitions", first, 2);

            final String checkpoint = first.ctl("checkpoint");
            final long[] ids = checkpointIds(checkpoint);
            final String checkpointOverJmx = first.jmx(client -> client.engine().checkpointNow());
            final long[] later = checkpointIds(checkpointOverJmx);
            for (int p = 0; p < 2; p++)
            {
                assertThat(later[p]).as("partition %d: a newer checkpoint; ctl said:%n%s%nJMX said:%n%s", p, checkpoint, checkpointOverJmx)
                    .isGreaterThan(ids[p]);
                final String shared = first.ctl("status");
                assertThat(sharedCheckpoint(shared, p)).as("partition %d is shared at least up to the checkpoint taken:%n%s", p, shared)
                    .isGreaterThanOrEqualTo(later[p]);
            }

            assertThat(first.ctl("pause", "vol")).isEqualTo("partition 0: paused vol\npartition 1: paused vol\n");
            assertThat(first.ctl("status")).contains("paused on this daemon (every owned partition): vol");
            final CliResult unknown = CliResult.run("ctl", "pause", "nope", "--dir", first.dataDirectory.toString());
            assertThat(unknown.exitCode()).as(unknown.toString()).isNotEqualTo(ExitCodes.OK);
            assertThat(unknown.err()).contains("no pipeline 'nope'");

            KafkaTestSupport.produce(broker.bootstrap(), "ctl-in", 2, input.subList(half, input.size()));
            final DaemonProcess second = daemons.start(configs[1], "ctl-b.log");
            awaitShared("the paused daemon hands a partition over to the second", 2, first, second);
            final int kept = first.ownedPartitions()[0];
            assertThat(first.ctl("resume", "vol")).isEqualTo("partition " + kept + ": resumed vol\n");
            assertThat(first.ctl("status")).doesNotContain("paused on this daemon");

            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "ctl-out", expected.size());
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());

            assertThat(first.ctl("replay", "vol", "--from-offset", "0"))
                .isEqualTo("partition " + kept + ": replaying vol from offset 0 of its journal\n");
            assertThat(TradeVolumes.committed(broker.bootstrap(), "ctl-out", expected.size() + 1))
                .as("the replayed outputs, committed with a later checkpoint").hasSizeGreaterThan(expected.size());
            for (final DaemonProcess daemon : List.of(first, second))
            {
                assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            }
        }
    }

    /** The checkpoint id per partition in the lines of a checkpoint command, each complete and shared. */
    private static long[] checkpointIds(final String lines)
    {
        final long[] ids = new long[2];
        for (int p = 0; p < 2; p++)
        {
            final Matcher matcher = Pattern.compile("partition " + p + ": checkpoint (\\d+) complete, shared to ").matcher(lines);
            assertThat(matcher.find()).as("partition %d in:%n%s", p, lines).isTrue();
            ids[p] = Long.parseLong(matcher.group(1));
        }
        return ids;
    }

    private static long sharedCheckpoint(final String status, final int partition)
    {
        final Matcher matcher = Pattern.compile("  partition " + partition + ": .*shared checkpoint (\\d+)").matcher(status);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static void signal(final String signal, final DaemonProcess daemon) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(daemon.process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
    }

    /** Whether the daemon owns {@code partitions} partitions and has shared a checkpoint of each. */
    private static boolean sharedEverywhere(final DaemonProcess daemon, final int partitions)
    {
        final String[] status = daemon.jmx(client -> client.scaleOut() == null ? null : client.scaleOut().getPartitionStatus());
        return status != null && status.length == partitions &&
            java.util.Arrays.stream(status).noneMatch(line -> line.contains("shared checkpoint none yet"));
    }

    private static void awaitOwned(final String what, final DaemonProcess daemon, final int partitions)
    {
        DaemonProcess.await(what, () -> daemon.ownedPartitions().length == partitions);
    }

    /** Waits until every daemon owns at least one partition and together they own each partition once. */
    private static void awaitShared(final String what, final int partitions, final DaemonProcess... daemons)
    {
        DaemonProcess.await(what, () ->
        {
            final TreeSet<Integer> all = new TreeSet<>();
            int total = 0;
            for (final DaemonProcess daemon : daemons)
            {
                final int[] owned = daemon.ownedPartitions();
                if (owned.length == 0)
                {
                    return false;
                }
                for (final int partition : owned)
                {
                    all.add(partition);
                }
                total += owned.length;
            }
            return total == partitions && all.size() == partitions;
        });
    }
}
