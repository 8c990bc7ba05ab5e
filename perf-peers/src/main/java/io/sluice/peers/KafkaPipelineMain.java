package io.sluice.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.journal.Topic;
import io.sluice.kafka.KafkaSink;
import io.sluice.kafka.KafkaTestBroker;
import io.sluice.kafka.SinkMode;
import io.sluice.perf.Machine;

/**
 * Kafka -> processor -> Kafka in one command, on one in-process Kafka 4.4 broker (KRaft, loopback; the kafka
 * module's test broker): Sluice with an exactly_once and an at_least_once Kafka sink, and Kafka Streams 4.4 with
 * exactly_once_v2 and at_least_once, each running W1 (tumbling 6 s count+sum per key over 10k keys) from the same
 * input topic to an output topic of its own; beside them the broker's raw produce+consume rate, the ceiling.
 * <ul>
 *   <li><b>Throughput</b>: the input topic holds {@code events} orders of the peer workload (timestamps moved to
 *       now) and one end marker per partition; after {@code warmups} warm-up runs of every pipeline over {@code warmupEvents} orders
 *       (by default a quarter of {@code events}), each run is a
 *       fresh pipeline (state, group, transactional ids) reading
 *       it from the beginning, timed from its first record processed to the moment a {@code read_committed}
 *       consumer of its output has seen every expected row; the rows are then compared with the plain loop's, row
 *       for row. Rounds rotate the order.</li>
 *   <li><b>Latency</b>: a producer thread sends orders open loop at {@code rate} per second for {@code seconds},
 *       each timestamped with its wall-clock send time, into a fresh topic the pipeline already reads; a window
 *       {@code [s, e)} can fire once an event at {@code e + 500 ms} (the bound) has been produced, so a result's
 *       latency is the wall-clock time its {@code read_committed} consumer received it minus {@code e + 500}:
 *       produce of the triggering event to committed output visible. Only windows fired by the data count.</li>
 *   <li><b>Ceiling</b>: one plain producer per partition (acks=all, idempotent: the defaults, as Sluice's sink) sends
 *       the same records into a fresh topic while a read_committed consumer reads them; from the first send to the last
 *       record read ({@link KafkaCeiling}); measured with the run's client settings and with {@code ceiling} on top
 *       (default {@code batch.size:262144}, the best of {@link KafkaCeilingMain}'s comparison here), and the higher
 *       of the two is the ceiling. It bounds a pipeline whose input is produced while it runs; the throughput runs read
 *       a pre-loaded topic, whose read_committed consume alone is reported beside it.</li>
 *   <li><b>Kafka Streams</b>: {@code num.stream.threads} = the partitions, the default record cache (10 MB), and
 *       {@code commit.interval.ms} = {@code ksCommitMs} (100, its exactly-once default) under both guarantees: its
 *       at_least_once default of 30 s holds every aggregate in the cache, and so every window result behind
 *       {@code suppress}, until the next commit, which made its throughput the commit interval's and not its
 *       processing's.</li>
 * </ul>
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms2g -Xmx2g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.KafkaPipelineMain [events=1000000] [partitions=2] [rounds=3] [warmups=2] [warmupEvents=events/4] [rate=5000] [seconds=15] [checkpointMs=100] \
 *       [pipelines=sluice-eos,sluice-alo,kstreams-eos,kstreams-alo,sluice-eos-yield,sluice-eos-1c,sluice-eos-spaced] [latency=true] [trace=false] \
 *       [producer=key:value,...] [consumer=key:value,...] [ceiling=batch.size:262144] [ksCommitMs=100] \
 *       [ksProducer=batch.size:262144] [spacedMs=200] [outputHeader=true]
 * }</pre>
 * {@code pipelines} runs a subset in the order given (comparing two builds of Sluice alternately needs no Kafka Streams run); Sluice's processing
 * threads park when idle (SLEEP, the engine's default); {@code sluice-eos-yield}, run by default beside
 * {@code sluice-eos}, and {@code sluice-alo-yield}, run when named, yield instead (the setting until session 11); {@code sluice-eos-1c},
 * run by default, reads its input with one consumer for all partitions (the source's layout until session 12) where the others run
 * one per partition; {@code sluice-eos-spaced}, run by default, commits each partition at most once per {@code spacedMs}
 * while its source has input waiting ({@link io.sluice.kafka.KafkaSinkContext#minCommitSpacingMillis}); {@code latency=false}
 * skips the latency runs; {@code outputHeader=false} has every Sluice sink write its records without the
 * {@code sluice.output} header ({@link io.sluice.kafka.KafkaSinkContext#outputHeader}: for consumers that never drop
 * duplicates; Kafka Streams' outputs carry no header either); {@code trace=true} adds to the report where each of Sluice's window firings spent its latency
 * ({@link KafkaLatencyTrace}); {@code producer} and {@code consumer} are Kafka client settings applied alike to every
 * system under test and to the ceiling ({@link KafkaTuning}); {@code ksProducer} are Kafka Streams' producer settings
 * beneath them, by default the batch size Sluice's sink producers use ({@link KafkaSink#BATCH_BYTES}),
 * so that both processors' outputs leave in batches of the same size. One million orders and three rounds by default:
 * with 200,000 orders (until session 11) Sluice's run lasted half a second and its ratio to Kafka Streams spread
 * 5-12x between two rounds.
 */
