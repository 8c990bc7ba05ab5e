package io.sluice.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import java.nio.ByteBuffer;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.dashboard.ConfigMasker;
import io.sluice.dashboard.DashboardServer;
import io.sluice.dashboard.DashboardSettings;
import io.sluice.dashboard.DashboardSources;
import io.sluice.dashboard.ResultBoard;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.loadgen.AlertLog;
import io.sluice.loadgen.CardTransactionScenario;
import io.sluice.loadgen.DetectionReport;
import io.sluice.loadgen.DetectionTally;
import io.sluice.loadgen.EmbeddedEngineTarget;
import io.sluice.loadgen.CardDesk;
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
import io.sluice.loadgen.ReportSteps;
import io.sluice.loadgen.RunResult;
import io.sluice.loadgen.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice demo}: the fraud desk. Starts an embedded engine (data in a temporary directory
 * unless {@code --dir}), loads the fraud-desk pipelines (the card detectors from YAML, {@link CardDesk}:
 * card velocity on a sliding window, amount against the card's norm on a tumbling window, impossible
 * travel; and from the Java DSL, {@link FraudDesk}: orders interval-joined to payments, orders enriched
 * from the accounts table), drives them with the
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
    resourceBundle = "io.sluice.ops.demo.DemoCommand",
    header = "The fraud desk demo: detectors, joins and alerts on an embedded engine under open-loop load.",
    description = "The fraud desk: card velocity, amount-vs-norm and impossible-travel detectors, orders joined to payments " +
        "within an interval and orders enriched from an accounts table, on an embedded engine, driven at a fixed " +
        "open-loop rate by the load generator with injected fraud; live throughput, latency and alerts, " +
        "then a summary with detected vs injected fraud and HdrHistogram reports and plots. " +
        "'sluice demo journal' runs the older journal append/replay demo.")
public final class DemoCommand implements Callable<Integer>
{
    /** One event in this many is order-side (an order, its copy by account, a payment, an account update). */
    static final int ORDER_SHARE = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    EmbeddedEngineOptions engine = new EmbeddedEngineOptions();

    @Mixin
    LoadShapeOptions load = new LoadShapeOptions();

