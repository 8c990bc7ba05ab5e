package io.sluice.peers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.HdrHistogram.Histogram;
import io.sluice.perf.Machine;

/**
 * The markdown report of {@link KafkaPipelineMain}.
 */
final class KafkaReport
{
    private static final double TARGET = 10.0;

    private KafkaReport()
    {
    }

    /**
     * Per pipeline and round, what the throughput runs' time was made of: the rate from the first input record processed to
     * the last (the end markers), and the tail from the last record processed to the last result visible.
     *
     * @param processingRates input records per second up to the last record processed.
     * @param tailMillis      the last record processed -> the last result visible.
     * @param splits          per round, ms from the last record processed to the last output sent, committed and visible
     *                        ({@link TailSampler}; -1: not seen).
     */
    record Tails(Map<String, double[]> processingRates, Map<String, double[]> tailMillis, Map<String, double[][]> splits)
    {
    }

    static String render(
        final Map<String, String> args, final Map<String, KafkaPipeline.Factory> pipelines, final Map<String, double[]> rates,
        final Map<String, double[]> cpuPerEvent, final Map<String, double[][]> budgets, final Tails tails, final Map<String, Histogram> latencies, final Map<String, Long> firings, final String traces, final double[] ceilingDefaults, final double[] ceiling, final double[] produceOnly,
        final double[] consumeOnly, final Instant started,
        final Instant ended, final String loadBefore, final String loadAfterThroughput, final String loadAfter)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Kafka -> Sluice -> Kafka beside Kafka Streams, one broker, one run\n\n");
        md.append("Run ").append(started).append(" to ").append(ended).append(" (").append(Duration.between(started, ended).toSeconds())
            .append(" s). **Load average before: ").append(loadBefore).append("; after the throughput rounds: ").append(loadAfterThroughput)
            .append("; after: ").append(loadAfter).append("** (1, 5, 15 min).\n\n");
        for (final String line : Machine.describe())
        {
            md.append(line).append('\n');
        }
        md.append("- Arguments: `").append(args).append("`\n");
        md.append("- Broker: Apache Kafka 4.4.0, one KRaft node (broker + controller) in the benchmark's JVM on loopback, ")
            .append("replication factor 1; every client in the same JVM, sharing the same 2 cores.\n\n");
        md.append("Query: W1, tumbling 6 s count+sum(value) per key over 10,000 keys, event time from the order's ts (Kafka ")
            .append("Streams: the record timestamp, the same value), bound / grace 500 ms. Throughput: after ").append(args.get("warmups"))
            .append(" unreported warm-up run(s) of every pipeline over ").append(args.get("warmupEvents"))
            .append(" orders, each run a fresh pipeline ")
            .append("reading the same pre-loaded input topic from its beginning, timed from its first record processed to the moment ")
            .append("a read_committed consumer of its output topic had every expected row; **every run's rows were compared row for ")
            .append("row with the plain loop's and were equal**. Ceiling: the broker's raw produce+consume of the same records ")
            .append("(one plain producer per partition, acks=all and idempotent as Sluice's sink, and a read_committed consumer, ")
            .append("concurrently), with the run's client settings and with `").append(args.get("ceiling"))
            .append("` on top (the best settings `KafkaCeilingMain` found here), the higher of the two being the ceiling: it bounds ")
            .append("a pipeline whose input is produced while it runs. The throughput runs read a pre-loaded topic instead, so ")
            .append("what bounds them on the broker's side is its read_committed consume of that topic (reported beside it) plus ")
            .append("the produce of their result rows (one per key and window, a fifth to a sixth of the input records here), not ")
            .append("the produce+consume of the input. Kafka Streams commits every ")
            .append(args.get("ksCommitMs")).append(" ms under both guarantees, with its default 10 MB record cache. ")
            .append("Kafka client settings of every producer and consumer under test (the ceiling's, Sluice's ")
            .append("source and sink, Kafka Streams'): ").append(KafkaTuning.parse(args.get("producer"), args.get("consumer")))
            .append(" (Sluice's sink producers: batch.size " + io.sluice.kafka.KafkaSink.BATCH_BYTES + ", linger.ms 5 and retry.backoff.ms 10 unless set; Kafka Streams' ")
            .append("producers: `").append(args.get("ksProducer")).append("` beneath the run's settings, and its own defaults linger.ms 100 ")
            .append("and, for its consumers, max.poll.records 1000; acks=all everywhere).\n\n");

