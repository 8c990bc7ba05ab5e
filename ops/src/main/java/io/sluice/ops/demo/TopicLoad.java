package io.sluice.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import io.sluice.client.ClientException;
import io.sluice.client.wire.Durability;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.config.SourceDefinition;
import io.sluice.loadgen.AckLatencyTarget;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.LoadGenerator;
import io.sluice.loadgen.LoadOptions;
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

/**
 * {@code sluice loadgen --config F --topic T}: open-loop load on a topic of a running daemon's own
 * configuration, with events of its schema whose field values are drawn as {@link SchemaScenario}
 * documents, sent over the daemon's Aeron ingress; the latency is from each event's scheduled send
 * time to its JOURNALED (or DURABLE) acknowledgement ({@link AckLatencyTarget}), with the usual live
 * lines, summary, HdrHistogram reports and plots.
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
        CliException.checkUsage(command.target == LoadgenCommand.TargetKind.AERON,
            "--config drives a running daemon: add --target aeron (an embedded engine runs the built-in scenarios only)");
        CliException.checkUsage(!command.printConfig, "--print-config prints a scenario's configuration; --config already has one");
        final String level = command.ack.toLowerCase(Locale.ROOT);
        CliException.checkUsage(level.equals("journaled") || level.equals("durable"), "--ack must be journaled or durable, was '" +
            command.ack + "'");
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
        final SourceDefinition source = source(daemon);
        final DaemonComponent.AeronAddress endpoint = aeronIngress(daemon);
        CliException.checkUsage(endpoint != null, command.config + " has no 'type: aeron' ingress: loadgen sends over Aeron (docs/network.md)");
        final MarkFile.Info mark = MarkFile.read(daemon.dataDirectory());
        if (mark == null || !mark.isLive(System.currentTimeMillis()))
        {
            throw new CliException("no daemon is running on " + daemon.dataDirectory() + " (start it with: sluice run --config " +
                command.config + ")");
        }

        final RatePlan plan = command.load.plan(command.load.durationSeconds);
        final ScenarioTopic topic = new ScenarioTopic(source.topic(), source.schema(), source.partitionKey(), source.eventTime(), null);
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
        final Path reportDir = null == command.out ? Files.createTempDirectory("sluice-loadgen-report-") : command.out;
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunReporter reporter = new RunReporter(console, new io.sluice.loadgen.AlertLog(1, 16), alert -> "");
        final int durability = level.equals("durable") ? Durability.DURABLE : Durability.JOURNALED;
        console.printf(Locale.ROOT, "Sluice loadgen: topic %s of %s, %s events (schema %s, %d keys, seed %d)%n", source.topic(),
            command.config, DemoFormat.count(plan.totalEvents()), source.schema().name(), command.keys, command.seed);
        console.printf(Locale.ROOT, "plan: %s%n", DemoFormat.describe(plan));
        for (final String line : scenario.describe())
        {
            console.println("  field " + line);
        }
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
            throw new CliException("the daemon at " + endpoint.channel() + " cannot take topic " + source.topic() + ": " + ex.getMessage());
        }
        reporter.summaryHead(result, "target");
        reporter.line(ackLine);
        reporter.summaryTail(result);
        return ExitCodes.OK;
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

    private SourceDefinition source(final DaemonConfig daemon)
    {
        if (daemon.pipelines() != null)
        {
            for (final PipelineDefinition pipeline : daemon.pipelines().pipelines())
            {
                for (final SourceDefinition source : pipeline.sources())
                {
                    if (source.topic().equals(command.topic))
                    {
                        return source;
                    }
                }
            }
        }
        throw new CliException(ExitCodes.USAGE, "topic '" + command.topic + "' is not read by any pipeline of " + command.config +
            " (its topics: " + String.join(", ", daemon.topicSchemas().keySet()) + ")");
    }
}