    @Option(names = { "-o", "--out" }, paramLabel = "DIR",
        description = "Where reports and plots go (default: a new sluice-demo-report-* directory in the temp directory).")
    Path out;

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "0",
        description = "Port of the live dashboard on 127.0.0.1 (default: a free port, printed at start).")
    int dashboardPort;

    @Option(names = "--no-dashboard", description = "Do not serve the live dashboard.")
    boolean noDashboard;

    @Option(names = "--stage-times",
        description = "Also time each event's work on the processing threads (the engine's stage timers: journal append and " +
            "each pipeline) and its wait in the ring, and print their percentiles in the summary: tells the engine's own work " +
            "from waiting. Reads the clock a few more times per event.")
    boolean stageTimes;

    @Option(names = "--lower-priorities",
        description = "Under the low-latency layout, move the threads that share the sender's cpu and that nothing on the hot " +
            "path waits for (GC concurrent, JVM service and dashboard threads) to SCHED_IDLE. Off by default: measured on a quiet " +
            "2-core machine, it stalled the processing thread 183 ms between events in 5 of 9 runs and never without it.")
    boolean lowerPriorities;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
        description = "Seed of the card and orders scenarios (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException
    {
        validate();
        final PrintWriter console = spec.commandLine().getOut();
        final Path reportDir = null == out ? Files.createTempDirectory("sluice-demo-report-") : out;
        // The scratch journal in memory where the machine has a tmpfs with room: on a disk's file system the kernel's
        // flusher writes back every page written since a file was first dirtied in one pass, 30 s after, and on a quiet
        // 2-core machine that pass fell in the measured seconds, on the processing thread's cpu (perf/README.md section 130).
        final Path memory = null == engine.dir ? ScratchDirectory.memoryBackedParent(journalBytesBound(load.plan())) : null;
        ScratchDirectory.use(engine.dir, memory, "sluice-demo-", dataDir -> run(dataDir, null != memory, reportDir, console));
        return ExitCodes.OK;
    }

    private void validate()
    {
        engine.check();
        load.checkLengthAndRate();
        load.checkShape();
    }

    private void run(final Path dataDir, final boolean inMemory, final Path reportDir, final PrintWriter console)
    {
        final RatePlan plan = load.plan();
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
        final DemoLayout layout = chooseLayout(plan, cards, orders);
        for (final String line : layout.lines())
        {
            console.println(line);
        }
        console.println(JvmActivity.settingsLine());
        engine.partitions = layout.partitions();
        engine.waitStrategy = layout.waitStrategy();
        final Scenario scenario = new InterleavedScenario("fraud-desk", cards, orders);
        final AlertLog alerts = new AlertLog(engine.partitions, 1 << 14);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final EngineContext context = engine.context(dataDir);
        if (layout.lowLatency())
        {
            context.profile(EngineProfile.LOW_LATENCY);
        }
        // A short stretch of pre-touched pages ahead of each journal writer: they are dirty zeros until written over, and the
        // kernel's flusher, 30 s after a file was first dirtied, wrote the profile's 16 MiB of each in one pass on the
        // processing thread's cpu (perf/README.md section 125); at the demo's rate 1 MiB is ~0.4 s of the busiest topic.
        context.journalReserveAheadBytes(JOURNAL_RESERVE_AHEAD_BYTES);
        // The dashboard reads the engine's counters and allocates its own: give the engine a manager we can share.
        final CountersManager counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(4096 * 512)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(4096 * 128)));
        context.countersManager(counters);
        final ResultBoard board = noDashboard ? null :
            new ResultBoard(engine.partitions, ResultBoard.DEFAULT_KEYS_PER_PARTITION, ResultBoard.DEFAULT_RECENT_PER_PARTITION);
        final FraudDesk.SinkTap tap = board == null ? FraudDesk.SinkTap.NONE : (pipeline, sink) -> board.tap(pipeline, true, sink);
        console.printf(Locale.ROOT, "Sluice fraud desk demo: %s card transactions (%s cards, seed %d, %d fraud patterns injected)%n",
            DemoFormat.count(cardEvents), DemoFormat.count(cards.cards()), seed, cards.injected().size());
        console.printf(Locale.ROOT, "  and %s order-side events: orders, payments, account updates (%s accounts, %d join " +
            "patterns injected)%n", DemoFormat.count(orderEvents), DemoFormat.count(orders.accounts()), orders.injected().size());
        console.printf(Locale.ROOT, "plan: %s%n", DemoFormat.describe(plan));
        console.println(engine.describe(dataDir, layout.cpus()));
        if (null == engine.dir)
        {
            console.println(journalPlacement(inMemory));
        }
        console.println("pipelines: card-velocity (sliding 60s/5s count >= 10, cooldown 5min), amount-vs-norm (tumbling 5min, " +
            "largest > 5x mean of the others), impossible-travel (sliding 10min/1min spread > 20 deg, cooldown 10min), cards-e2e " +
            "(latency probe, last); from " + CardDesk.RESOURCE.substring(1) + " (YAML), windows firing " + firingSlice(cards) +
            " results per event");
        console.println("  orders-payments (orders LEFT interval-join payments on order id within [0, 60s]: null-padded row = " +
            "unpaid-order, amounts differ = payment-mismatch), orders-accounts (orders LEFT lookup-join the accounts table: " +
            "closed or blocked = blocked-account, amount > limit = over-limit), orders/payments/orders-by-account-e2e probes");
        console.println("latency: end to end, from each event's SCHEDULED send time to the probe sink (open loop: no coordinated omission);" +
            " 'done' counts probed events (account updates feed only their join and are not probed)");
        console.flush();

        final RunReporter reporter = new RunReporter(console, alerts, DemoFormat::alert);
        final RunResult result;
        final List<Pipeline> pipelines = new ArrayList<>(CardDesk.desk(firingSlice(cards)).pipelines(alerts, recorder, tap));
        pipelines.addAll(FraudDesk.orderPipelines(alerts, recorder, orders.ordersPerWindow(), orders.accounts(), tap));
        final List<InjectedPattern> injected = scenario.injected();
        // Each alert compared with the patterns once, not all of them every second on the sender's cpu.
        final DetectionTally detection = new DetectionTally(injected);
        final StageTimes stages = stageTimes ? new StageTimes(Engine.stageNames(pipelines)) : null;
        if (stages != null)
        {
            context.stageLatencyListener(stages);
        }
        // Low-latency layout: before the engine starts, every other thread of this JVM leaves the cores its
        // processing threads then pin themselves to; once it has started, this thread (the reporter) and the
        // sender leave them too, this thread before it starts the dashboard, whose threads inherit its cpus (they
        // ran on the processing thread's cpu before). All put back afterwards.
        final java.util.BitSet offSpinning = CoreBudget.ofThisMachine().others();
        final ProcessAffinity moved = layout.lowLatency() ? ProcessAffinity.moveOtherThreads(offSpinning) : null;
        if (moved != null && moved.failure() != null)
        {
            console.println("note: the JVM's own threads stay where the OS puts them: " + moved.failure());
        }
        final java.util.BitSet reporterCpus = moved == null ? null : net.openhft.affinity.Affinity.getAffinity();
        final SenderPlacement sender = new SenderPlacement();
        final JvmActivity jvm = JvmActivity.ofThisJvm();
        final SpinningThreadsCpu spinning = SpinningThreadsCpu.ofThisJvm();
        final OtherTasksCpu otherTasks = OtherTasksCpu.ofThisMachine();
        final boolean[] jvmMeasuring = {false};
        final ReportSteps reportSteps = new ReportSteps(layout.lowLatency() && !layout.senderOwnCore());
        final Runnable offSpinningCores = layout.lowLatency() ? offSpinningCores(offSpinning, console) : () -> { };
        // Made here, not in the first measured report: a lambda's first evaluation links its call site (the JDK's lambda
        // factory, interpreted), 1.3 ms of the reporter's cpu, the sender's, in the step of the first schedstat read
        // (perf/README.md section 119).
        final Runnable schedstatRead = () -> reportSteps.next(STEP_SCHEDSTAT);
        try (EmbeddedEngineTarget target = new EmbeddedEngineTarget(context, pipelines);
            DashboardServer dashboard = board == null ? null : startDashboard(board, pipelines, target, counters, offSpinningCores))
        {
            if (target.engine().profileReport() != null)
            {
                console.println("engine: " + target.engine().profileReport());
            }
            if (dashboard != null)
            {
                console.println("dashboard: " + dashboard.url() + "  (live results, alerts and health; open it in a browser)");
                console.flush();
            }
            offSpinningCores.run();
            // On the sender's thread before its first event is due: its placement, and the spinning threads' files opened
            // (a walk of every thread's /proc directory, milliseconds of code run once: at the first measured second it took
            // the reporter 16-20 ms in one step, perf/README.md section 99).
            final Runnable senderStart = () ->
            {
                if (layout.lowLatency())
                {
                    sender.place(layout.senderOwnCore(), lowerPriorities, offSpinningCores, console);
                }
                spinning.find();
            };
            // Starting the engine (its JIT warm-up, class loading, the dashboard) leaves garbage in the young
            // generation: collect it now, before the first event, not in a pause during the run that stops the
            // processing thread too (every collection does).
            // The live lines' code, run to nowhere once the engine has started: before it, the engine's JIT warm-up kept
            // the compile queue long, which raises the JIT's thresholds, and 500 runs then left RunReporter.onInterval
            // to be compiled in the measured seconds, on the sender's cpu (perf/README.md section 99).
            RunReporter.warmUp(REPORT_WARM_UPS, DemoFormat::alert);
            warmProgressLine(injected);
            // So do the JVM's counters read at the measurement's start (and the spinning threads' files, read by
            // spinning.find() on the sender's thread before its first event): interpreted, 0.5-2.4 ms a step on the
            // sender's cpu (perf/README.md section 119).
            jvm.warmUp(REPORT_WARM_UPS);
            System.gc();
            otherTasks.start();
            // Where this thread, the reporter, shares the sender's cpu, it yields it between the steps of a report, so
            // that the sender misses its schedule for a fraction of a millisecond at a time, not for the whole report.
            reporter.steps(reportSteps);
            result = LoadGenerator.run(scenario, plan, recorder, target, new LoadOptions()
                .outputDirectory(reportDir)
                .reportSteps(reportSteps)
                .senderStart(senderStart)
                // The sender's own figures read on its thread once it has sent everything, not by the reporter once a
                // second while it sends: the two files' reads were the reporter's longest step (up to ~1 ms, each an
                // absence of the sender from its cpu; perf/README.md section 114).
                .senderEnd(spinning::mark)
                .eventsProcessed(stages == null ? null : stages::stopMeasuring)
                .listener(stats ->
                {
                    // The last interval is reported after the drain, before the reports and plots are written. The
                    // summary's figures end there. The spinning threads' and the JVM's are marked only once the sending is
                    // over (the sender marks its own at its end): reading the JVM's counters took ~0.3 ms of the
                    // reporter's cpu, the sender's, every second, the spinning threads' files up to ~1 ms.
                    // Not in a drain-phase report while the sender still sends (a sender behind its schedule by more
                    // than a report's interval): reading every process's schedstat there took 47-274 ms of its cpu under
                    // load (perf/README.md section 99). A run cut at its deadline finishes them in its last report.
                    if (stats.sent() >= plan.totalEvents() || RatePlan.DRAIN.equals(stats.group()) && !reportSteps.measuring())
                    {
                        spinning.mark();
                        reportSteps.next(STEP_SCHEDSTAT);
                        jvm.mark();
                        reportSteps.next("jvm counters");
                        otherTasks.finish();
                        reportSteps.next("other tasks' schedstat");
                    }
                    if (!jvmMeasuring[0] && !RatePlan.WARM_UP.equals(stats.group()))
                    {
                        // The measurement's start, in steps of its own: the JVM's counters, each spinning thread's open file.
                        jvmMeasuring[0] = true;
                        jvm.start();
                        reportSteps.next(STEP_MEASUREMENT_START);
                        spinning.start(schedstatRead);
                        reportSteps.next(STEP_SCHEDSTAT);
                        if (stages != null)
                        {
                            stages.startMeasuring();
                        }
                    }
                    live(console, stats, reporter, alerts, detection, reportSteps);
                }));
        }
        finally
        {
            spinning.close();
            sender.restore();
            if (moved != null)
            {
                moved.restore();
                offSpinningCores(reporterCpus, console).run();
            }
        }
        summary(reporter, result, DetectionReport.evaluate(injected, alerts.all()), layout, stages, jvm, spinning, otherTasks, console);
    }

    /**
     * The thread layout from the cores this machine has (see {@link DemoLayout}); what was given on the
     * command line is kept. The topic groups are counted on a throwaway build of the pipelines.
     */
    private DemoLayout chooseLayout(final RatePlan plan, final CardTransactionScenario cards, final OrderPaymentScenario orders)
    {
        final picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        final AlertLog scratchAlerts = new AlertLog(1, 16);
        final LatencyRecorder scratchRecorder = new LatencyRecorder(plan);
        final List<Pipeline> probe = new ArrayList<>(CardDesk.desk().pipelines(scratchAlerts, scratchRecorder));
        probe.addAll(FraudDesk.orderPipelines(scratchAlerts, scratchRecorder, orders.ordersPerWindow(), orders.accounts()));
        final int groups = Engine.processingThreadCount(new EngineContext().partitions(1), probe);
        return DemoLayout.choose(groups, EngineContext.Configuration.processingThreads(), parsed != null && parsed.hasMatchedOption("--partitions") ? engine.partitions : null,
            parsed != null && parsed.hasMatchedOption("--wait-strategy") ? engine.waitStrategy : null, CoreBudget.ofThisMachine());
    }

    /**
     * An action that sets the calling thread's affinity to given CPUs (those the spinning threads leave
     * free); a failure (no native support) is said on the console and the thread runs where the OS puts it.
     */
    private static Runnable offSpinningCores(final java.util.BitSet cpus, final PrintWriter console)
    {
        return () ->
        {
            try
            {
                net.openhft.affinity.Affinity.setAffinity(cpus);
            }
            catch (final RuntimeException | LinkageError ex)
            {
                console.println("note: could not keep " + Thread.currentThread().getName() + " off the spinning cores: " + ex);
            }
        };
    }

    /**
     * Starts the dashboard, its threads off the spinning cores: they inherit this thread's cpus, which it leaves
     * first ({@code offSpinningCores}; the engine, started, no longer sizes itself by them).
     */
    private DashboardServer startDashboard(final ResultBoard board, final List<Pipeline> pipelines, final EmbeddedEngineTarget target,
        final CountersManager counters, final Runnable offSpinningCores)
    {
        offSpinningCores.run();
        board.bind(pipelines);
        final Engine running = target.engine();
        final String config = "# sluice demo: the fraud desk on an embedded engine\npartitions: " + engine.partitions +
            "\nwait_strategy: " + engine.waitStrategy + "\nrate: " + load.rate + " events/s\nseed: " + seed + "\npipelines:\n" +
            pipelines.stream().map(p -> "  - " + p.name() + ": " + String.join(" -> ", p.describeStages())).collect(Collectors.joining("\n"));
        try
        {
            return DashboardServer.start(DashboardSettings.loopback(dashboardPort), new DashboardSources("sluice demo: fraud desk",
                () -> running, counters, () -> running.errorLog().buffer(), board, ConfigMasker.mask(config)));
        }
        catch (final IllegalStateException ex)
        {
            throw new CliException(ExitCodes.USAGE, ex.getMessage() + " (choose another --dashboard-port, or --no-dashboard)");
        }
    }

    /**
     * Window results the card detectors emit per event while a window boundary's results go out: small,
     * so that no event carries much more than the ~20 us between events at the default rate (at 64, the
     * default slice, a 5-minute boundary's ~15,000 results queued 10-30 ms of work behind one another),
     * yet enough that every card's result of one boundary is out before the next boundary of the
     * shortest hop (5 s of simulated time), with room to spare: at least 4, and twice the cards over the
     * events per hop. A function of the scenario alone, so a replay of the run's journal is the same.
     */
    static int firingSlice(final CardTransactionScenario cards)
    {
        final long eventsPerHop = Math.max(1, SHORTEST_HOP_MS / Math.max(1, cards.msPerEvent()));
        return (int)Math.max(MIN_FIRING_SLICE, 2 * ((cards.cards() + eventsPerHop - 1) / eventsPerHop));
    }

    /** Live lines printed to nowhere before the run, so that the measured seconds' lines run compiled code. */
    private static final int REPORT_WARM_UPS = 500;

    /**
     * Runs the detection progress line's code on a scratch tally {@value #REPORT_WARM_UPS} times (see
     * {@link RunReporter#warmUp}).
     */
    private static void warmProgressLine(final List<InjectedPattern> injected)
    {
        final DetectionTally scratch = new DetectionTally(injected);
        long length = 0;
        for (int round = 0; round < REPORT_WARM_UPS; round++)
        {
            length += DemoFormat.progress(scratch.update(List.of()).report()).length();
        }
        if (length == 0)
        {
            throw new IllegalStateException("the detection progress line is empty");
        }
    }

    /**
     * The console line that says where the demo's scratch journal is and why.
     *
     * @param inMemory true where it is on a memory-backed file system ({@link ScratchDirectory#memoryBackedParent(long)}).
     * @return the line, without a line separator.
     */
    static String journalPlacement(final boolean inMemory)
    {
        return inMemory ?
            "journal: in memory (" + ScratchDirectory.SHARED_MEMORY + ", a tmpfs), deleted afterwards: on a disk the kernel writes " +
            "a file's pages back 30 s after it was first written, all of them in one pass, on either cpu (docs/low-latency.md); " +
            "--dir DIR puts it on a disk" :
            "journal: on a disk (no tmpfs with room at " + ScratchDirectory.SHARED_MEMORY + "), deleted afterwards: a run that " +
            "lasts 30 s past the journal's open meets the kernel's write-back pass of every page written by then " +
            "(docs/low-latency.md)";
    }

    /**
     * At most the bytes the demo's journal takes for a plan: ~100 bytes per event were measured (records, offset and time
     * indexes of the three topic groups); files are sparse until written, so this bounds what they use.
     */
    private static long journalBytesBound(final RatePlan plan)
    {
        return plan.totalEvents() * JOURNAL_BYTES_PER_EVENT_BOUND + JOURNAL_BYTES_FIXED_BOUND;
    }

    /** Bytes per event of the demo's journal, with room to spare: ~100 measured (perf/README.md section 130). */
    private static final long JOURNAL_BYTES_PER_EVENT_BOUND = 256;
    /** Bytes of the demo's journal beside its events (segments reserved ahead, metadata), with room to spare. */
    private static final long JOURNAL_BYTES_FIXED_BOUND = 256L << 20;

    /** How far ahead of each journal writer space is reserved and pre-touched (see {@link EngineContext#journalReserveAheadBytes(int)}). */
    static final int JOURNAL_RESERVE_AHEAD_BYTES = 1 << 20;

    /** The card detectors' shortest window hop (card-velocity's), in simulated milliseconds. */
    private static final long SHORTEST_HOP_MS = 5_000;
    /** The least window results per event the demo's card detectors emit. */
    private static final int MIN_FIRING_SLICE = 4;

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
        final PrintWriter console, final IntervalStats stats, final RunReporter reporter, final AlertLog alerts,
        final DetectionTally detection, final ReportSteps steps)
    {
        reporter.onInterval(stats);
        steps.next("console flush");
        console.println("          " + DemoFormat.progress(detection.update(alerts.all()).report()));
        steps.next("progress line");
        console.flush();
    }

    /** A step of the report ({@link ReportSteps}): one spinning thread's scheduler statistics read. */
    private static final String STEP_SCHEDSTAT = "schedstat read";
    /** A step of the first measured report: the JVM's counters read at the start of the measured interval. */
    private static final String STEP_MEASUREMENT_START = "measurement start";

    private void summary(
        final RunReporter reporter, final RunResult result, final DetectionReport detection, final DemoLayout layout, final StageTimes stages,
        final JvmActivity jvm, final SpinningThreadsCpu spinning, final OtherTasksCpu others, final PrintWriter console)
    {
        reporter.summaryHead(result, "engine");
        reporter.waitLine(engine.waitStrategy, layout.cpus());
        final String load = layout.loadLine(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (final String line : new String[] { load, jvm.line(), spinning.line(), others.line() })
        {
            if (line != null)
            {
                reporter.line(line);
            }
        }
        if (stages != null)
        {
            stages.print(console);
        }
        reporter.line("  card fraud alerts (a pattern is detected when an alert of its kind on its card covers its time):");
        for (final String kind : DemoFormat.CARD_RULES)
        {
            reporter.detectionLine(detection.line(kind));
        }
        reporter.line("  join alerts (a pattern is detected when an alert of its kind on its order or account is at its order's time):");
        for (final String kind : DemoFormat.JOIN_RULES)
        {
            reporter.detectionLine(detection.line(kind));
        }
        reporter.detectionLine(detection.totalLine());
        reporter.summaryTail(result);
    }
}