        md.append("## Throughput\n\n");
        md.append("| pipeline | median ev/s | per round | x Kafka Streams, same guarantee (same round) | x broker ceiling (same round) |\n");
        md.append("|---|---|---|---|---|\n");
        md.append("| broker raw produce+consume (ceiling: per round the better of the run's client settings and `" + args.get("ceiling") + "` on top) | ")
            .append(rate(KafkaPipelineMain.median(ceiling))).append(" | ").append(list(ceiling)).append(" | - | 1 |\n");
        md.append("| broker raw produce+consume, the run's client settings | ").append(rate(KafkaPipelineMain.median(ceilingDefaults)))
            .append(" | ").append(list(ceilingDefaults)).append(" | - | ").append(ratio(ceilingDefaults, ceiling)).append(" |\n");
        md.append("| broker raw produce alone (the better) | ").append(rate(KafkaPipelineMain.median(produceOnly))).append(" | ")
            .append(list(produceOnly)).append(" | - | - |\n");
        md.append("| broker raw read_committed consume of the pre-loaded input (what the pipelines read) | ")
            .append(rate(KafkaPipelineMain.median(consumeOnly))).append(" | ").append(list(consumeOnly)).append(" | - | - |\n");
        for (final Map.Entry<String, double[]> e : rates.entrySet())
        {
            final String peer = kafkaStreamsPeer(e.getKey());
            md.append("| ").append(pipelines.get(e.getKey()).name()).append(" | ").append(rate(KafkaPipelineMain.median(e.getValue())))
                .append(" | ").append(list(e.getValue())).append(" | ").append(peer == null || !rates.containsKey(peer) ? "-" : ratio(e.getValue(), rates.get(peer)))
                .append(" | ").append(ratio(e.getValue(), ceiling)).append(" |\n");
        }
        md.append('\n');
        md.append("Target (issue #14): Sluice >= 10x Kafka Streams' throughput: ");
        // The spaced exactly once is what a daemon reading a Kafka ingress runs by default (min_commit_spacing 200 ms).
        final String[][] targets = {{"sluice-eos", "kstreams-eos", "exactly once without commit spacing "},
            {"sluice-alo", "kstreams-alo", "at least once "},
            {"sluice-eos-spaced", "kstreams-eos", "exactly once with commits spaced (the daemon's default when it reads Kafka, at 200 ms) "}};
        String separator = "";
        for (final String[] target : targets)
        {
            final double[] s = rates.get(target[0]);
            final double[] k = rates.get(target[1]);
            if (s != null && k != null)
            {
                final double r = KafkaPipelineMain.median(ratios(s, k));
                md.append(separator).append(target[2]).append(String.format("%.2fx", r)).append(r >= TARGET ? " (met)" : " (**not met**)");
                separator = "; ";
            }
        }
        md.append(".\n\n");
        tails(md, pipelines, tails);
        cpu(md, pipelines, cpuPerEvent);
        budget(md, pipelines, budgets);

