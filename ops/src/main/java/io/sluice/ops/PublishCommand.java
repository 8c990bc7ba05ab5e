package io.sluice.ops;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.ClientException;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorCode;
import io.sluice.engine.io.EventFileSource;
import io.sluice.engine.io.FileFormat;
import io.sluice.engine.io.MalformedInputException;
import io.sluice.engine.io.MalformedInputPolicy;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonConfig;
import io.sluice.ops.daemon.DaemonConfigException;
import io.sluice.ops.daemon.MarkFile;
import io.sluice.ops.net.AeronEndpoint;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice publish}: sends the events of a CSV or JSONL file (or standard input) to a running
 * daemon over its Aeron ingress with the client library ({@link SluiceProducer}), waits until each is
 * acknowledged at the asked level (JOURNALED or DURABLE), and prints a summary: sent, acknowledged,
 * rejected with the reasons (malformed lines with their line numbers, errors the daemon sent).
 * The topic's schema and the daemon's Aeron endpoint come from the daemon's own configuration file.
 *
 * <p>Exit code 0 when every event was acknowledged and no line was rejected; 1 otherwise; 2 for a
 * usage or configuration error.
 *
 * <p>Threading: the command's thread only.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    header = "Send a CSV or JSONL file's events to a running daemon, with JOURNALED or DURABLE acks.",
    description = "Sends the events of FILE (CSV with a header, or JSONL; '-' or none: standard input, with --format) to " +
        "topic T of the daemon that runs with --config, over its Aeron ingress, waits for every acknowledgement, " +
        "and prints sent, acknowledged and rejected counts with the reasons. Exit code 0 when all were acknowledged.")
