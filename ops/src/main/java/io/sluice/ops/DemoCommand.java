package io.sluice.ops;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.HdrHistogram.Histogram;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.loadgen.Alert;
import io.sluice.loadgen.AlertLog;
import io.sluice.loadgen.CardTransactionScenario;
import io.sluice.loadgen.DetectionReport;
import io.sluice.loadgen.EmbeddedEngineTarget;
import io.sluice.loadgen.FraudDesk;
import io.sluice.loadgen.InterleavedScenario;
import io.sluice.loadgen.InjectedPattern;
import io.sluice.loadgen.IntervalStats;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.LoadGenerator;
import io.sluice.loadgen.LoadOptions;
import io.sluice.loadgen.OrderPaymentScenario;
import io.sluice.loadgen.OrderRules;
import io.sluice.loadgen.RatePlan;
import io.sluice.loadgen.RunResult;
import io.sluice.loadgen.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the fraud desk. Starts an embedded engine (data in a temporary directory
 * unless {@code --dir}), loads the fraud-desk pipelines ({@link FraudDesk}: card velocity on a
 * sliding window, amount against the card's norm on a tumbling window, impossible travel; orders
 * interval-joined to payments, orders enriched from the accounts table), drives them with the
 * open-loop load generator on the card scenario interleaved with the orders-and-payments scenario
 * (one event in {@value #ORDER_SHARE}; both seeded, with injected fraud), prints
 * throughput, latency percentiles and alerts once a second, and ends with a summary: events,
 * throughput, end-to-end latency from the scheduled send time, alerts detected against injected, and
 * where the reports and plots were written. {@code sluice demo journal} keeps the earlier
 * journal-and-replay demo.
 *
 * <p>Threading: the command's thread reports; the load generator's sender and the engine's partition
 * threads are started and stopped inside {@link #call()}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    subcommands = JournalDemoCommand.class,
    description = {
        "The fraud desk: card velocity, amount-vs-norm and impossible-travel detectors, orders joined to payments",
        "within an interval and orders enriched from an accounts table, on an embedded engine, driven at a fixed",
        "open-loop rate by the load generator with injected fraud; live throughput, latency and alerts,",
        "then a summary with detected vs injected fraud and HdrHistogram reports and plots.",
        "'sluice demo journal' runs the older journal append/replay demo." })
final class DemoCommand implements Callable<Integer>
{
    /** One event in this many is order-side (an order, its copy by account, a payment, an account update). */
    static final int ORDER_SHARE = 10;
    private static final int MAX_ALERT_LINES_PER_SECOND = 4;

    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, paramLabel = "DIR",
        description = "Engine data directory, kept afterwards (default: a temporary directory, deleted afterwards).")
    Path dir;

    @Option(names = { "-o", "--out" }, paramLabel = "DIR",
        description = "Where reports and plots go (default: a new sluice-demo-report-* directory in the temp directory).")
    Path out;

    @Option(names = { "-t", "--duration" }, paramLabel = "SECONDS", defaultValue = "20",
        description = "Measured seconds of load (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = { "-w", "--warm-up" }, paramLabel = "SECONDS", defaultValue = "5",
        description = "Warm-up seconds before it, at the same rate, reported apart (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = { "-r", "--rate" }, paramLabel = "EVENTS_PER_S", defaultValue = "50000",
        description = "Events per second, nine in ten card transactions, one in ten order-side events (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--sweep", paramLabel = "RATE", split = ",",
        description = "Rate sweep instead of one rate: each rate for --step seconds, e.g. 20000,50000,100000.")
    long[] sweep;

    @Option(names = "--step", paramLabel = "SECONDS", defaultValue = "5",
        description = "Seconds at each rate of a sweep (default: ${DEFAULT-VALUE}).")
    int stepSeconds;

    @Option(names = "--burst-every", paramLabel = "SECONDS", defaultValue = "0",
        description = "Add a burst every this many seconds (default: none).")
    int burstEverySeconds;

    @Option(names = "--burst-factor", paramLabel = "FACTOR", defaultValue = "3",
        description = "Rate multiplier of a one-second burst (default: ${DEFAULT-VALUE}).")
    double burstFactor;

    @Option(names = { "-p", "--partitions" }, paramLabel = "COUNT", defaultValue = "2",
        description = "Partitions of each topic group (cards; orders and payments; accounts), one thread each " +
            "(default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--wait-strategy", paramLabel = "KIND", defaultValue = "SLEEP",
        description = "How partition threads wait: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    WaitStrategyKind waitStrategy;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
        description = "Seed of the card and orders scenarios (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException
    {
        validate();
        final PrintWriter console = spec.commandLine().getOut();
        final boolean temporary = null == dir;
        final Path dataDir = temporary ? Files.createTempDirectory("sluice-demo-") : dir;
        final Path reportDir = null == out ? Files.createTempDirectory("sluice-demo-report-") : out;
        try
        {
            run(dataDir, reportDir, console);
        }
        finally
        {
            if (temporary)
            {
                deleteRecursively(dataDir);
            }
        }
        return ExitCodes.OK;
    }

    private void validate()
    {
        check(partitions >= 1 && partitions <= 64, "--partitions must be in [1, 64], was " + partitions);
        check(durationSeconds >= 1 && durationSeconds <= 3_600, "--duration must be in [1, 3600] s, was " + durationSeconds);
        check(warmUpSeconds >= 0 && warmUpSeconds <= 600, "--warm-up must be in [0, 600] s, was " + warmUpSeconds);
        check(rate >= 1 && rate <= 50_000_000, "--rate must be in [1, 50000000], was " + rate);
        check(stepSeconds >= 1, "--step must be at least 1 s, was " + stepSeconds);
        check(burstEverySeconds == 0 || burstEverySeconds >= 2, "--burst-every must be 0 (none) or at least 2 s");
        check(burstFactor > 1, "--burst-factor must be above 1, was " + burstFactor);
        if (sweep != null)
        {
            for (final long r : sweep)
            {
                check(r >= 1 && r <= 50_000_000, "--sweep rates must be in [1, 50000000], was " + r);
            }
        }
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new CliException(ExitCodes.USAGE, message);
        }
    }

    private RatePlan plan()
    {
        if (sweep != null && sweep.length > 0)
        {
            return RatePlan.sweep(sweep, warmUpSeconds * 1_000L, stepSeconds * 1_000L);
        }
        return RatePlan.steady(rate, warmUpSeconds * 1_000L, durationSeconds * 1_000L, burstEverySeconds * 1_000L,
            burstEverySeconds > 0 ? 1_000 : 0, burstFactor);
    }

    private void run(final Path dataDir, final Path reportDir, final PrintWriter console)
    {
        final RatePlan plan = plan();
        final long orderEvents = plan.totalEvents() / ORDER_SHARE;
        final long cardEvents = plan.totalEvents() - orderEvents;
        if (cardEvents < CardTransactionScenario.MIN_EVENTS || orderEvents < OrderPaymentScenario.MIN_EVENTS)
        {
            throw new CliException(ExitCodes.USAGE, "the demo needs at least " + minEvents() +
                " events in all (rate x seconds), the plan has " + plan.totalEvents());
        }
        final CardTransactionScenario cards = new CardTransactionScenario(seed, cardEvents);
        // The order side spans the same simulated time as the cards, so both tell one day's story.
        final long msPerOrderEvent = Math.max(1, Math.min(OrderPaymentScenario.MAX_MS_PER_EVENT,
            cards.msPerEvent() * cardEvents / orderEvents));
        final OrderPaymentScenario orders = new OrderPaymentScenario(seed, orderEvents, msPerOrderEvent);
        final Scenario scenario = new InterleavedScenario("fraud-desk", cards, orders);
        final AlertLog alerts = new AlertLog(partitions, 1 << 14);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final EngineContext context = new EngineContext().directory(dataDir).partitions(partitions)
            .waitStrategy(waitStrategy).checkpoints(false);
        console.printf(Locale.ROOT, "Sluice fraud desk demo: %s card transactions (%s cards, seed %d, %d fraud patterns injected)%n",
            DemoFormat.count(cardEvents), DemoFormat.count(cards.cards()), seed, cards.injected().size());
        console.printf(Locale.ROOT, "  and %s order-side events: orders, payments, account updates (%s accounts, %d join " +
            "patterns injected)%n", DemoFormat.count(orderEvents), DemoFormat.count(orders.accounts()), orders.injected().size());
        console.printf(Locale.ROOT, "plan: %s%n", DemoFormat.describe(plan));
        console.printf(Locale.ROOT, "engine: embedded, %d partitions, wait strategy %s%s, data in %s%n", partitions, waitStrategy,
            DemoFormat.whyWaitStrategy(waitStrategy, Runtime.getRuntime().availableProcessors()), dataDir.toAbsolutePath());
        console.println("pipelines: card-velocity (sliding 60s/5s count >= 10), amount-vs-norm (tumbling 5min, largest > 5x mean " +
            "of the others), impossible-travel (sliding 10min/1min spread > 20 deg), cards-e2e (latency probe, last)");
        console.println("  orders-payments (orders LEFT interval-join payments on order id within [0, 60s]: null-padded row = " +
            "unpaid-order, amounts differ = payment-mismatch), orders-accounts (orders LEFT lookup-join the accounts table: " +
            "closed or blocked = blocked-account, amount > limit = over-limit), orders/payments/orders-by-account-e2e probes");
        console.println("latency: end to end, from each event's SCHEDULED send time to the probe sink (open loop: no coordinated omission);" +
            " 'done' counts probed events (account updates feed only their join and are not probed)");
        console.flush();

        final List<Alert> fresh = new ArrayList<>();
        final RunResult result;
        final List<Pipeline> pipelines = new ArrayList<>(FraudDesk.cardPipelines(alerts, recorder, cards.cards()));
        pipelines.addAll(FraudDesk.orderPipelines(alerts, recorder, orders.ordersPerWindow(), orders.accounts()));
        final List<InjectedPattern> injected = scenario.injected();
        try (EmbeddedEngineTarget target = new EmbeddedEngineTarget(context, pipelines))
        {
            final long[] lastProcessed = {0};
            result = LoadGenerator.run(scenario, plan, recorder, target, new LoadOptions()
                .outputDirectory(reportDir)
                .listener(stats -> live(console, stats, lastProcessed, alerts, fresh, injected)));
        }
        summary(console, result, DetectionReport.evaluate(injected, alerts.all()), alerts);
    }

    /**
     * Fewest events a run may have: enough for both scenarios at their share.
     *
     * @return the minimum of rate x seconds.
     */
    static long minEvents()
    {
        long total = Math.max(CardTransactionScenario.MIN_EVENTS * ORDER_SHARE / (ORDER_SHARE - 1),
            OrderPaymentScenario.MIN_EVENTS * ORDER_SHARE);
        while (total - total / ORDER_SHARE < CardTransactionScenario.MIN_EVENTS || total / ORDER_SHARE < OrderPaymentScenario.MIN_EVENTS)
        {
            total++;
        }
        return total;
    }

    private static void live(
        final PrintWriter console, final IntervalStats stats, final long[] lastProcessed, final AlertLog alerts,
        final List<Alert> fresh, final List<InjectedPattern> injected)
    {
        final Histogram h = stats.latency();
        final double seconds = stats.intervalNs() / 1e9;
        final long processed = stats.processed() - lastProcessed[0];
        lastProcessed[0] = stats.processed();
        fresh.clear();
        alerts.drainTo(fresh);
        console.printf(Locale.ROOT, "[%5.1fs] %-12s sent %11s  done %11s  %9s ev/s  p50 %8s  p99 %8s  p99.9 %8s  max %8s  alerts +%d%n",
            stats.elapsedNs() / 1e9, stats.group(), DemoFormat.count(stats.sent()), DemoFormat.count(stats.processed()),
            DemoFormat.count(Math.round(processed / Math.max(1e-9, seconds))),
            DemoFormat.nanos(h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(50)),
            DemoFormat.nanos(h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99)),
            DemoFormat.nanos(h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99.9)),
            DemoFormat.nanos(h.getTotalCount() == 0 ? -1 : h.getMaxValue()), fresh.size());
        for (int i = 0; i < Math.min(MAX_ALERT_LINES_PER_SECOND, fresh.size()); i++)
        {
            console.println("          ALERT " + DemoFormat.alert(fresh.get(i)));
        }
        if (fresh.size() > MAX_ALERT_LINES_PER_SECOND)
        {
            console.printf(Locale.ROOT, "          ... and %d more alerts%n", fresh.size() - MAX_ALERT_LINES_PER_SECOND);
        }
        console.println("          " + DemoFormat.progress(DetectionReport.evaluate(injected, alerts.all())));
        console.flush();
    }

    private void summary(
        final PrintWriter console, final RunResult result, final DetectionReport detection, final AlertLog alerts)
    {
        console.println();
        console.println("Summary");
        long warmUp = 0;
        for (final RunResult.GroupResult group : result.groups())
        {
            if (group.name().equals(RatePlan.WARM_UP))
            {
                warmUp = group.sent();
            }
        }
        console.printf(Locale.ROOT, "  events       %s sent of %s planned (%s in warm-up) in %.1f s; %s%s%n",
            DemoFormat.count(result.sent()), DemoFormat.count(result.planned()), DemoFormat.count(warmUp), result.elapsedNs() / 1e9,
            result.drained() ? "all processed" : "NOT all processed before the drain timeout",
            result.stoppedEarly() ? "; cut at the deadline: the engine could not keep up" : "");
        for (final RunResult.GroupResult group : result.measured())
        {
            final Histogram h = group.latency();
            console.printf(Locale.ROOT, "  %-12s target %s ev/s, achieved %s ev/s; latency p50 %s  p99 %s  p99.9 %s  max %s (%s events)%n",
                group.name(), DemoFormat.count(Math.round(group.targetRate())), DemoFormat.count(Math.round(group.achievedRate())),
                DemoFormat.nanos(h.getValueAtPercentile(50)), DemoFormat.nanos(h.getValueAtPercentile(99)),
                DemoFormat.nanos(h.getValueAtPercentile(99.9)), DemoFormat.nanos(h.getMaxValue()), DemoFormat.count(h.getTotalCount()));
        }
        console.printf(Locale.ROOT, "  sender       largest delay behind schedule %s (counted in the latencies above)%n",
            DemoFormat.nanos(result.maxLagNs()));
        console.printf(Locale.ROOT, "  wait         %s on %d cpus%n", waitStrategy, Runtime.getRuntime().availableProcessors());
        console.println("  card fraud alerts (a pattern is detected when an alert of its kind on its card covers its time):");
        for (final String kind : DemoFormat.CARD_RULES)
        {
            console.println("    " + detection.line(kind));
        }
        console.println("  join alerts (a pattern is detected when an alert of its kind on its order or account is at its order's time):");
        for (final String kind : DemoFormat.JOIN_RULES)
        {
            console.println("    " + detection.line(kind));
        }
        console.println("    " + detection.totalLine());
        if (alerts.dropped() > 0)
        {
            console.printf(Locale.ROOT, "    (%d alerts did not fit in the alert log and were not evaluated)%n", alerts.dropped());
        }
        console.println("  reports:");
        for (final Map.Entry<String, Path> file : result.files().entrySet())
        {
            console.printf(Locale.ROOT, "    %-16s %s%n", file.getKey(), file.getValue().toAbsolutePath());
        }
        console.flush();
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException ex) throws IOException
            {
                if (null != ex)
                {
                    throw ex;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
