package io.sluice.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.sluice.client.ClientException;
import io.sluice.client.wire.Durability;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.config.SourceDefinition;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.loadgen.AckLatencyTarget;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.LoadGenerator;
import io.sluice.loadgen.LoadOptions;
import io.sluice.loadgen.ProcessedLatencyTarget;
import io.sluice.loadgen.RatePlan;
import io.sluice.loadgen.RunResult;
import io.sluice.loadgen.ScenarioTopic;
import io.sluice.loadgen.SchemaScenario;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonConfig;
import io.sluice.ops.daemon.DaemonConfigException;
import io.sluice.ops.daemon.MarkFile;
import io.sluice.schema.Schema;

/**
 * {@code sluice loadgen --config F --topic T}: open-loop load on a topic of a daemon configuration,
 * with events of its schema whose field values are drawn as {@link SchemaScenario} documents, with the
 * usual live lines, summary, HdrHistogram reports and plots. Two targets:
 * <ul>
 *   <li>{@code --target aeron}: a running daemon, over its Aeron ingress; the latency is from each
 *       event's scheduled send time to its JOURNALED (or DURABLE) acknowledgement
 *       ({@link AckLatencyTarget});</li>
 *   <li>{@code --target embedded} (the default): the configuration's pipelines in an engine of this
 *       process, no daemon needed; the latency is to the event processed by every pipeline of its
 *       partition ({@link ProcessedLatencyTarget}), and each pipeline's outputs are counted.</li>
 * </ul>
 *
 * <p>Threading: the command's thread.
 */
final class TopicLoad
{
    private final LoadgenCommand command;

    TopicLoad(final LoadgenCommand command)
    {
        this.command = command;
    }

    int run(final PrintWriter console) throws IOException
    {
        CliException.checkUsage(command.topic != null, "--config needs --topic: the topic to load");
        CliException.checkUsage(!command.printConfig, "--print-config prints a scenario's configuration; --config already has one");
        final String level = command.ack.toLowerCase(Locale.ROOT);
        CliException.checkUsage(level.equals("journaled") || level.equals("durable"), "--ack must be journaled or durable, was '" +
            command.ack + "'");
        final boolean embedded = command.target == LoadgenCommand.TargetKind.EMBEDDED;
        CliException.checkUsage(!embedded || !isSet("--ack"),
            "--ack measures a daemon's acknowledgements: it needs --target aeron (the embedded engine measures to processed)");
        command.load.checkLengthAndRate();
        command.load.checkShape();
        final DaemonConfig daemon;
        try
        {
            daemon = DaemonConfig.load(command.config);
        }
        catch (final DaemonConfigException ex)
        {
            throw new CliException(ExitCodes.USAGE, "invalid configuration: " + ex.getMessage());
        }
        final ScenarioTopic topic = topic(daemon);
        final RatePlan plan = command.load.plan();
        final SchemaScenario scenario;
        try
        {
            final Map<String, String> specs = SchemaScenario.specs(command.fields);
            scenario = new SchemaScenario(topic, plan.totalEvents(), command.seed, command.keys, command.timeStepMs, specs);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CliException(ExitCodes.USAGE, ex.getMessage());
        }
        if (embedded)
        {
            if (isSet("--partitions"))
            {
                command.engine.check();
            }
            ScratchDirectory.use(command.engine.dir, "sluice-loadgen-",
                dataDir -> runEmbedded(daemon, topic, scenario, plan, dataDir, console));
            return ExitCodes.OK;
        }
        return runAeron(daemon, topic, scenario, plan, level, console);
    }

    private int runAeron(
        final DaemonConfig daemon, final ScenarioTopic source, final SchemaScenario scenario, final RatePlan plan, final String level,
        final PrintWriter console) throws IOException
    {
        final DaemonComponent.AeronAddress endpoint = aeronIngress(daemon);
        CliException.checkUsage(endpoint != null, command.config + " has no 'type: aeron' ingress: loadgen sends over Aeron " +
            "(docs/network.md), or runs the configuration's pipelines in an embedded engine with --target embedded");
        final MarkFile.Info mark = MarkFile.read(daemon.dataDirectory());
        if (mark == null || !mark.isLive(System.currentTimeMillis()))
        {
            throw new CliException("no daemon is running on " + daemon.dataDirectory() + " (start it with: sluice run --config " +
                command.config + ", or load an embedded engine with --target embedded)");
        }
        final Path reportDir = reportDirectory();
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunReporter reporter = new RunReporter(console, new io.sluice.loadgen.AlertLog(1, 16), alert -> "");
        final int durability = level.equals("durable") ? Durability.DURABLE : Durability.JOURNALED;
        header(source, scenario, plan, console);
        final RunResult result;
        final String ackLine;
        try (AckLatencyTarget target = new AckLatencyTarget(endpoint.aeronDirectory().toString(), endpoint.channel(), endpoint.streamId(),
            durability, recorder))
        {
            console.println("target: " + target.describe());
            console.println("latency: from each event's SCHEDULED send time to its " + level.toUpperCase(Locale.ROOT) +
                " acknowledgement (open loop: no coordinated omission)");
            console.flush();
            result = LoadGenerator.run(scenario, plan, recorder, target, new LoadOptions().outputDirectory(reportDir).listener(reporter));
            ackLine = String.format(Locale.ROOT, "  aeron        %s acknowledged %s of %s sent; %s offers retried on back-pressure",
                DemoFormat.count(target.acknowledged()), level.toUpperCase(Locale.ROOT), DemoFormat.count(target.sent()),
                DemoFormat.count(target.backPressureRetries()));
        }
        catch (final ClientException | IllegalStateException ex)
        {
            // A daemon configured otherwise (no such topic, another schema): one line, no stack trace.
            throw new CliException("the daemon at " + endpoint.channel() + " cannot take topic " + source.name() + ": " + ex.getMessage());
        }
        reporter.summaryHead(result, "target");
        reporter.line(ackLine);
        reporter.summaryTail(result);
        return ExitCodes.OK;
    }

