package io.sluice.ops;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.sluice.ops.daemon.MarkFile;
import io.sluice.ops.jmx.EngineMXBean;
import io.sluice.ops.jmx.JmxClient;
import io.sluice.ops.jmx.KafkaIngressMXBean;
import io.sluice.ops.jmx.PartitionMXBean;
import io.sluice.ops.jmx.PipelineMXBean;
import io.sluice.ops.jmx.ScaleOutMXBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Terminal;

/**
 * {@code sluice ctl status|errors|top|checkpoint|pause|resume|replay}: the ops console, over JMX. The daemon is
 * found at {@code --jmx host:port}, or else through the mark file of {@code --dir} (its loopback JMX
 * port). On a scale-out daemon, checkpoint, pause, resume and replay act on the engine of every Kafka
 * partition it owns and print one line per partition.
 */
@Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Control a running daemon over JMX: status, errors, top, checkpoint, pause PIPELINE, resume PIPELINE, " +
        "replay PIPELINE --from-offset N | --from-time MS.")
final class CtlCommand implements Callable<Integer>
{
    enum Action
    {
        STATUS, ERRORS, TOP, CHECKPOINT, PAUSE, RESUME, REPLAY
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "status, errors, top, checkpoint, pause, resume or replay.")
    Action action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PIPELINE", description = "For pause, resume and replay.")
    String pipeline;

    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "replay: journal offset to re-run the pipeline from.")
    Long fromOffset;

    @Option(names = "--from-time", paramLabel = "EPOCH_MS", description = "replay: re-run from the first record at or after this time.")
    Long fromTime;

    @Option(names = { "-d", "--dir" }, paramLabel = "DIR", defaultValue = ".", description = "Data directory whose mark file names the JMX port.")
    Path dir;

    @Option(names = "--jmx", paramLabel = "HOST:PORT", description = "JMX connector address (default: from the mark file).")
    String address;

    @Option(names = { "-u", "--user" }, paramLabel = "USER", description = "JMX user, when authentication is on.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "File whose first line is the JMX password.")
    Path passwordFile;

    @Option(names = "--tls", description = "Connect over TLS (trust store from -Djavax.net.ssl.trustStore in SLUICE_JAVA_OPTS).")
    boolean tls;

    @Option(names = { "-n", "--iterations" }, paramLabel = "N", defaultValue = "0", description = "top: refreshes (0: until Ctrl-C).")
    int iterations;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000", description = "top: refresh period (default: ${DEFAULT-VALUE} ms).")
    long intervalMillis;

    @Override
    public Integer call() throws Exception
    {
        if ((action == Action.PAUSE || action == Action.RESUME || action == Action.REPLAY) && pipeline == null)
        {
            throw new CliException(ExitCodes.USAGE, action.name().toLowerCase(Locale.ROOT) + " needs a PIPELINE");
        }
        if (action == Action.REPLAY && (fromOffset == null) == (fromTime == null))
        {
            throw new CliException(ExitCodes.USAGE, "replay needs exactly one of --from-offset and --from-time");
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (JmxClient client = connect())
        {
            final EngineMXBean engine = client.engine();
            final ScaleOutMXBean scaleOut = client.scaleOut();
            if (scaleOut != null && action != Action.STATUS && action != Action.ERRORS && action != Action.TOP)
            {
                scaleOutCommand(scaleOut, out);
                return ExitCodes.OK;
            }
            switch (action)
            {
                case STATUS -> status(client, engine, out);
                case ERRORS -> errors(engine, out);
                case TOP -> top(client, engine, out);
                case CHECKPOINT -> out.println(engine.checkpointNow());
                case PAUSE ->
                {
                    engine.pause(pipeline);
                    out.println("paused " + pipeline);
                }
                case RESUME ->
                {
                    engine.resume(pipeline);
                    out.println("resumed " + pipeline);
                }
                case REPLAY ->
                {
                    if (fromOffset != null)
                    {
                        engine.replay(pipeline, fromOffset);
                        out.println("replaying " + pipeline + " from offset " + fromOffset);
                    }
                    else
                    {
                        engine.replayFromTime(pipeline, fromTime);
                        out.println("replaying " + pipeline + " from time " + fromTime);
                    }
                }
                default -> throw new IllegalStateException(action.name());
            }
        }
        catch (final SecurityException ex)
        {
            throw new CliException("refused: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            final Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            throw new CliException(action.name().toLowerCase(Locale.ROOT) + " failed: " + cause.getMessage());
        }
        return ExitCodes.OK;
    }

    /**
     * Checkpoint, pause, resume or replay on a scale-out daemon: on the engine of every Kafka partition it
     * owns, one line per partition saying what happened there.
     */
    private void scaleOutCommand(final ScaleOutMXBean scaleOut, final PrintWriter out)
    {
        final String[] lines = switch (action)
        {
            case CHECKPOINT -> scaleOut.checkpointPartitions();
            case PAUSE -> scaleOut.pause(pipeline);
            case RESUME -> scaleOut.resume(pipeline);
            case REPLAY -> fromOffset != null ? scaleOut.replay(pipeline, fromOffset) : scaleOut.replayFromTime(pipeline, fromTime);
            default -> throw new IllegalStateException(action.name());
        };
        if (lines.length == 0)
        {
            out.println("this daemon owns no partition now" + (action == Action.PAUSE ?
                "; " + pipeline + " stays paused on the partitions it takes until resumed" : ": nothing done"));
        }
        for (final String line : lines)
        {
            out.println(line);
        }
    }

    private JmxClient connect() throws IOException
    {
        String host;
        int port;
        if (address != null)
        {
            final int colon = address.lastIndexOf(':');
            if (colon <= 0)
            {
                throw new CliException(ExitCodes.USAGE, "--jmx must be HOST:PORT, was '" + address + "'");
            }
            host = address.substring(0, colon);
            try
            {
                port = Integer.parseInt(address.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new CliException(ExitCodes.USAGE, "--jmx port must be a number, was '" + address + "'");
            }
        }
        else
        {
            final MarkFile.Info info = MarkFile.read(dir);
            if (info == null)
            {
                throw new CliException("no daemon mark file in " + dir.toAbsolutePath() + ": give --dir DATA or --jmx HOST:PORT");
            }
            if (!info.isLive(System.currentTimeMillis()))
            {
                throw new CliException("the daemon of " + dir.toAbsolutePath() + " (pid " + info.pid() + ") is not running (" +
                    info.stateName() + ", last heartbeat " + (System.currentTimeMillis() - info.heartbeatMs()) + " ms ago)");
            }
            if (info.jmxPort() == 0)
            {
                throw new CliException("the daemon of " + dir.toAbsolutePath() + " has JMX disabled");
            }
            host = info.jmxHost();
            port = info.jmxPort();
        }
        String password = null;
        if (passwordFile != null)
        {
            password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).get(0).strip();
        }
        else if (user != null)
        {
            password = System.getenv("SLUICE_JMX_PASSWORD");
        }
        try
        {
            return JmxClient.connect(host, port, user, password, tls);
        }
        catch (final IOException ex)
        {
            throw new CliException("cannot connect to JMX at " + host + ":" + port + ": " + ex.getMessage());
        }
    }

    private static void status(final JmxClient client, final EngineMXBean engine, final PrintWriter out) throws IOException
    {
        out.printf(Locale.ROOT, "sluice daemon pid %d: %s, up %s%n", engine.getPid(), engine.getState(), uptime(engine.getUptimeMillis()));
        final ScaleOutMXBean scaleOut = client.scaleOut();
        if (scaleOut != null)
        {
            scaleOutStatus(scaleOut, engine, out);
            return;
        }
        out.printf(Locale.ROOT, "checkpoints: %d completed, %d failed, last id %s, %s%n", engine.getCheckpointsCompleted(),
            engine.getCheckpointsFailed(), engine.getLastCheckpointId() < 0 ? "-" : Long.toString(engine.getLastCheckpointId()),
            engine.getLastCheckpointAgeMillis() < 0 ? "none yet" : engine.getLastCheckpointAgeMillis() + " ms ago");
        out.printf(Locale.ROOT, "errors: %d%s%n", engine.getErrors(), engine.getErrors() > 0 ? " (sluice ctl errors shows them)" : "");
        partitions(client, engine, out);
        network(client, out);
        kafkaIngress(client, out);
        final String[] threads = engine.getProcessingThreads();
        out.printf(Locale.ROOT, "processing threads: %d%n", threads.length);
        for (final String thread : threads)
        {
            out.println("  " + thread);
        }
        out.printf(Locale.ROOT, "%-24s %-16s %-8s %14s %12s %10s %10s %13s%n", "PIPELINE", "TOPIC", "STATE", "OUTPUTS", "SUPPRESSED",
            "ERRORS", "LATE", "STATE-ENTRIES");
        for (final String name : engine.getPipelines())
        {
            final PipelineMXBean pipeline = client.pipeline(name);
            out.printf(Locale.ROOT, "%-24s %-16s %-8s %,14d %,12d %,10d %,10d %,13d%n", name, pipeline.getSourceTopic(),
                pipeline.getHaltedPartitions() > 0 ? "HALTED" : pipeline.isPaused() ? "PAUSED" : "RUNNING",
                pipeline.getOutputs(), pipeline.getSuppressedOutputs(), pipeline.getErrors(), pipeline.getLateEvents(),
                pipeline.getStateEntries());
        }
        out.println("recovery:");
        for (final String event : engine.getRecoveryEvents())
        {
            out.println("  " + event);
        }
    }

    /**
     * A scale-out daemon: the job, the partitions it owns with their lag, the rebalances, each owned
     * partition's checkpoints and commits, the recent moves.
     */
    private static void scaleOutStatus(final ScaleOutMXBean scaleOut, final EngineMXBean engine, final PrintWriter out)
    {
        out.printf(Locale.ROOT, "scale-out: job %s, group %s, Kafka topic %s: %s%n", scaleOut.getJob(), scaleOut.getGroup(),
            scaleOut.getTopic(), scaleOut.getState());
        final int[] owned = scaleOut.getOwnedPartitions();
        final long[] lag = scaleOut.getLag();
        final StringBuilder line = new StringBuilder("owned partitions: ").append(owned.length);
        long total = 0;
        for (int i = 0; i < owned.length; i++)
        {
            final long partitionLag = owned[i] < lag.length ? lag[owned[i]] : -1;
            line.append(i == 0 ? " (" : ", ").append(owned[i]).append(" lag ").append(partitionLag < 0 ? "?" : Long.toString(partitionLag));
            total += Math.max(0, partitionLag);
        }
        out.println(line.append(owned.length > 0 ? "), total lag " + total : "").toString());
        final long last = scaleOut.getLastRebalanceMillis();
        out.printf(Locale.ROOT, "rebalances: %d, last %s%n", scaleOut.getRebalances(),
            last < 0 ? "never" : java.time.Instant.ofEpochMilli(last) + " (" + uptime(Math.max(0, System.currentTimeMillis() - last)) + " ago)");
        out.printf(Locale.ROOT, "records in: %,d, malformed: %,d%n", scaleOut.getRecordsIn(), scaleOut.getMalformed());
        final String[] paused = scaleOut.getPausedPipelines();
        if (paused.length > 0)
        {
            out.println("paused on this daemon (every owned partition): " + String.join(", ", paused));
        }
        out.printf(Locale.ROOT, "errors: %d%s%n", engine.getErrors(), engine.getErrors() > 0 ? " (sluice ctl errors shows them)" : "");
        if (!scaleOut.getLastError().isEmpty())
        {
            out.println("last problem: " + scaleOut.getLastError());
        }
        for (final String partition : scaleOut.getPartitionStatus())
        {
            out.println("  partition " + partition);
        }
        out.println("recent moves:");
        for (final String event : scaleOut.getEvents())
        {
            out.println("  " + event);
        }
    }

    /**
     * One line counting partitions by state, then one line for each partition that is not RUNNING, with
     * the cause of a FAILED one.
     */
    private static void partitions(final JmxClient client, final EngineMXBean engine, final PrintWriter out)
    {
        final java.util.Map<String, Integer> byState = new java.util.TreeMap<>();
        final java.util.List<String> notRunning = new java.util.ArrayList<>();
        for (final String topic : engine.getTopics())
        {
            for (int p = 0; p < engine.getPartitions(); p++)
            {
                final PartitionMXBean partition = client.partition(topic, p);
                final String state = partition.getState();
                byState.merge(state, 1, Integer::sum);
                if (!"RUNNING".equals(state))
                {
                    final String failure = partition.getFailure();
                    notRunning.add("  " + topic + "/" + p + " " + state + (failure.isEmpty() ? "" : ": " + failure));
                }
            }
        }
        final StringBuilder line = new StringBuilder("partitions:");
        byState.forEach((state, count) -> line.append(' ').append(count).append(' ').append(state).append(','));
        line.setLength(line.length() - (byState.isEmpty() ? 0 : 1));
        out.println(line);
        notRunning.forEach(out::println);
    }

    /**
     * One line per network (Aeron) endpoint: UP, or DOWN while its Aeron client is lost and reconnecting.
     */
    private static void network(final JmxClient client, final PrintWriter out) throws IOException
    {
        if (!client.connection().isRegistered(io.sluice.ops.jmx.ObjectNames.components()))
        {
            return;
        }
        for (final String endpoint : client.components().getNetworkStatus())
        {
            out.println("network " + endpoint);
        }
    }

    /**
     * One line per Kafka ingress: where it reads, its state and its lag per partition; its last problem
     * on the next line if any.
     */
    private static void kafkaIngress(final JmxClient client, final PrintWriter out) throws IOException
    {
        for (final KafkaIngressMXBean ingress : client.kafkaIngress())
        {
            final long[] lag = ingress.getLag();
            final StringBuilder line = new StringBuilder("kafka ingress ").append(ingress.getKafkaTopic()).append(" -> ")
                .append(ingress.getSourceTopic()).append(" (group ").append(ingress.getGroup()).append("): ").append(ingress.getState());
            long total = 0;
            for (int p = 0; p < lag.length; p++)
            {
                line.append(p == 0 ? ", partitions (" : ", ").append(p).append(" lag ").append(lag[p] < 0 ? "?" : Long.toString(lag[p]));
                total += Math.max(0, lag[p]);
            }
            out.println(line.append(lag.length > 0 ? "), total lag " + total : "")
                .append(String.format(Locale.ROOT, ", records in %,d, malformed %,d", ingress.getRecordsIn(), ingress.getMalformed())));
            if (!ingress.getLastError().isEmpty())
            {
                out.println("  last problem: " + ingress.getLastError());
            }
        }
    }

    private static void errors(final EngineMXBean engine, final PrintWriter out)
    {
        final String[] entries = engine.getErrorLog();
        for (final String entry : entries)
        {
            out.println(entry);
        }
        out.printf(Locale.ROOT, "%d distinct errors, %d observations%n", entries.length, engine.getErrors());
    }

    private void top(final JmxClient client, final EngineMXBean engine, final PrintWriter out) throws InterruptedException, IOException
    {
        int printed = 0;
        while (true)
        {
            if (Terminal.isInteractive())
            {
                out.print(Terminal.CLEAR_SCREEN);
            }
            else if (printed > 0)
            {
                out.println(); // a pipe or a file gets one block after another, no escape codes
            }
            status(client, engine, out);
            out.printf(Locale.ROOT, "%n%-16s %4s %14s %14s %10s %16s %8s %8s %8s %9s %9s%n",
                "TOPIC", "PART", "EVENTS-IN", "JOURNAL-END", "RING-FREE", "WRITER-RES n/KiB", "p50 us", "p99 us", "p99.9 us", "p99.99 us",
                "max us");
            for (final String topic : engine.getTopics())
            {
                for (int p = 0; p < engine.getPartitions(); p++)
                {
                    final PartitionMXBean partition = client.partition(topic, p);
                    out.printf(Locale.ROOT, "%-16s %4d %,14d %,14d %,10d %16s %8d %8d %8d %9d %9d%n", topic, p, partition.getEventsIn(),
                        partition.getJournalEnd(), partition.getRingRemaining(),
                        partition.getJournalWriterReservations() + "/" + (partition.getJournalWriterReservedBytes() >> 10),
                        partition.getLatencyP50Micros(), partition.getLatencyP99Micros(), partition.getLatencyP999Micros(),
                        partition.getLatencyP9999Micros(), partition.getLatencyMaxMicros());
                }
            }
            stages(client, engine, out);
            out.flush();
            printed++;
            if (iterations > 0 && printed >= iterations)
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(intervalMillis);
        }
    }

    /**
     * Latency per stage: ring wait and journal append per partition number (shared by the topics), the
     * processing of each pipeline over its partitions.
     */
    private static void stages(final JmxClient client, final EngineMXBean engine, final PrintWriter out)
    {
        final String row = "%-32s %8d %8d %8d %9d %9d %,14d%n";
        out.printf(Locale.ROOT, "%n%-32s %8s %8s %8s %9s %9s %14s%n", "STAGE", "p50 us", "p99 us", "p99.9 us", "p99.99 us", "max us", "EVENTS");
        final String[] topics = engine.getTopics();
        for (int p = 0; topics.length > 0 && p < engine.getPartitions(); p++)
        {
            final PartitionMXBean partition = client.partition(topics[0], p);
            out.printf(Locale.ROOT, row, "ring-wait p" + p, partition.getRingWaitP50Micros(), partition.getRingWaitP99Micros(),
                partition.getRingWaitP999Micros(), partition.getRingWaitP9999Micros(), partition.getRingWaitMaxMicros(),
                partition.getRingWaitCount());
            out.printf(Locale.ROOT, row, "journal-append p" + p, partition.getJournalAppendP50Micros(),
                partition.getJournalAppendP99Micros(), partition.getJournalAppendP999Micros(), partition.getJournalAppendP9999Micros(),
                partition.getJournalAppendMaxMicros(), partition.getJournalAppendCount());
        }
        for (final String name : engine.getPipelines())
        {
            final PipelineMXBean pipeline = client.pipeline(name);
            out.printf(Locale.ROOT, row, "pipeline " + name, pipeline.getProcessingLatencyP50Micros(),
                pipeline.getProcessingLatencyP99Micros(), pipeline.getProcessingLatencyP999Micros(),
                pipeline.getProcessingLatencyP9999Micros(), pipeline.getProcessingLatencyMaxMicros(), pipeline.getProcessingLatencyCount());
        }
    }

    private static String uptime(final long millis)
    {
        final long seconds = millis / 1000;
        return String.format(Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }
}