        md.append("## End-to-end latency, produce of the triggering event -> committed output visible (ms)\n\n");
        md.append("Open loop at ").append(args.get("rate")).append(" orders/s for ").append(args.get("seconds"))
            .append(" s, each timestamped with its send time; a result of window [s, e) counts from e + 500 ms (when the event ")
            .append("that fires it was produced) to the poll of a read_committed consumer that returned it. Exactly once: outputs ")
            .append("become visible when the transaction commits (Sluice: once the burst of outputs ends, 2 ms without an output, ")
            .append("or its oldest output waited 50 ms, against the newest completed checkpoint, taken every ")
            .append(args.get("checkpointMs")).append(" ms; Kafka Streams: its commit interval, 100 ms). Each window emits ~10k rows ")
            .append("at once, so the percentiles include emitting and committing that burst, and a percentile is as good as the ")
            .append("number of firings (window x partition) behind it: with a few, p99 is the slowest firing.\n\n");
        md.append("| pipeline | results | firings | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|---|---|\n");
        for (final Map.Entry<String, Histogram> e : latencies.entrySet())
        {
            final Histogram h = e.getValue();
            md.append("| ").append(pipelines.get(e.getKey()).name()).append(" | ").append(h.getTotalCount()).append(" | ")
                .append(firings.get(e.getKey())).append(" | ").append(h.getValueAtPercentile(50)).append(" | ").append(h.getValueAtPercentile(90)).append(" | ")
                .append(h.getValueAtPercentile(99)).append(" | ").append(h.getValueAtPercentile(99.9)).append(" | ")
                .append(h.getMaxValue()).append(" |\n");
        }
        md.append('\n');
        if (!traces.isEmpty())
        {
            md.append("## Where Sluice's latency goes, firing by firing (`trace=true`)\n\n");
            md.append("Times in ms after the production of the event that fired the window (e + 500 ms): when that event reached ")
                .append("the pipeline, the window's first and last outputs reached the sink, barriers, checkpoint requests and ")
                .append("completions, the end of each partition's commit (sampled every 0.2 ms), and when the read_committed ")
                .append("reader received the window's first and last rows.\n\n```\n").append(traces).append("```\n");
        }
        return md.toString();
    }

    /** The CPU table: the pipelines' own threads' CPU time per input record, and Kafka Streams' over Sluice's. */
    private static void tails(final StringBuilder md, final Map<String, KafkaPipeline.Factory> pipelines, final Tails tails)
    {
        md.append("The same runs split at the last input record processed (the later partition's end marker): the rate up to it, ")
            .append("and the tail after it, the final windows' firing and (exactly once) the commit that makes their rows visible; ")
            .append("the throughput above counts both. The tail's split: when the last expected output had been handed to the ")
            .append("pipeline's Kafka producers and, exactly once, committed (the sink's counters, sampled every 0.1 ms by a harness ")
            .append("thread; Sluice only), and when the read_committed reader had every row.\n\n");
        md.append("| pipeline | median ev/s, first -> last record processed | per round | median ms, last record -> all rows visible | ")
            .append("per round: ms to the last output sent / committed / visible |\n|---|---|---|---|---|\n");
        for (final Map.Entry<String, double[]> e : tails.processingRates().entrySet())
        {
            final double[] millis = tails.tailMillis().get(e.getKey());
            md.append("| ").append(pipelines.get(e.getKey()).name()).append(" | ").append(rate(KafkaPipelineMain.median(e.getValue())))
                .append(" | ").append(list(e.getValue())).append(" | ").append(String.format("%.0f", KafkaPipelineMain.median(millis)))
                .append(" | ").append(String.join(", ", java.util.Arrays.stream(tails.splits().get(e.getKey())).map(KafkaReport::split).toList()))
                .append(" |\n");
        }
        md.append('\n');
    }

    /** One round's tail split, "sent / committed / visible" in ms, "-" for a point not seen. */
    private static String split(final double[] millis)
    {
        return String.join(" / ", java.util.Arrays.stream(millis).mapToObj(m -> m < 0 ? "-" : String.format("%.0f", m)).toList());
    }

    private static void cpu(final StringBuilder md, final Map<String, KafkaPipeline.Factory> pipelines, final Map<String, double[]> cpuPerEvent)
    {
        md.append("CPU time of each pipeline's own threads per input record, same runs, over the same time as the rate: from its ")
            .append("first record processed to its last row visible, not its start-up (the JVM's per-thread CPU clock: Sluice's ")
            .append("processing, source, committer, I/O and sink producer threads; Kafka Streams' stream threads and their clients' ")
            .append("threads; not the broker's, the harness's, the garbage collector's or the JIT's). A thread waiting for a core is ")
            .append("not charged, so this moves less with the machine's load than the rates above.\n\n");
        md.append("| pipeline | median us/record | per round | Kafka Streams / Sluice, same guarantee (same round) |\n|---|---|---|---|\n");
        for (final Map.Entry<String, double[]> e : cpuPerEvent.entrySet())
        {
            final String peer = kafkaStreamsPeer(e.getKey());
            final double[] micros = java.util.Arrays.stream(e.getValue()).map(n -> n / 1e3).toArray();
            md.append("| ").append(pipelines.get(e.getKey()).name()).append(" | ").append(String.format("%.2f", KafkaPipelineMain.median(micros)))
                .append(" | ").append(String.join(", ", java.util.Arrays.stream(micros).mapToObj(m -> String.format("%.2f", m)).toList()))
                .append(" | ").append(peer == null || !cpuPerEvent.containsKey(peer) ? "-" : ratio(cpuPerEvent.get(peer), e.getValue()))
                .append(" |\n");
        }
        md.append('\n');
    }

    /**
     * The budget table: where the machine's cores went during each pipeline's runs, per input record, so that what bounds
     * a rate (the pipeline, the broker, the machine's other work, or nothing: idle cores) can be read beside it.
     */
    private static void budget(final StringBuilder md, final Map<String, KafkaPipeline.Factory> pipelines, final Map<String, double[][]> budgets)
    {
        md.append("Where the machine's CPU went during the same runs, us per input record, medians over the rounds (first record ")
            .append("to last row visible; the process's per-thread clocks, its own CPU and the machine's `/proc/stat`, 10 ms ")
            .append("resolution). The parts add up to the run's wall time per record times the cpus: ")
            .append("a rate is bounded by the machine's CPU when idle is near 0, and then each part's share is its share of the bound. ")
            .append("The broker's column is every other Java thread of the benchmark's process (the in-process broker's request ")
            .append("handlers, network, log and coordinator threads); GC and JIT are the JVM's collector and compiler threads; the rest of the JVM includes Kafka Streams' RocksDB threads.\n\n");
        md.append("| pipeline |");
        for (final String part : CpuBudget.PARTS)
        {
            md.append(' ').append(part).append(" |");
        }
        md.append(" sum |\n|---|");
        md.append("---|".repeat(CpuBudget.PARTS.length + 1)).append('\n');
        for (final Map.Entry<String, double[][]> e : budgets.entrySet())
        {
            md.append("| ").append(pipelines.get(e.getKey()).name()).append(" |");
            double total = 0;
            for (int part = 0; part < CpuBudget.PARTS.length; part++)
            {
                final int column = part;
                final double median = KafkaPipelineMain.median(java.util.Arrays.stream(e.getValue()).mapToDouble(b -> b[column]).toArray()) / 1e3;
                total += median;
                md.append(String.format(" %.2f |", median));
            }
            md.append(String.format(" %.2f |\n", total));
        }
        md.append('\n');
    }

    /**
     * The Kafka Streams pipeline of the same guarantee as a Sluice pipeline ({@code sluice-eos-yield} and {@code sluice-eos-1c} ->
     * {@code kstreams-eos}), or null.
     */
    private static String kafkaStreamsPeer(final String pipeline)
    {
        return pipeline.startsWith("sluice-") ? "kstreams-" + pipeline.substring("sluice-".length()).replaceFirst("-.*$", "") : null;
    }

    private static double[] ratios(final double[] x, final double[] base)
    {
        final double[] r = new double[Math.min(x.length, base.length)];
        for (int i = 0; i < r.length; i++)
        {
            r[i] = x[i] / base[i];
        }
        return r;
    }

    private static String ratio(final double[] x, final double[] base)
    {
        final double[] r = ratios(x, base);
        final double[] sorted = r.clone();
        java.util.Arrays.sort(sorted);
        return String.format("%.2fx (%.2f-%.2f)", KafkaPipelineMain.median(r), sorted[0], sorted[sorted.length - 1]);
    }

    private static String list(final double[] values)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++)
        {
            s.append(i == 0 ? "" : ", ").append(rate(values[i]));
        }
        return s.toString();
    }

    static String rate(final double eventsPerSecond)
    {
        return eventsPerSecond >= 1e6 ? String.format("%.2fM", eventsPerSecond / 1e6) : String.format("%.0fk", eventsPerSecond / 1e3);
    }
}
