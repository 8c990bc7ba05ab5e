package io.sluice.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientException;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.loadgen.AeronDaemonTarget;
import io.sluice.loadgen.Alert;
import io.sluice.loadgen.AlertLog;
import io.sluice.loadgen.DetectionReport;
import io.sluice.loadgen.EmbeddedEngineTarget;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.LoadGenerator;
import io.sluice.loadgen.LoadOptions;
import io.sluice.loadgen.LoadTarget;
import io.sluice.loadgen.RatePlan;
import io.sluice.loadgen.RunResult;
import io.sluice.loadgen.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice loadgen}: the open-loop load generator on a scenario ({@code card}, {@code ticks},
 * {@code sensors}) against an embedded engine or a running daemon over Aeron. Prints the demo's live
 * lines (throughput, end-to-end latency percentiles, alerts) once a second and its summary (events,
 * achieved against target rate, latency from the scheduled send time, detected against injected
 * patterns, report files), and writes the same .hlog, .hgrm, rates.csv and PNG plots.
 *
 * <p>With {@code --target aeron} the daemon must run the scenario's desk: {@code --print-config}
 * prints a daemon configuration that does, and the latency is measured to the output record read back
 * over the daemon's egress (see {@link AeronDaemonTarget}).
 *
 * <p>Threading: the command's thread reports; the sender, the engine's or the Aeron receiver's
 * threads are started and stopped inside {@link #call()}.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    header = "Open-loop load with injected patterns against an embedded engine or a daemon, with latency reports.",
    description = "Open-loop load on a scenario (card, ticks, sensors) with injected patterns, against an embedded engine or a " +
        "daemon over Aeron: live throughput, latency from the scheduled send time and alerts, then a summary with " +
        "detected vs injected patterns and HdrHistogram reports and plots. '--print-config' prints a daemon " +
        "configuration running the scenario's pipelines for '--target aeron'. With '--config F --topic T', the load is " +
        "events of your own schema on topic T of configuration F, into its pipelines in an embedded engine or into the " +
        "daemon running F.")
