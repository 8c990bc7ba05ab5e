package io.sluice.peers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.sluice.perf.Machine;

/**
 * The markdown report of {@link PeersMain}: machine, settings, load averages, per query each system's rate (median
 * and range over rounds) with its same-round ratios to Flink p=2 and to the plain loop, and the targets.
 */
final class PeersReport
{
    private static final double LIVE_TARGET = 5.0;
    private static final double BACKTEST_TARGET = 0.5;

    private PeersReport()
    {
    }

    static String render(
        final Map<String, String> args, final PeersMain.Settings settings, final Map<String, PeerSystem> systems,
        final Map<Query, PeersMain.QueryResult> results, final Instant started, final Instant ended,
        final String loadBefore, final String loadAfter)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Peer comparison: Sluice, Flink 2.3, Kafka Streams 4.4, plain loop\n\n");
        md.append("Run ").append(started).append(" to ").append(ended).append(" (").append(Duration.between(started, ended).toSeconds())
            .append(" s). **Load average before: ").append(loadBefore).append("; after: ").append(loadAfter).append("** (1, 5, 15 min).\n\n");
        for (final String line : Machine.describe())
        {
            md.append(line).append('\n');
        }
        md.append("- Arguments: `").append(args).append("`\n\n");
        md.append("Workload (the same arrays for every system): orders (key, value, ts) over ").append(Workload.KEYS)
            .append(" keys, ").append(Workload.EVENTS_PER_MS).append(" events per ms of event time, each timestamp up to ")
            .append(Workload.DISORDER_MS).append(" ms behind the largest before it, watermark bound ").append(Workload.BOUND_MS)
            .append(" ms, windows starting before 0 included; J1 adds about one payment per two orders for the order's key, ")
            .append("0-500 ms after it. Every run is a fresh instance timed from its first input to its last output after the end ")
            .append("of input; ").append(settings.warmup()).append(" warm-up round(s) not reported, then ").append(settings.rounds())
            .append(" rounds (Kafka Streams' test driver: ").append(Math.min(settings.ksRounds(), settings.rounds()))
            .append(", on the first ").append(settings.ksOrders()).append(" orders, J1 ").append(settings.ksJoinOrders())
            .append(", of the same generated stream: it is two orders of magnitude slower), the order of the systems rotating each round; warm-up on a workload of ")
            .append(settings.warmupOrders()).append(" orders (J1: ").append(settings.joinWarmupOrders())
            .append(" orders and their payments). **Every run's rows were compared row for row with the ")
            .append("plain loop's and were equal** (a difference stops the run). ev/s = input events (orders, plus payments for J1) ")
            .append("per second. Ratios are per round (same round, same load), median and range.\n\n");

        md.append("Kafka Streams runs in its TopologyTestDriver, which commits after every record (a Kafka Streams application ")
            .append("commits every 30 s by default); changelogs are disabled (the driver would keep every changelog record in memory). ")
            .append("Its figures are a lower bound of Kafka Streams in its own runtime: see the Kafka benchmark for that. Flink's source ")
            .append("(the arrays, timestamps and watermarks) runs at parallelism 1, its keyed operators at p, as Sluice's one publisher ")
            .append("feeds p partitions. Kafka Streams gets every timestamp shifted by +600 s (and back), since it drops windows starting ")
            .append("before 0.\n\n");
        md.append("When the load average is well above the 2 cores, the scheduler shares the CPU among runnable threads, so a ")
            .append("system with more busy threads (Sluice live: publisher + partitions; Flink: source + p tasks) gets a larger share ")
            .append("than a one-thread one (plain loop, backtest, test driver): read the ratios between them with that bias in mind.\n\n");
        md.append("## Targets\n\n");
        md.append("Targets: the live engine (journal on) >= 5x Flink p=2 on every query, judged for each partition count on the ")
            .append("median of the same-round ratios; the backtest >= 0.5x the plain loop.\n\n");
        md.append("| query | live p=2 / Flink p=2 | live p=1 / Flink p=2 | backtest / plain loop |\n");
        md.append("|---|---|---|---|\n");
        for (final PeersMain.QueryResult r : results.values())
        {
            md.append("| ").append(r.query).append(" | ").append(verdict(r.ratio("live2", "flink2"), LIVE_TARGET)).append(" | ")
                .append(verdict(r.ratio("live1", "flink2"), LIVE_TARGET)).append(" | ")
                .append(verdict(r.ratio("backtest", "plain"), BACKTEST_TARGET)).append(" |\n");
        }
        md.append('\n');

        for (final PeersMain.QueryResult r : results.values())
        {
            md.append("## ").append(r.query).append(": ").append(r.query.description).append("\n\n");
            md.append(String.format("%,d events (%,d orders, %,d payments), %,d result rows; Kafka Streams: the first %,d orders " +
                "(%,d events) of the same stream; load average %s before, %s after.%n%n",
                r.events, r.orders, r.payments, r.rows, r.ksOrders, r.ksEvents, r.loadBefore, r.loadAfter));
            md.append("| system | median ev/s | min - max ev/s | x Flink p=2 (same round) | x plain loop (same round) |\n");
            md.append("|---|---|---|---|---|\n");
            for (final Map.Entry<String, double[]> e : r.rates.entrySet())
            {
                final double[] rates = e.getValue();
                final double[] sorted = rates.clone();
                java.util.Arrays.sort(sorted);
                md.append("| ").append(systems.get(e.getKey()).name()).append(" | ").append(rate(r.median(e.getKey()))).append(" | ")
                    .append(rate(sorted[0])).append(" - ").append(rate(sorted[sorted.length - 1])).append(" | ")
                    .append(ratio(r.ratio(e.getKey(), "flink2"))).append(" | ").append(ratio(r.ratio(e.getKey(), "plain"))).append(" |\n");
            }
            md.append('\n');
            md.append("Per round (ev/s): ");
            final List<String> parts = new java.util.ArrayList<>();
            for (final Map.Entry<String, double[]> e : r.rates.entrySet())
            {
                final StringBuilder p = new StringBuilder(e.getKey()).append(' ');
                for (int i = 0; i < e.getValue().length; i++)
                {
                    p.append(i == 0 ? "" : ", ").append(rate(e.getValue()[i]));
                }
                parts.add(p.toString());
            }
            md.append(String.join("; ", parts)).append(".\n\n");
        }
        return md.toString();
    }

    private static String verdict(final double[] ratio, final double target)
    {
        if (ratio == null)
        {
            return "-";
        }
        return ratio(ratio) + (ratio[0] >= target ? " met" : " **not met**");
    }

    private static String rate(final double eventsPerSecond)
    {
        return eventsPerSecond >= 1e6 ? String.format("%.2fM", eventsPerSecond / 1e6) : String.format("%.0fk", eventsPerSecond / 1e3);
    }

    private static String ratio(final double[] r)
    {
        if (r == null)
        {
            return "-";
        }
        return String.format("%.2fx (%.2f-%.2f)", r[0], r[1], r[2]);
    }
}