    /**
     * The configuration's pipelines (YAML and Java DSL) in an engine of this process, with the
     * configuration's partitions, ring, processing threads and wait strategy (--partitions and
     * --wait-strategy override them) and a scratch data directory; outputs are counted, not written to
     * the configured sinks, and the daemon's data directory is not touched.
     */
    private void runEmbedded(
        final DaemonConfig daemon, final ScenarioTopic source, final SchemaScenario scenario, final RatePlan plan,
        final Path dataDir, final PrintWriter console)
    {
        final int partitions = isSet("--partitions") ? command.engine.partitions : daemon.partitions();
        final EngineContext context = new EngineContext()
            .directory(dataDir)
            .partitions(partitions)
            .ringSize(daemon.ringSize())
            .waitStrategy(isSet("--wait-strategy") ? command.engine.waitStrategy : daemon.waitStrategy())
            .processingThreads(Math.min(daemon.processingThreads(), partitions))
            .partitionBatchLimit(daemon.partitionBatchLimit())
            .checkpoints(false);
        final Path reportDir;
        try
        {
            reportDir = reportDirectory();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunReporter reporter = new RunReporter(console, new io.sluice.loadgen.AlertLog(1, 16), alert -> "");
        header(source, scenario, plan, console);
        final List<String> names = daemon.pipelineNames();
        final RunResult result;
        final ProcessedLatencyTarget target;
        try
        {
            target = new ProcessedLatencyTarget(context, names,
                sinks -> daemon.pipelines(name -> sinks.get(names.indexOf(name))), recorder);
        }
        catch (final RuntimeException ex)
        {
            throw new CliException("cannot run the pipelines of " + command.config + " in an embedded engine: " + ex.getMessage());
        }
        try (target)
        {
            console.println("target: " + target.describe());
            console.println("pipelines: " + String.join(", ", names) + " (outputs counted, not written to the configured sinks)");
            console.println("latency: from each event's SCHEDULED send time to its partition having journaled it and run every " +
                "pipeline on it (open loop: no coordinated omission)");
            console.flush();
            result = LoadGenerator.run(scenario, plan, recorder, target, new LoadOptions().outputDirectory(reportDir).listener(reporter));
        }
        // Closed: the partition threads have stopped, so their output counts are final and visible here.
        reporter.summaryHead(result, "target");
        reporter.waitLine(context.waitStrategy());
        reporter.line(String.format(Locale.ROOT, "  engine       %s of %s sent processed by every pipeline", DemoFormat.count(target.processed()),
            DemoFormat.count(target.sent())));
        for (int i = 0; i < names.size(); i++)
        {
            reporter.line(String.format(Locale.ROOT, "  pipeline     %s: %s outputs", names.get(i), DemoFormat.count(target.outputs(i))));
        }
        reporter.summaryTail(result);
    }

    private void header(final ScenarioTopic source, final SchemaScenario scenario, final RatePlan plan, final PrintWriter console)
    {
        console.printf(Locale.ROOT, "Sluice loadgen: topic %s of %s, %s events (schema %s, %d keys, seed %d)%n", source.name(),
            command.config, DemoFormat.count(plan.totalEvents()), source.schema().name(), command.keys, command.seed);
        console.printf(Locale.ROOT, "plan: %s%n", DemoFormat.describe(plan));
        for (final String line : scenario.describe())
        {
            console.println("  field " + line);
        }
    }

    private Path reportDirectory() throws IOException
    {
        return null == command.out ? Files.createTempDirectory("sluice-loadgen-report-") : command.out;
    }

    private boolean isSet(final String option)
    {
        return command.spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static DaemonComponent.AeronAddress aeronIngress(final DaemonConfig daemon)
    {
        for (final DaemonConfig.ComponentEntry entry : daemon.components())
        {
            final DaemonComponent.AeronAddress address = entry.role() == DaemonComponent.Role.INGRESS ?
                entry.component().aeronAddress(daemon.dataDirectory()) : null;
            if (address != null)
            {
                return address;
            }
        }
        return null;
    }

    /** The topic as the pipelines that read it declare it: the YAML ones, then the Java DSL ones. */
    private ScenarioTopic topic(final DaemonConfig daemon)
    {
        if (daemon.pipelines() != null)
        {
            for (final PipelineDefinition pipeline : daemon.pipelines().pipelines())
            {
                for (final SourceDefinition source : pipeline.sources())
                {
                    if (source.topic().equals(command.topic))
                    {
                        return new ScenarioTopic(source.topic(), source.schema(), source.partitionKey(), source.eventTime(), null);
                    }
                }
            }
        }
        for (final Pipeline pipeline : daemon.javaPipelines())
        {
            for (final Source source : pipeline.sources())
            {
                if (source.topic().equals(command.topic))
                {
                    final Schema schema = source.schema();
                    return new ScenarioTopic(source.topic(), schema, schema.field(source.partitionKeyField()).name(),
                        source.eventTimeField() < 0 ? null : schema.field(source.eventTimeField()).name(), null);
                }
            }
        }
        throw new CliException(ExitCodes.USAGE, "topic '" + command.topic + "' is not read by any pipeline of " + command.config +
            " (its topics: " + String.join(", ", daemon.topicSchemas().keySet()) + ")");
    }
}