public final class LoadgenCommand implements Callable<Integer>
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** Where the load goes. */
    enum TargetKind
    {
        /** An engine in this process. */
        EMBEDDED,
        /** A running daemon over Aeron. */
        AERON;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT); // options are shown in lower case, as the configuration's values
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    EmbeddedEngineOptions engine = new EmbeddedEngineOptions();

    @Mixin
    LoadShapeOptions load = new LoadShapeOptions();

    @Option(names = { "-s", "--scenario" }, paramLabel = "NAME", defaultValue = "card",
        description = "Scenario: card, ticks or sensors (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--target", paramLabel = "KIND", defaultValue = "embedded",
        description = "Where the load goes: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TargetKind target;

    @Option(names = "--channel", paramLabel = "CHANNEL", defaultValue = ClientContext.DEFAULT_SERVER_CHANNEL,
        description = "The daemon's Aeron channel (aeron target; default: ${DEFAULT-VALUE}).")
    String channel;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "The daemon's Aeron directory (its aeron_dir; default <data_dir>/aeron of --daemon-dir).")
    Path aeronDir;

    @Option(names = "--daemon-dir", paramLabel = "DIR",
        description = "The daemon's data_dir: finds its Aeron directory, and --print-config writes it into the configuration.")
    Path daemonDir;

    @Option(names = "--print-config", description = "Print a daemon configuration running this scenario's pipelines, and exit.")
    boolean printConfig;

    @Option(names = { "-o", "--out" }, paramLabel = "DIR",
        description = "Where reports and plots go (default: a new sluice-loadgen-report-* directory in the temp directory).")
    Path out;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
        description = "Seed of the scenario (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = { "-c", "--config" }, paramLabel = "FILE",
        description = "A daemon configuration: load its own --topic instead of a scenario, in an embedded engine running its " +
            "pipelines (no daemon needed) or, with --target aeron, the daemon running it.")
    Path config;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "With --config: the source topic to load (a topic its pipelines read).")
    String topic;

    @Option(names = "--field", paramLabel = "NAME=SPEC",
        description = "With --config: how a field's values are drawn: MIN..MAX (numbers, decimals), P (BOOLEAN: probability of true), " +
            "A|B|C (SYMBOL, TEXT); repeatable. Defaults: 0..1000, 0.5, v0|..|v9; TIMESTAMPs are simulated time.")
    java.util.List<String> fields = new java.util.ArrayList<>();

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000",
        description = "With --config: distinct partition keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--time-step", paramLabel = "MS", defaultValue = "1",
        description = "With --config: simulated milliseconds between events' times (default: ${DEFAULT-VALUE}).")
    long timeStepMs;

    @Option(names = "--ack", paramLabel = "LEVEL", defaultValue = "journaled",
        description = "With --config and --target aeron: the acknowledgement latency is measured to: journaled or durable " +
            "(default: ${DEFAULT-VALUE}).")
    String ack;

    @Override
    public Integer call() throws IOException
    {
        if (config != null)
        {
            return new TopicLoad(this).run(spec.commandLine().getOut());
        }
        CliException.checkUsage(topic == null && fields.isEmpty(), "--topic and --field need --config (the daemon's configuration)");
        validate();
        final PrintWriter console = spec.commandLine().getOut();
        final RatePlan plan = load.plan();
        final long min = Workload.minEvents(scenario);
        if (plan.totalEvents() < min)
        {
            throw new CliException(ExitCodes.USAGE, "the " + scenario + " scenario needs at least " + min +
                " events in all (rate x seconds), the plan has " + plan.totalEvents());
        }
        final Workload workload = Workload.create(scenario, seed, plan.totalEvents());
        if (printConfig)
        {
            final String data = null == daemonDir ? "sluice-data" : daemonDir.toString();
            console.print(workload.desk().daemonConfig(data, channel, engine.partitions));
            console.flush();
            return ExitCodes.OK;
        }
        final Path reportDir = null == out ? Files.createTempDirectory("sluice-loadgen-report-") : out;
        if (target == TargetKind.AERON)
        {
            runAeron(plan, workload, reportDir, console);
            return ExitCodes.OK;
        }
        ScratchDirectory.use(engine.dir, "sluice-loadgen-", dataDir -> runEmbedded(plan, workload, dataDir, reportDir, console));
        return ExitCodes.OK;
    }

    private void validate()
    {
        CliException.checkUsage(Workload.NAMES.contains(scenario.toLowerCase(Locale.ROOT)) || "cards".equalsIgnoreCase(scenario),
            "--scenario must be one of " + Workload.NAMES + ", was '" + scenario + "'");
        engine.check();
        load.checkLengthAndRate();
        load.checkShape();
        if (target == TargetKind.AERON && !printConfig)
        {
            CliException.checkUsage(aeronDir != null || daemonDir != null,
                "--target aeron needs --aeron-dir (or --daemon-dir) of the daemon's media driver");
            CliException.checkUsage(!channel.isBlank(), "--channel must not be empty");
        }
    }

    private void header(final PrintWriter console, final RatePlan plan, final Workload workload, final String targetLine,
        final boolean embedded)
    {
        console.printf(Locale.ROOT, "Sluice loadgen: scenario %s, %s events (%s %ss, seed %d, %d patterns injected, %d evaluated)%n",
            workload.scenario().name(), DemoFormat.count(plan.totalEvents()), DemoFormat.count(workload.keys()),
            workload.keyLabel(), seed, workload.scenario().injected().size(),
            workload.scenario().injected().stream().filter(p -> workload.evaluatedKinds(embedded).contains(p.kind())).count());
        console.printf(Locale.ROOT, "plan: %s%n", DemoFormat.describe(plan));
        console.println(targetLine);
        console.println("pipelines: " + (embedded ? workload.describePipelines() :
            String.join(", ", workload.desk().kinds()) + ", " + workload.desk().probeTopic() + " (into output journal topics)"));
        console.flush();
    }

    private void runEmbedded(
        final RatePlan plan, final Workload workload, final Path dataDir, final Path reportDir, final PrintWriter console)
    {
        final AlertLog alerts = new AlertLog(engine.partitions, 1 << 14);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunReporter reporter = new RunReporter(console, alerts, alert -> alertText(alert, workload.keyLabel()));
        final EngineContext context = engine.context(dataDir);
        header(console, plan, workload, engine.describe(dataDir), true);
        console.println("latency: end to end, from each event's SCHEDULED send time to the probe sink (open loop: no coordinated omission)");
        final RunResult result;
        try (EmbeddedEngineTarget engine = new EmbeddedEngineTarget(context, workload.embeddedPipelines(alerts, recorder)))
        {
            result = run(plan, workload, recorder, engine, reporter, reportDir, console);
        }
        summary(reporter, result, workload.evaluate(true, alerts.all()), null);
    }

    private void runAeron(final RatePlan plan, final Workload workload, final Path reportDir, final PrintWriter console)
    {
        final String driver = (null != aeronDir ? aeronDir : daemonDir.resolve("aeron")).toString();
        final AlertLog alerts = new AlertLog(1, 1 << 16);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunReporter reporter = new RunReporter(console, alerts, alert -> alertText(alert, workload.keyLabel()));
        header(console, plan, workload, "target: daemon over Aeron at " + channel + ", media driver " + driver +
            ", JOURNALED acks (the daemon must run 'sluice loadgen --print-config' pipelines)", false);
        console.println("latency: end to end, from each event's SCHEDULED send time to its " + workload.desk().probeTopic() +
            " output record read back over the daemon's egress (open loop: no coordinated omission)");
        final RunResult result;
        final String aeronLine;
        try (AeronDaemonTarget daemon = new AeronDaemonTarget(driver, channel, workload.desk(), recorder, alerts))
        {
            result = run(plan, workload, recorder, daemon, reporter, reportDir, console);
            aeronLine = String.format(Locale.ROOT, "  aeron        %s acknowledged JOURNALED of %s sent, %s read back; " +
                "%s offers retried on back-pressure; %s records of earlier runs skipped", DemoFormat.count(daemon.acknowledged()),
                DemoFormat.count(daemon.sent()), DemoFormat.count(daemon.received()), DemoFormat.count(daemon.backPressureRetries()),
                DemoFormat.count(daemon.skipped()));
        }
        catch (final ClientException ex)
        {
            // A daemon configured otherwise (no such topic, another schema): one line, no stack trace.
            throw new CliException("the daemon at " + channel + " cannot take the " + workload.scenario().name() + " scenario: " +
                ex.getMessage() + " (run it with the configuration 'sluice loadgen --scenario " + scenario + " --print-config' prints)");
        }
        summary(reporter, result, workload.evaluate(false, alerts.all()), aeronLine);
    }

    private static RunResult run(
        final RatePlan plan, final Workload workload, final LatencyRecorder recorder, final LoadTarget loadTarget,
        final RunReporter reporter, final Path reportDir, final PrintWriter console)
    {
        console.flush();
        return LoadGenerator.run(workload.scenario(), plan, recorder, loadTarget, new LoadOptions()
            .outputDirectory(reportDir)
            .listener(reporter));
    }

    private static String alertText(final Alert alert, final String keyLabel)
    {
        return String.format(Locale.ROOT, "%-17s %s %6d  [%s, %s) sim time  value %.1f", alert.kind(), keyLabel,
            alert.key(), TIME.format(Instant.ofEpochMilli(alert.start())), TIME.format(Instant.ofEpochMilli(alert.end())),
            alert.value());
    }

    private void summary(
        final RunReporter reporter, final RunResult result, final DetectionReport detection, final String aeronLine)
    {
        reporter.summaryHead(result, "target");
        if (aeronLine != null)
        {
            reporter.line(aeronLine);
        }
        else
        {
            reporter.waitLine(engine.waitStrategy);
        }
        reporter.line("  alerts (a pattern is detected when an alert of its kind on its key covers its time):");
        for (final String line : detection.lines())
        {
            reporter.detectionLine(line);
        }
        reporter.summaryTail(result);
    }
}