public final class KafkaPipelineMain
{
    /**
     * The warm-up runs' orders by default: a quarter of the timed runs'. With a tenth (until session 16) the JIT's
     * threads still took 0.15-0.47 us of the machine per record during the timed runs of a quiet round.
     */
    static final int WARMUP_FRACTION = 4;

    private KafkaPipelineMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: events, partitions, rounds, warmups, warmupEvents, rate, seconds, checkpointMs, pipelines, latency, trace, spacedMs,
     *             outputHeader, producer, consumer, ceiling, ksCommitMs, ksProducer, seed, out, scratch.
     * @throws Exception on failure, or when a pipeline's rows differ from the plain loop's.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = args(args);
        final int events = Integer.parseInt(a.get("events"));
        final int partitions = Integer.parseInt(a.get("partitions"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int rate = Integer.parseInt(a.get("rate"));
        final int seconds = Integer.parseInt(a.get("seconds"));
        final long checkpointMs = Long.parseLong(a.get("checkpointMs"));
        final Path scratch = Files.createDirectories(Path.of(a.get("scratch")));
        final KafkaTuning tuning = KafkaTuning.parse(a.get("producer"), a.get("consumer"));
        final Path out = Files.createDirectories(Path.of(a.get("out")));
        final Instant started = Instant.now();
        final String loadBefore = Machine.loadAverage();
        System.out.println("KafkaPipelineMain " + a + "; load average " + loadBefore);

        // Sluice's sink records with or without the sluice.output header (KafkaSinkContext.outputHeader; default with).
        final boolean outputHeader = Boolean.parseBoolean(a.get("outputHeader"));
        if (!outputHeader && !"false".equals(a.get("outputHeader")))
        {
            throw new IllegalArgumentException("outputHeader must be true or false, was '" + a.get("outputHeader") + "'");
        }
        final Map<String, KafkaPipeline.Factory> pipelines = new LinkedHashMap<>();
        // Processing threads that park when idle (SLEEP, the engine's default) since session 11: against YIELD they took less CPU
        // per record in 14 of 15 same-round pairs, and YIELD's first run after the first ceiling took 2-5x (section 46).
        pipelines.put("sluice-eos", SluiceKafkaPipeline.factory(SinkMode.EXACTLY_ONCE, partitions, checkpointMs, scratch, tuning, WaitStrategyKind.SLEEP, 0, -1, outputHeader));
        // One consumer for every partition, on one thread (the source's layout until session 12), beside the consumer per partition.
        pipelines.put("sluice-eos-1c", SluiceKafkaPipeline.factory(SinkMode.EXACTLY_ONCE, partitions, checkpointMs, scratch, tuning, WaitStrategyKind.SLEEP, 1, -1, outputHeader));
        pipelines.put("sluice-alo", SluiceKafkaPipeline.factory(SinkMode.AT_LEAST_ONCE, partitions, checkpointMs, scratch, tuning, WaitStrategyKind.SLEEP, 0, -1, outputHeader));
        // The same with processing threads that yield when idle (the benchmark's setting until session 11).
        pipelines.put("sluice-eos-yield", SluiceKafkaPipeline.factory(SinkMode.EXACTLY_ONCE, partitions, checkpointMs, scratch, tuning, WaitStrategyKind.YIELD, 0, -1, outputHeader));
        pipelines.put("sluice-alo-yield", SluiceKafkaPipeline.factory(SinkMode.AT_LEAST_ONCE, partitions, checkpointMs, scratch, tuning, WaitStrategyKind.YIELD, 0, -1, outputHeader));
        // Exactly once with a commit spacing of spacedMs (section 93), while the source has input waiting; run when named.
        pipelines.put("sluice-eos-spaced", SluiceKafkaPipeline.factory(SinkMode.EXACTLY_ONCE, partitions, checkpointMs, scratch, tuning,
            WaitStrategyKind.SLEEP, 0, Long.parseLong(a.get("spacedMs")), outputHeader));
        final long ksCommitMs = Long.parseLong(a.get("ksCommitMs"));
        // Kafka Streams' producers batch as Sluice's sink producers do (ksProducer), under the run's own settings.
        final KafkaTuning ksTuning = new KafkaTuning(merged(KafkaTuning.parse(a.get("ksProducer"), "").producer(), tuning.producer()),
            tuning.consumer());
        pipelines.put("kstreams-eos", KafkaStreamsPipeline.factory(true, partitions, ksCommitMs, scratch, ksTuning));
        pipelines.put("kstreams-alo", KafkaStreamsPipeline.factory(false, partitions, ksCommitMs, scratch, ksTuning));
        final List<String> chosen = Arrays.asList(a.get("pipelines").split(","));
        if (!pipelines.keySet().containsAll(chosen))
        {
            throw new IllegalArgumentException("unknown pipeline in '" + a.get("pipelines") + "'; known: " + pipelines.keySet());
        }
        final Map<String, KafkaPipeline.Factory> ordered = new LinkedHashMap<>();
        chosen.forEach(name -> ordered.put(name, pipelines.get(name)));
        pipelines.clear();
        pipelines.putAll(ordered); // the report's rows in the order given, too

        final Path brokerDir = Files.createTempDirectory(scratch, "broker-");
        final Map<String, double[]> rates = new LinkedHashMap<>();
        final Map<String, double[]> cpuPerEvent = new LinkedHashMap<>();
        final Map<String, double[][]> budgets = new LinkedHashMap<>();
        final Map<String, double[]> processingRates = new LinkedHashMap<>();
        final Map<String, double[]> tails = new LinkedHashMap<>();
        final Map<String, double[][]> tailSplits = new LinkedHashMap<>();
        final Map<String, Histogram> latencies = new LinkedHashMap<>();
        final Map<String, Long> firings = new LinkedHashMap<>();
        final StringBuilder traces = new StringBuilder();
        final KafkaTuning best = KafkaTuning.parse(a.get("ceiling"), "");
        final double[] ceiling = new double[rounds];
        final double[] ceilingDefaults = new double[rounds];
        final double[] produceOnly = new double[rounds];
        final double[] consumeOnly = new double[rounds];
        String loadAfterThroughput;
        try (KafkaTestBroker broker = KafkaTestBroker.start(brokerDir))
        {
            final String bootstrap = broker.bootstrap();
            // The peer workload's orders, moved to now (aligned to the window) so the broker keeps them.
            final long base = System.currentTimeMillis() / Query.W1.size * Query.W1.size;
            final Workload workload = Workload.orders(events, Long.parseLong(a.get("seed")));
            final long[][] reference = shiftedReference(workload, base);
            broker.createTopics(partitions, "input");
            produceInput(bootstrap, "input", partitions, workload, base);
            System.out.printf("input: %,d orders over %d partitions (+%d end markers); %,d result rows expected%n",
                events, partitions, partitions, reference.length);

            final List<String> names = new ArrayList<>(chosen); // in the order given: the first runs first in round 1
            // Warm-up (not reported): every pipeline once over a small topic, so that no timed run pays this JVM's
            // first use of a code path (Chronicle Map's first checkpoint, Kafka Streams' first RocksDB store...).
            final Workload small = Workload.orders(Math.max(1_000, Integer.parseInt(a.get("warmupEvents"))), Long.parseLong(a.get("seed")) + 1);
            broker.createTopics(partitions, "input-warmup");
            produceInput(bootstrap, "input-warmup", partitions, small, base);
            final long[][] smallReference = shiftedReference(small, base);
            // Two passes by default: after one, the first timed run of the JVM still took 2-3x the CPU per record of the later
            // ones in two runs of session 11 (perf/README.md section 46).
            for (int pass = 0; pass < Integer.parseInt(a.get("warmups")); pass++)
            {
                for (final String name : names)
                {
                    throughput(broker, bootstrap, pipelines.get(name), partitions, "input-warmup", small.count, smallReference,
                        name + "-warmup" + pass);
                }
            }
            for (int round = 0; round < rounds; round++)
            {
                // One producer per partition, as Sluice's sink has and Kafka Streams' stream threads have.
                final double[] raw = KafkaCeiling.produceConsume(broker, bootstrap, partitions, workload, base, "ceiling-" + round,
                    tuning.producer(), tuning.consumer(), partitions);
                final double[] tuned = KafkaCeiling.produceConsume(broker, bootstrap, partitions, workload, base, "ceiling-best-" + round,
                    merged(tuning.producer(), best.producer()), tuning.consumer(), partitions);
                ceilingDefaults[round] = raw[0];
                ceiling[round] = Math.max(raw[0], tuned[0]);
                produceOnly[round] = Math.max(raw[1], tuned[1]);
                consumeOnly[round] = consumeInput(bootstrap, partitions, events + partitions, "consume-" + round, tuning);
                System.out.printf("round %d broker: produce+consume %,.0f ev/s with the run's client settings, %,.0f ev/s with %s; " +
                    "read_committed consume of the pre-loaded input %,.0f ev/s%n", round + 1, raw[0], tuned[0], best.producer(),
                    consumeOnly[round]);
                for (int s = 0; s < names.size(); s++)
                {
                    final String name = names.get((s + round) % names.size());
                    final Measured m = throughput(broker, bootstrap, pipelines.get(name), partitions, "input", events, reference, name + "-" + round);
                    rates.computeIfAbsent(name, k -> new double[rounds])[round] = m.eventsPerSecond();
                    cpuPerEvent.computeIfAbsent(name, k -> new double[rounds])[round] = m.cpuNanosPerEvent();
                    budgets.computeIfAbsent(name, k -> new double[rounds][])[round] = m.budget();
                    processingRates.computeIfAbsent(name, k -> new double[rounds])[round] = m.processingEventsPerSecond();
                    tails.computeIfAbsent(name, k -> new double[rounds])[round] = m.tailNanos() / 1e6;
                    tailSplits.computeIfAbsent(name, k -> new double[rounds][])[round] = m.tailSplit();
                    System.out.printf("round %d %-62s %,12.0f ev/s  %6.2f us cpu/event  rows ok (%,d)%n", round + 1, pipelines.get(name).name(),
                        m.eventsPerSecond(), m.cpuNanosPerEvent() / 1e3, reference.length);
                }
            }
            loadAfterThroughput = Machine.loadAverage();
            for (final String name : a.get("latency").equals("true") ? names : List.<String>of())
            {
                final Histogram histogram = latency(broker, bootstrap, pipelines.get(name), partitions, rate, seconds, name,
                    a.get("trace").equals("true"), firings, traces);
                latencies.put(name, histogram);
                System.out.printf("latency %-62s p50 %d ms p99 %d ms p99.9 %d ms max %d ms (%,d results)%n", pipelines.get(name).name(),
                    histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
                    histogram.getMaxValue(), histogram.getTotalCount());
            }
        }
        finally
        {
            SluicePeer.deleteRecursively(brokerDir);
        }
        final String loadAfter = Machine.loadAverage();
        final String report = KafkaReport.render(a, pipelines, rates, cpuPerEvent, budgets, new KafkaReport.Tails(processingRates, tails, tailSplits), latencies, firings, traces.toString(), ceilingDefaults, ceiling, produceOnly,
            consumeOnly, started, Instant.now(), loadBefore,
            loadAfterThroughput, loadAfter);
        final Path file = out.resolve("kafka-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + ".md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("report: " + file);
    }

    private static long[][] shiftedReference(final Workload workload, final long base)
    {
        final long[][] rows = Rows.sorted(new PlainLoop().run(Query.W1, workload).rows());
        for (final long[] row : rows)
        {
            row[1] += base;
            row[2] += base;
        }
        return rows;
    }

    private static void produceInput(final String bootstrap, final String topic, final int partitions, final Workload w, final long base)
    {
        final TopicLoad.Sends sends = new TopicLoad.Sends();
        try (KafkaProducer<byte[], byte[]> producer = KafkaBench.producer(bootstrap))
        {
            for (int i = 0; i < w.count; i++)
            {
                producer.send(KafkaBench.record(topic, partitions, w.key[i], w.value[i], base + w.ts[i]), sends);
            }
            // Past the end of the last window + the bound: closes every window of the data in both processors.
            final long end = base + w.maxTs + Query.W1.size + Workload.BOUND_MS + 1_000;
            for (int p = 0; p < partitions; p++)
            {
                producer.send(KafkaBench.endMarker(topic, p, end), sends);
            }
            producer.flush();
        }
        sends.check("the input topic '" + topic + "'");
        final long written = TopicLoad.written(bootstrap, topic, partitions);
        if (written != w.count + partitions)
        {
            throw new IllegalStateException("the input topic '" + topic + "' holds " + written + " records, not the " + (w.count + partitions) + " sent");
        }
    }

    /** A plain read_committed consumer reading the pre-loaded input topic from its beginning: first record to last, ev/s. */
    private static double consumeInput(
        final String bootstrap, final int partitions, final long records, final String group, final KafkaTuning tuning)
    {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaBench.readCommittedConsumer(bootstrap, group, tuning.consumer())))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition("input", p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            tps.forEach(tp -> consumer.position(tp, Duration.ofSeconds(60)));
            final TopicLoad.Read read = TopicLoad.until(consumer, records, bootstrap, "the read_committed consume of the pre-loaded input");
            return records * 1e9 / (System.nanoTime() - read.firstNanos());
        }
    }