final class PublishCommand implements Callable<Integer>
{
    /** Acknowledgement levels. */
    enum Ack
    {
        /** On the daemon's journal (survives kill -9 of the daemon). */
        JOURNALED,
        /** Forced to disk (survives power loss). */
        DURABLE;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT); // options are shown in lower case, as the configuration's values
        }
    }

    /** Input formats. */
    enum Format
    {
        /** Comma-separated with a header line. */
        CSV,
        /** One JSON object per line. */
        JSONL;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = { "-c", "--config" }, required = true, paramLabel = "FILE", description = "The running daemon's configuration (YAML).")
    Path config;

    @Option(names = { "-t", "--topic" }, required = true, paramLabel = "TOPIC", description = "A source topic of the daemon's pipelines.")
    String topic;

    @Option(names = "--ack", paramLabel = "LEVEL", defaultValue = "journaled",
        description = "Acknowledgement to wait for: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Ack ack;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "Input format: ${COMPLETION-CANDIDATES} (default: from the file's extension; required for standard input).")
    Format format;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "Longest wait for the daemon to connect and for the last acknowledgement (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The events; '-' or none for standard input.")
    Path file;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        CliException.checkUsage(timeoutSeconds > 0, "--timeout must be positive, was " + timeoutSeconds);
        final DaemonConfig daemon;
        try
        {
            daemon = DaemonConfig.load(config);
        }
        catch (final DaemonConfigException ex)
        {
            throw new CliException(ExitCodes.USAGE, "invalid configuration: " + ex.getMessage());
        }
        final Map<String, Schema> schemas = daemon.topicSchemas();
        final Schema schema = schemas.get(topic);
        CliException.checkUsage(schema != null, "topic '" + topic + "' is not read by any pipeline of " + config + " (its topics: " +
            String.join(", ", schemas.keySet()) + ")");
        final AeronEndpoint endpoint = AeronEndpoint.find(daemon, DaemonComponent.Role.INGRESS);
        CliException.checkUsage(endpoint != null, config + " has no 'type: aeron' ingress: publish sends over Aeron (docs/network.md)");
        final MarkFile.Info mark = MarkFile.read(daemon.dataDirectory());
        if (mark == null || !mark.isLive(System.currentTimeMillis()))
        {
            throw new CliException("no daemon is running on " + daemon.dataDirectory() + " (start it with: sluice run --config " + config + ")");
        }
        final boolean stdin = file == null || "-".equals(file.toString());
        CliException.checkUsage(!stdin || format != null, "reading standard input needs --format csv or --format jsonl");
        CliException.checkUsage(stdin || Files.isRegularFile(file), "no such file " + file);

        final Result result;
        try (EventFileSource source = open(stdin, schema))
        {
            result = publish(source, schema, endpoint);
        }
        catch (final MalformedInputException ex)
        {
            throw new CliException(ExitCodes.USAGE, ex.getMessage());
        }
        catch (final ClientException ex)
        {
            throw new CliException("cannot publish to " + topic + ": " + ex.getMessage());
        }
        return result.print(out);
    }

    private EventFileSource open(final boolean stdin, final Schema schema)
    {
        if (stdin)
        {
            final InputStream in = System.in;
            return EventFileSource.open(in, Path.of("<stdin>"), FileFormat.valueOf(format.name()), schema, MalformedInputPolicy.SKIP);
        }
        try
        {
            final FileFormat fileFormat = format != null ? FileFormat.valueOf(format.name()) : FileFormat.of(file);
            return EventFileSource.open(file, fileFormat, schema, MalformedInputPolicy.SKIP);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CliException(ExitCodes.USAGE, ex.getMessage() + " (or give --format)");
        }
    }

    private Result publish(final EventFileSource source, final Schema schema, final AeronEndpoint endpoint)
    {
        final int level = ack == Ack.DURABLE ? Durability.DURABLE : Durability.JOURNALED;
        final Result result = new Result(source, topic, ack);
        final long timeoutMs = TimeUnit.SECONDS.toMillis(timeoutSeconds);
        try (Aeron aeron = ClientAeron.connect(endpoint.aeronDirectory().toString(), timeoutMs);
            SluiceProducer producer = SluiceProducer.connect(new ClientContext().aeron(aeron).serverChannel(endpoint.channel())
                .ingressStreamId(endpoint.streamId()).responseChannel("aeron:ipc").connectTimeoutMs(timeoutMs)
                .errorListener(result::onError), topic))
        {
            final String mismatch = producer.layoutMismatch(schema);
            if (mismatch != null)
            {
                throw new CliException("topic " + topic + ": " + mismatch + " (from " + config + "): is the daemon running with another configuration?");
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[schema.length()]);
            final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(buffer, 0);
            final IdleStrategy idle = new BackoffIdleStrategy();
            long last = 0;
            while (source.next(event))
            {
                long sequence;
                while ((sequence = producer.offer(buffer, 0, level)) < 0)
                {
                    if (sequence == SluiceProducer.NOT_CONNECTED || sequence == SluiceProducer.CLOSED)
                    {
                        throw new CliException("the daemon went away after " + result.sent + " events");
                    }
                    idle.idle(producer.poll()); // back-pressure: take acks and wait for the window
                }
                idle.reset();
                last = sequence;
                result.sent++;
                producer.poll();
            }
            result.acknowledged = last == 0 || producer.awaitAcknowledged(last, level, timeoutMs) ? result.sent :
                (level == Durability.DURABLE ? producer.durableSequence() : producer.journaledSequence());
            result.timedOut = result.acknowledged < result.sent;
        }
        return result;
    }

    /** What a publication did, for the summary. */
    private static final class Result
    {
        private final EventFileSource source;
        private final String topic;
        private final Ack ack;
        private final Map<String, Long> daemonErrors = new TreeMap<>();
        long sent;
        long acknowledged;
        long rejectedByDaemon;
        boolean timedOut;

        Result(final EventFileSource source, final String topic, final Ack ack)
        {
            this.source = source;
            this.topic = topic;
            this.ack = ack;
        }

        void onError(final int code, final long reference, final String message)
        {
            rejectedByDaemon++;
            daemonErrors.merge(ErrorCode.name(code) + ": " + message, 1L, Long::sum);
        }

        int print(final PrintWriter out)
        {
            final long rejected = source.malformed() + rejectedByDaemon;
            out.printf(Locale.ROOT, "%s -> %s: sent %d, acknowledged %s %d, rejected %d%n", source.file(), topic, sent, ack.name(),
                acknowledged, rejected);
            if (source.malformed() > 0)
            {
                out.printf(Locale.ROOT, "  %d malformed line(s) skipped:%n", source.malformed());
                source.errors().forEach(error -> out.println("    " + error));
                if (source.errors().size() < source.malformed())
                {
                    out.printf(Locale.ROOT, "    ... and %d more%n", source.malformed() - source.errors().size());
                }
            }
            daemonErrors.forEach((reason, count) -> out.printf(Locale.ROOT, "  rejected by the daemon %d time(s): %s%n", count, reason));
            if (timedOut)
            {
                out.printf(Locale.ROOT, "  %d event(s) not acknowledged %s in time%n", sent - acknowledged, ack.name());
            }
            out.flush();
            return rejected == 0 && !timedOut ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
