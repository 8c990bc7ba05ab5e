package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.journal.Topic;

/**
 * Scale-out on a real broker: daemon processes of one job share a topic's partitions through the
 * consumer group; one is killed with SIGKILL midway and restarted, one is added; the committed outputs
 * equal the replay of the whole input by one engine, each exactly once.
 */
class KafkaScaleOutTest
{
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();
    private final List<Daemon> daemons = new ArrayList<>();

    @AfterEach
    void killDaemons() throws java.io.IOException
    {
        daemons.forEach(d -> d.process.destroyForcibly());
        // What each daemon said, for a failure's report (surefire keeps the test's output).
        for (final Daemon daemon : daemons)
        {
            final List<String> lines;
            synchronized (daemon.lines)
            {
                lines = new ArrayList<>(daemon.lines);
            }
            System.out.println("--- daemon " + daemon.name + ": " + lines.stream().filter(l -> l.startsWith("EVENT")).toList() +
                " last: " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            final Path log = dir.resolve("daemon-" + daemon.name + ".log");
            if (Files.exists(log))
            {
                final List<String> errors = Files.readAllLines(log);
                System.out.println("--- stderr " + daemon.name + ": " + errors.subList(Math.max(0, errors.size() - 40), errors.size()));
            }
        }
    }

    @Test
    void shouldCommitEveryResultOnceWhileDaemonsAreKilledRestartedAndAdded() throws Exception
    {
        final String in = "scale-in";
        final String out = "scale-out";
        broker.createTopics(PARTITIONS, in, out);
        final List<String> input = KafkaTestSupport.trades(11, 0, 24_000);
        final List<String> expected = replayed(input);
        final Path ends = dir.resolve("ends");

        final Daemon first = start("a", ends);
        await("the first daemon to own every partition", () -> first.owned().size() == PARTITIONS);
        KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input.subList(0, 8_000));
        await("the first daemon to process records and share checkpoints", () -> first.records() > 0 && first.shared() == PARTITIONS);
        final Daemon second = start("b", ends); // takes partitions over from the first: a clean hand-over
        await("both daemons running partitions", () -> !first.owned().isEmpty() && !second.owned().isEmpty() &&
            first.owned().size() + second.owned().size() == PARTITIONS);
        await("the first daemon to share a checkpoint of what it kept", () -> first.shared() > 0);
        first.process.destroyForcibly(); // SIGKILL, mid-stream: its transactions are open, its partitions unreleased
        assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input.subList(8_000, 16_000));
        final Daemon third = start("c", ends);
        await("the survivors to own every partition", () -> second.owned().size() + third.owned().size() == PARTITIONS);
        final Daemon restarted = start("a", ends);
        KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input.subList(16_000, input.size()));
        writeEnds(ends, input);

        final List<String> committed;
        try
        {
            committed = committedOutputs(out, expected.size());
        }
        catch (final AssertionError ex)
        {
            final List<String> got = committedOutputs(out, 0);
            final TreeSet<String> missing = new TreeSet<>(expected);
            got.forEach(missing::remove);
            throw new AssertionError(ex.getMessage() + "; expected per partition " + perPartition(expected) + ", committed " +
                perPartition(got) + "; missing " + missing.stream().limit(10).toList() + " ... " +
                missing.descendingSet().stream().limit(10).toList() + "; uncommitted " + perPartition(uncommitted(out)), ex);
        }
        assertThat(committed).as("events: %s", events()).hasSize(expected.size());
        assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
        assertThat(events()).as("a partition restored from the shared store by another daemon")
            .anyMatch(e -> e.contains("restored checkpoint"));
        assertThat(restarted.process.isAlive()).isTrue();
    }

    /** In-process members: the clean hand-over path alone (the process test above covers it too). */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void shouldHandPartitionsOverWhenASecondMemberJoins() throws Exception
    {
        final String in = "join-in";
        final String out = "join-out";
        broker.createTopics(PARTITIONS, in, out);
        final List<String> input = KafkaTestSupport.trades(13, 0, 8_000);
        final List<String> expected = replayed(input);
        final java.util.Map<Integer, Long> ends = new java.util.HashMap<>();
        final long[] counts = counts(input);
        for (int p = 0; p < PARTITIONS; p++)
        {
            ends.put(p, counts[p]);
        }
        try (KafkaGroupMember first = KafkaGroupMember.start(memberContext(in, out, "join").workDirectory(dir.resolve("work-1"))))
        {
            await("the first member to own every partition", () -> first.ownedPartitions().size() == PARTITIONS);
            KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input.subList(0, 4_000));
            await("the first half journaled", () -> first.records() == 4_000);
            try (KafkaGroupMember second = KafkaGroupMember.start(memberContext(in, out, "join").workDirectory(dir.resolve("work-2"))))
            {
                await("the second member to take partitions", () -> !second.ownedPartitions().isEmpty() &&
                    first.ownedPartitions().size() + second.ownedPartitions().size() == PARTITIONS);
                KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input.subList(4_000, input.size()));
                first.endInputAt(ends);
                second.endInputAt(ends);
                final List<String> committed = committedOutputs(out, expected.size());
                assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
                assertThat(committed).hasSize(expected.size());
                assertThat(second.events()).anyMatch(e -> e.contains("restored checkpoint"));
            }
        }
    }

    private KafkaGroupMemberContext memberContext(final String in, final String out, final String job)
    {
        return new KafkaGroupMemberContext()
            .job(job)
            .source(new KafkaSourceContext().bootstrapServers(broker.bootstrap()).topic(in).groupId("sluice." + job)
                .sluiceTopic("trades").format(ValueFormat.JSON))
            .checkpointStore(new DirectoryCheckpointStore(dir.resolve("store"), job, 5))
            .workDirectory(dir.resolve("work-" + job))
            .sessionTimeoutMillis(6_000)
            .engine(() -> new io.sluice.engine.runtime.EngineContext().ringSize(1024).journalSegmentLength(1024 * 1024)
                .checkpointIntervalMillis(300).checkpointsRetained(5))
            .sink("out", new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
                .transactionalIdPrefix("sluice." + job + "." + out).mode(SinkMode.EXACTLY_ONCE).format(ValueFormat.JSON)
                .timeoutMillis(120_000))
            .pipelines(sinks -> List.of(KafkaTestSupport.tumbling(sinks.get("out"))));
    }

    private static long[] counts(final List<String> input)
    {
        final long[] counts = new long[PARTITIONS];
        for (final String line : input)
        {
            counts[Topic.partitionFor(KafkaTestSupport.account(line), PARTITIONS)]++;
        }
        return counts;
    }

    private static java.util.Map<String, Long> perPartition(final List<String> lines)
    {
        return new java.util.TreeMap<>(lines.stream().collect(java.util.stream.Collectors.groupingBy(l -> l.substring(0, l.indexOf(' ')),
            java.util.stream.Collectors.counting())));
    }

    private List<String> events()
    {
        final List<String> events = new ArrayList<>();
        for (final Daemon daemon : daemons)
        {
            synchronized (daemon.lines)
            {
                daemon.lines.stream().filter(l -> l.startsWith("EVENT")).forEach(l -> events.add(daemon.name + " " + l));
            }
        }
        return events;
    }

    /** Writes where each partition's input ends: its record count (offsets of a non-transactional topic run from 0). */
    private static void writeEnds(final Path ends, final List<String> input) throws java.io.IOException
    {
        final long[] counts = counts(input);
        final List<String> lines = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            lines.add(p + "=" + counts[p]);
        }
        final Path tmp = ends.resolveSibling("ends.tmp");
        Files.write(tmp, lines);
        Files.move(tmp, ends, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** What one engine makes of the whole input, rendered as "partition sequence value". */
    private List<String> replayed(final List<String> input) throws Exception
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final EventEncoder encoder = new EventEncoder(ValueFormat.JSON);
        final EventSink sink = (partition, sequence, key, timestamp, event) ->
            lines.add(partition + " " + sequence + " " + new String(encoder.encode(event), StandardCharsets.UTF_8));
        Backtest.replay(List.of(KafkaTestSupport.tumbling(sink)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), input)),
            new BacktestOptions().partitions(PARTITIONS));
        return lines;
    }

    private static List<String> committedOutputs(final String topic, final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), topic, expected))
        {
            lines.add(KafkaTestSupport.outputLine(record));
        }
        return lines;
    }

    private static List<String> uncommitted(final String topic)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), topic, 0, "read_uncommitted"))
        {
            lines.add(KafkaTestSupport.outputLine(record));
        }
        return lines;
    }

    private Daemon start(final String name, final Path ends) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaGroupMemberChild.class.getName(),
            broker.bootstrap(), "scale-in", "scale-out", dir.resolve("store").toString(), dir.resolve("work-" + name).toString(),
            ends.toString(), "300"));
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon-" + name + ".log").toFile())).start();
        final Daemon daemon = new Daemon(name, process);
        daemons.add(daemon);
        return daemon;
    }

    /** A daemon process and what it printed. */
    private static final class Daemon
    {
        final String name;
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        Daemon(final String name, final Process process)
        {
            this.name = name;
            this.process = process;
            final Thread pump = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = reader.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final java.io.IOException ex)
                {
                    // the daemon died
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        /** The partitions of its last status line. */
        List<String> owned()
        {
            synchronized (lines)
            {
                for (int i = lines.size() - 1; i >= 0; i--)
                {
                    final String line = lines.get(i);
                    if (line.startsWith("STATUS owned=["))
                    {
                        final String list = line.substring("STATUS owned=[".length(), line.indexOf(']'));
                        return list.isEmpty() ? List.of() : List.of(list.split(", "));
                    }
                }
            }
            return List.of();
        }

        /** Owned partitions with a checkpoint in the shared store, from its last status line. */
        long shared()
        {
            final String line = lastStatus();
            return line == null ? 0 : Long.parseLong(line.substring(line.indexOf("shared=") + "shared=".length()).trim());
        }

        long records()
        {
            final String line = lastStatus();
            return line == null ? 0 : Long.parseLong(line.substring(line.indexOf("records=") + "records=".length(), line.indexOf(" shared=")));
        }

        private String lastStatus()
        {
            synchronized (lines)
            {
                for (int i = lines.size() - 1; i >= 0; i--)
                {
                    final String line = lines.get(i);
                    if (line.startsWith("STATUS"))
                    {
                        return line;
                    }
                }
            }
            return null;
        }
    }
}