    /**
     * One throughput run.
     *
     * @param eventsPerSecond  input records over the time from the first processed to the last result visible.
     * @param cpuNanosPerEvent CPU time of the pipeline's own threads per input record over the same time.
     * @param startUpCpuNanos  CPU time of the pipeline's own threads from its start to its first record (not in the above).
     * @param budget           the machine's CPU per input record over the same time, by {@link CpuBudget#PARTS}.
     * @param processingEventsPerSecond input records over the time from the first processed to the last processed.
     * @param tailNanos        from the last input record processed to the last result visible.
     * @param tailSplit        ms from the last input record processed to the last output sent, committed (-1: not
     *                         transactional or not counted) and visible ({@link TailSampler}).
     */
    private record Measured(double eventsPerSecond, double cpuNanosPerEvent, long startUpCpuNanos, double[] budget,
                            double processingEventsPerSecond, long tailNanos, double[] tailSplit)
    {
    }

    private static Measured throughput(
        final KafkaTestBroker broker, final String bootstrap, final KafkaPipeline.Factory factory, final int partitions, final String input,
        final int events, final long[][] reference, final String run) throws Exception
    {
        final String output = "out-" + run;
        broker.createTopics(partitions, output);
        final Predicate<String> owned = name -> factory.ownsThread(name, run);
        final Predicate<String> harness = name -> name.equals("main") || name.startsWith("result-reader-");
        final CpuSnapshot started = CpuSnapshot.take();
        try (ResultReader reader = new ResultReader(bootstrap, output, "reader-" + run, factory, reference.length);
            KafkaPipeline pipeline = factory.start(bootstrap, input, output, run);
            TailSampler tail = new TailSampler(pipeline, reference.length, run))
        {
            // The CPU counted is the rate's: from the first record processed, not from the pipeline's start-up.
            final CpuSnapshot atFirst = awaitFirstRecord(pipeline, factory.name());
            final long complete;
            try
            {
                complete = reader.awaitComplete(10, TimeUnit.MINUTES, factory.name());
            }
            catch (final IllegalStateException ex)
            {
                // What the pipeline says of itself then (checkpoints, commits, refusals, hanging transactions): the rows missing
                // at the deadline are a transaction never committed or outputs never sent, and this tells which.
                throw new IllegalStateException(ex.getMessage() + "; " + run + ": " + pipeline.diagnostics(), ex);
            }
            final CpuSnapshot atEnd = CpuSnapshot.take();
            final CpuBudget budget = atFirst.until(atEnd, owned, harness);
            final long startUpCpu = started.until(atFirst, owned, harness).pipeline();
            final long first = pipeline.firstRecordNanos();
            final long last = pipeline.lastRecordNanos();
            final Rows rows = reader.stop(500);
            final String difference = Rows.difference(reference, Rows.sorted(List.of(rows)));
            if (difference != null)
            {
                throw new IllegalStateException(factory.name() + " differs from the plain loop: " + difference);
            }
            final double rate = events * 1e9 / (complete - first);
            final double[] perRecord = budget.perRecord(events, complete - first);
            final String diagnostics = pipeline.diagnostics();
            tail.stop();
            System.out.printf("  %s: first record -> all rows %.3f s (-> last record %.3f s, last record -> all rows %.1f ms: last output sent %.1f ms, committed %.1f ms)%s%n    cpu ms by thread: %s; start-up %d ms%n    cpu us per record: %s%n",
                run, (complete - first) / 1e9, (last - first) / 1e9, (complete - last) / 1e6, tail.sentMillis(), tail.committedMillis(), diagnostics.isEmpty() ? "" : "; " + diagnostics, budget.pipelineByThread().entrySet().stream().limit(8)
                    .map(e -> e.getKey() + " " + e.getValue() / 1_000_000).collect(java.util.stream.Collectors.joining(", ")),
                startUpCpu / 1_000_000, CpuBudget.describe(perRecord));
            return new Measured(rate, perRecord[0], startUpCpu, perRecord, events * 1e9 / (last - first), complete - last,
                new double[] {tail.sentMillis(), tail.committedMillis(), (complete - last) / 1e6});
        }
    }

