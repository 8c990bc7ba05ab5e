package io.sluice.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.kafka.KafkaTestBroker;
import io.sluice.perf.Machine;

/**
 * Which Kafka client settings give this machine's best raw produce+consume rate of the benchmark's records
 * ({@link KafkaCeiling}), so that {@link KafkaPipelineMain}'s ceiling is the best a client here does and not the
 * client defaults' strawman: every producer setting of {@code producer} (settings separated by {@code ;}, each
 * {@code key:value,...}, {@code defaults} for none) with 1 and {@code partitions} producer threads, against every
 * consumer setting of {@code consumer}, on one in-process broker, the order rotating each round; rates are medians
 * over the rounds.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms2g -Xmx2g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.KafkaCeilingMain [events=1000000] [partitions=2] [rounds=3] \
 *       [producer=defaults;batch.size:262144;...] [consumer=defaults;...]
 * }</pre>
 */
public final class KafkaCeilingMain
{
    private KafkaCeilingMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: events, partitions, rounds, producer, consumer, producers, seed, out, scratch.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = args(args);
        final int events = Integer.parseInt(a.get("events"));
        final int partitions = Integer.parseInt(a.get("partitions"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        final Path scratch = Files.createDirectories(Path.of(a.get("scratch")));
        final Path out = Files.createDirectories(Path.of(a.get("out")));
        final Instant started = Instant.now();
        final String loadBefore = Machine.loadAverage();
        System.out.println("KafkaCeilingMain " + a + "; load average " + loadBefore);
        final List<String[]> cases = new ArrayList<>();
        for (final String producer : a.get("producer").split(";"))
        {
            for (final String consumer : a.get("consumer").split(";"))
            {
                for (final String producers : a.get("producers").split(","))
                {
                    cases.add(new String[] {producer, consumer, producers});
                }
            }
        }
        final double[][] rates = new double[cases.size()][rounds];
        final double[][] produceRates = new double[cases.size()][rounds];
        final Path brokerDir = Files.createTempDirectory(scratch, "broker-");
        try (KafkaTestBroker broker = KafkaTestBroker.start(brokerDir))
        {
            final String bootstrap = broker.bootstrap();
            final long base = System.currentTimeMillis() / Query.W1.size * Query.W1.size;
            final Workload workload = Workload.orders(events, Long.parseLong(a.get("seed")));
            final Workload small = Workload.orders(Math.max(1_000, events / 10), Long.parseLong(a.get("seed")) + 1);
            for (int c = 0; c < cases.size(); c++)
            {
                run(broker, bootstrap, partitions, small, base, "warmup-" + c, cases.get(c));
            }
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < cases.size(); i++)
                {
                    final int c = (i + round) % cases.size();
                    final double[] r = run(broker, bootstrap, partitions, workload, base, "ceiling-" + round + "-" + c, cases.get(c));
                    rates[c][round] = r[0];
                    produceRates[c][round] = r[1];
                    System.out.printf("round %d producer %-50s consumer %-30s producers %s: produce+consume %,.0f ev/s, produce %,.0f ev/s%n",
                        round + 1, cases.get(c)[0], cases.get(c)[1], cases.get(c)[2], r[0], r[1]);
                }
            }
        }
        finally
        {
            SluicePeer.deleteRecursively(brokerDir);
        }
        final StringBuilder report = new StringBuilder();
        report.append("# The broker's raw produce+consume rate by Kafka client settings\n\n");
        report.append("Run ").append(started).append(" to ").append(Instant.now()).append(". **Load average before: ").append(loadBefore)
            .append("; after: ").append(Machine.loadAverage()).append("** (1, 5, 15 min).\n\n");
        report.append(String.join("\n", Machine.describe())).append("\n");
        report.append("- Arguments: `").append(a).append("`\n");
        report.append("- One Kafka 4.4.0 broker (KRaft, loopback) in this JVM; producers acks=all, idempotent (the defaults, as Sluice's "
            + "sink); one read_committed consumer; ").append(events).append(" records of 8 + 24 bytes over ").append(partitions)
            .append(" partitions; median of ").append(rounds).append(" rounds, the order rotating.\n\n");
        report.append("| producer settings | consumer settings | producer threads | produce+consume ev/s (median) | per round | produce alone (median) |\n");
        report.append("|---|---|---|---|---|---|\n");
        for (int c = 0; c < cases.size(); c++)
        {
            final StringBuilder per = new StringBuilder();
            for (final double r : rates[c])
            {
                per.append(per.length() == 0 ? "" : ", ").append(KafkaReport.rate(r));
            }
            report.append("| ").append(cases.get(c)[0]).append(" | ").append(cases.get(c)[1]).append(" | ").append(cases.get(c)[2])
                .append(" | ").append(KafkaReport.rate(KafkaPipelineMain.median(rates[c]))).append(" | ").append(per)
                .append(" | ").append(KafkaReport.rate(KafkaPipelineMain.median(produceRates[c]))).append(" |\n");
        }
        final Path file = out.resolve("kafka-ceiling-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + ".md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("report: " + file);
    }

    private static double[] run(
        final KafkaTestBroker broker, final String bootstrap, final int partitions, final Workload w, final long base, final String topic,
        final String[] c) throws InterruptedException
    {
        return KafkaCeiling.produceConsume(broker, bootstrap, partitions, w, base, topic, settings(c[0]), settings(c[1]), Integer.parseInt(c[2]));
    }

    private static Map<String, String> settings(final String text)
    {
        return text.equals("defaults") ? Map.of() : KafkaTuning.parse(text, "").producer();
    }

    private static Map<String, String> args(final String[] args)
    {
        final Map<String, String> settings = new TreeMap<>();
        settings.put("events", "1000000");
        settings.put("partitions", "2");
        settings.put("rounds", "3");
        settings.put("producer", "defaults;batch.size:65536;batch.size:262144;batch.size:262144,linger.ms:20;batch.size:262144,compression.type:lz4");
        settings.put("consumer", "defaults");
        settings.put("producers", "1,2");
        settings.put("seed", "20261205");
        settings.put("out", "perf/reports");
        settings.put("scratch", System.getProperty("java.io.tmpdir") + "/sluice-peers");
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !settings.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + settings.keySet());
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return settings;
    }
}