    /**
     * Waits for the pipeline's first processed record and then reads the CPU clocks: the few milliseconds of the
     * snapshot itself fall after the first record, and {@link CpuBudget#perRecord} scales them out.
     */
    private static CpuSnapshot awaitFirstRecord(final KafkaPipeline pipeline, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (pipeline.firstRecordNanos() == 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(what + ": no record processed within 10 minutes");
            }
            LockSupport.parkNanos(100_000);
        }
        return CpuSnapshot.take();
    }

    private static Histogram latency(
        final KafkaTestBroker broker, final String bootstrap, final KafkaPipeline.Factory factory, final int partitions, final int rate,
        final int seconds, final String name, final boolean traced, final Map<String, Long> firings, final StringBuilder traces)
        throws Exception
    {
        final String input = "lat-in-" + name;
        final String output = "lat-out-" + name;
        broker.createTopics(partitions, input, output);
        final int events = rate * seconds;
        final long[] key = new long[events];
        final long[] value = new long[events];
        final long[] ts = new long[events];
        final Workload.SplitMix random = new Workload.SplitMix(name.hashCode());
        for (int i = 0; i < events; i++)
        {
            key[i] = random.below(Workload.KEYS);
            value[i] = 1 + random.below(1000);
        }
        try (ResultReader reader = new ResultReader(bootstrap, output, "lat-reader-" + name, factory, Long.MAX_VALUE / 2);
            KafkaPipeline pipeline = factory.start(bootstrap, input, output, "lat-" + name, traced))
        {
            // The processor owns every input partition before the clock starts: latency, not start-up, is measured here.
            awaitAssigned(pipeline, partitions, factory.name());
            produceOpenLoop(bootstrap, input, partitions, rate, key, value, ts);
            // Windows the data itself fires in every partition: e + bound <= the partition's last timestamp.
            final long[] lastTs = new long[partitions];
            for (int i = 0; i < events; i++)
            {
                final int p = Topic.partitionFor(key[i], partitions);
                lastTs[p] = Math.max(lastTs[p], ts[i]);
            }
            final long lastEnd = Math.floorDiv(Arrays.stream(lastTs).min().getAsLong() - Workload.BOUND_MS, Query.W1.size) * Query.W1.size;
            final long expected = expectedRows(key, ts, lastEnd);
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (reader.countEndingBy(lastEnd) < expected && System.nanoTime() < deadline)
            {
                pipeline.firstRecordNanos(); // fails fast if the pipeline failed
                Thread.sleep(200);
            }
            final Rows rows = reader.stop(0);
            final long[] arrival = reader.arrivalMillis();
            if (traced)
            {
                final String trace = pipeline.stopAndTrace(rows, arrival, lastEnd);
                System.out.print(trace);
                traces.append(trace.isEmpty() ? "" : factory.name() + ":\n" + trace);
            }
            final Histogram histogram = new Histogram(3_600_000L, 3);
            final java.util.Set<Long> fired = new java.util.HashSet<>();
            for (int i = 0; i < rows.count(); i++)
            {
                final long end = rows.get(i, 2);
                if (end <= lastEnd)
                {
                    histogram.recordValue(Math.max(0, arrival[i] - (end + Workload.BOUND_MS)));
                    fired.add(end * partitions + Topic.partitionFor(rows.get(i, 0), partitions));
                }
            }
            firings.put(name, (long)fired.size());
            if (histogram.getTotalCount() != expected)
            {
                throw new IllegalStateException(factory.name() + " latency run: " + histogram.getTotalCount() + " results of the " + expected +
                    " windows fired by the data arrived within 5 min");
            }
            return histogram;
        }
    }

    /** Sends at a fixed rate (open loop: each send is due at start + i / rate), timestamping each with its send time. */
    private static void produceOpenLoop(
        final String bootstrap, final String topic, final int partitions, final int rate, final long[] key, final long[] value, final long[] ts)
    {
        try (KafkaProducer<byte[], byte[]> producer = KafkaBench.producer(bootstrap))
        {
            final long startNanos = System.nanoTime();
            final long intervalNanos = 1_000_000_000L / rate;
            for (int i = 0; i < key.length; i++)
            {
                final long due = startNanos + i * intervalNanos;
                while (System.nanoTime() < due)
                {
                    LockSupport.parkNanos(50_000);
                }
                ts[i] = System.currentTimeMillis();
                producer.send(KafkaBench.record(topic, partitions, key[i], value[i], ts[i]));
            }
            producer.flush();
        }
    }

    /** The run's settings with {@code over}'s on top. */
    private static Map<String, String> merged(final Map<String, String> base, final Map<String, String> over)
    {
        final Map<String, String> settings = new LinkedHashMap<>(base);
        settings.putAll(over);
        return settings;
    }

    /** Distinct (key, window) pairs of windows ending at or before lastEnd. */
    private static long expectedRows(final long[] key, final long[] ts, final long lastEnd)
    {
        final java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < key.length; i++)
        {
            final long start = Math.floorDiv(ts[i], Query.W1.size) * Query.W1.size;
            if (start + Query.W1.size <= lastEnd)
            {
                seen.add(key[i] * 1_000_003L ^ start);
            }
        }
        return seen.size();
    }

    private static Map<String, String> args(final String[] args)
    {
        final Map<String, String> settings = new TreeMap<>();
        settings.put("events", "1000000");
        settings.put("partitions", "2");
        settings.put("rounds", "3");
        settings.put("warmups", "2");
        settings.put("warmupEvents", "");
        settings.put("rate", "5000");
        settings.put("seconds", "15");
        settings.put("checkpointMs", "100");
        settings.put("pipelines", "sluice-eos,sluice-alo,kstreams-eos,kstreams-alo,sluice-eos-yield,sluice-eos-1c,sluice-eos-spaced");
        settings.put("latency", "true");
        settings.put("trace", "false");
        settings.put("producer", "");
        settings.put("consumer", "");
        settings.put("ceiling", "batch.size:262144");
        settings.put("ksCommitMs", "100");
        settings.put("spacedMs", "200");
        settings.put("outputHeader", "true");
        settings.put("ksProducer", "batch.size:" + KafkaSink.BATCH_BYTES);
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
        if (settings.get("warmupEvents").isEmpty())
        {
            settings.put("warmupEvents", String.valueOf(Integer.parseInt(settings.get("events")) / WARMUP_FRACTION));
        }
        return settings;
    }

    static double median(final double[] values)
    {
        final double[] v = values.clone();
        Arrays.sort(v);
        final int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Waits until the pipeline owns every input partition (its group's assignment), at most two minutes. */
    private static void awaitAssigned(final KafkaPipeline pipeline, final int partitions, final String name) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!pipeline.assigned(partitions))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(name + " was not assigned the " + partitions + " input partitions within 2 minutes");
            }
            Thread.sleep(10);
        }
    }
}
