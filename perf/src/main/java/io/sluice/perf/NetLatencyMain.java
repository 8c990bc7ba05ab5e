package io.sluice.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.sluice.ops.net.NetServerContext;

/**
 * Network latency end to end, one command: a Sluice daemon ({@code sluice run}), a raw Aeron echo
 * ({@link NetLatencyPong}) and a client ({@link NetLatencyClient}), each a child process of this one, on
 * one machine. The client publishes, open loop at scheduled send times, over Aeron IPC and over Aeron UDP
 * on loopback, and measures publish -> JOURNALED ack and publish -> egress result (the pipeline's output
 * for that event, read back by a consumer group over the daemon's egress), beside a raw Aeron ping-pong of
 * the same message size through the same media driver (the daemon's), measured in the same run, phases
 * alternating. HdrHistogram {@code .hgrm} files and a percentile plot per medium go to
 * {@code out}/net-latency-&lt;UTC time&gt;/; {@code RESULT} lines give each path's ratio to the raw ping-pong over
 * all rounds; per medium and round a {@code ROUND} line (each path's p50/p99 and p99 ratio to that round's raw p99)
 * and a {@code LATE} line (per second, the messages over twice that round's raw p99; the slowest with its UTC time;
 * the client's own GCs), and per medium a {@code ROUNDS} line: each round's p99 ratio, the median over the rounds and
 * the rounds within the target's 2x ({@code NetRounds}).
 *
 * <p>The daemon: one partition, a filter pipeline {@code trades -> results} (journal sink), Aeron ingress
 * and egress on UDP loopback and on IPC, whose duties run ({@code netThread}) on the processing thread after
 * its partition's turn ({@code processing}, the items' {@code thread: processing}, the default) or on the
 * background duties thread ({@code duties}: {@code threading_mode: shared}, one low-priority thread that
 * yields, then parks 1 us doubling to 100 us when idle); the processing thread waits with {@code wait}
 * (default {@code yield}), or {@code profile=low-latency} lets the daemon choose (and the network duties stay
 * on the duties thread, which invokes the media driver there). The embedded media driver is Sluice's: SHARED
 * threading, backing-off idle. The pong waits like the thread that runs the daemon's network duties (the
 * processing thread's {@code wait}, or the duties thread's back-off); the client yields when idle.
 * <pre>{@code
 *   mvn -B -q -pl perf -am package -DskipTests          (from the repository root)
 *   java @perf/target/classes/sluice-jvm.options -cp perf/target/benchmarks.jar io.sluice.perf.NetLatencyMain \
 *       rate=10000 seconds=5 warmup=1 rounds=3 [jvmLog=/tmp/net-jvm]
 * }</pre>
 */
public final class NetLatencyMain
{
    private static final long START_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(180);
    /** A line of {@code sluice stat} with a counter at 0. */
    private static final java.util.regex.Pattern ZERO_COUNTER = java.util.regex.Pattern.compile("^\\s*\\d+:\\s+0 - ");
    /** A line of {@code sluice stat} with a partition's events-in counter: its value. */
    /** An Aeron client's timeout in an error log line: the driver's heartbeat stale, or the client's conductor not run. */
    private static final java.util.regex.Pattern AERON_TIMEOUT =
        java.util.regex.Pattern.compile("(DriverTimeoutException|ConductorServiceTimeoutException|ClientTimeoutException)\\b.*");
    private static final java.util.regex.Pattern EVENTS_IN = java.util.regex.Pattern.compile("^\\s*\\d+:\\s+([\\d,]+) - events-in");
    /** {@code netThread}: the daemon's network duties on its processing thread (the items' {@code thread: processing}). */
    private static final String THREAD_PROCESSING = "processing";
    /** {@code netThread}: the daemon's network duties on its background duties thread ({@code thread: duties}). */
    private static final String THREAD_DUTIES = "duties";

    private NetLatencyMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: rate (messages a second), seconds (recorded per phase), warmup (seconds
     *             per phase, not recorded), firstWarmup (the same for each medium's first round, at least warmup: the
     *             daemon's JIT compiles its network path on its first traffic), rounds (raw + sluice phase pairs per medium), media (ipc,udp),
     *             wait (the daemon's wait_strategy), profile (standard | low-latency), engineWait (nanoseconds the
     *             daemon's network duty yields while events await their ACK, {@code sluice.net.engine.wait.ns}; 0 =
     *             back off at once, as before that wait existed; not on the processing thread), netThread (processing |
     *             duties: where the daemon's network duties run; default processing, duties under the low-latency
     *             profile), netWarmUp (the daemon's {@code network_warm_up}: the longest it warms its network path up
     *             before it accepts, default 10s; 0 for none), commit ({@code phase}: the client's consumer commits its
     *             group after each Sluice phase, a disk write for the daemon, stored off its network duty's thread since
     *             section 81; default {@code none}), slices (each round's second view: after its raw and Sluice phases in
     *             sequence, this many raw and as many Sluice slices of {@code seconds / slices} each, interleaved, so that
     *             both paths meet the same minutes of the machine; default 10, 0 for none), jvmLog (a directory: each child JVM logs its GC pauses, safepoints and JIT compilations there, with
     *             UTC times to line up with the client's {@code LATE} lines; default none), out.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rate", "10000");
        defaults.put("seconds", "5");
        defaults.put("warmup", "1");
        defaults.put("firstWarmup", "5");
        defaults.put("rounds", "3");
        defaults.put("media", "ipc,udp");
        defaults.put("wait", "yield");
        defaults.put("profile", "standard");
        defaults.put("engineWait", Long.toString(NetServerContext.DEFAULT_ENGINE_WAIT_NS));
        defaults.put("netThread", "");
        defaults.put("netWarmUp", "10s");
        defaults.put("commit", "none");
        defaults.put("slices", "10");
        defaults.put("jvmLog", "");
        defaults.put("out", "perf/reports");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final boolean lowLatency = "low-latency".equals(a.get("profile"));
        if (a.get("netThread").isEmpty())
        {
            // The processing thread where it can be (under the low-latency profile the driver is invoked by the duties thread).
            a.put("netThread", lowLatency ? THREAD_DUTIES : THREAD_PROCESSING);
        }
        final boolean onProcessing = THREAD_PROCESSING.equals(a.get("netThread"));
        if (!onProcessing && !THREAD_DUTIES.equals(a.get("netThread")))
        {
            throw new IllegalArgumentException("netThread must be " + THREAD_PROCESSING + " or " + THREAD_DUTIES + ", was " + a.get("netThread"));
        }
        // The pong waits as the thread that runs the daemon's network duty does.
        final String pongIdle = onProcessing ? a.get("wait") : NetLatencyPong.BACKOFF + NetServerContext.DEFAULT_MAX_IDLE_NS;
        System.out.println("NetLatencyMain " + a + "; " + EngineBench.machine() + "; load average " + Machine.loadAverage());
        final Path reports = Path.of(a.get("out")).resolve("net-latency-" +
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
        final Path scratch = PerfFiles.newDirectory("net");
        final Path data = scratch.resolve("data");
        final String aeronDir = data.resolve("aeron").toString();
        final String serverUdp = udp(freeUdpPort());
        final Path config = scratch.resolve("sluice.yaml");
        Files.writeString(config, config(data, serverUdp, a.get("wait"), a.get("profile"), a.get("netThread"), a.get("netWarmUp")));
        final List<Child> children = new ArrayList<>();
        final JvmLog jvmLog = new JvmLog(a.get("jvmLog"));
        if (!a.get("jvmLog").isEmpty())
        {
            Files.createDirectories(Path.of(a.get("jvmLog")));
        }
        try
        {
            final Child daemon = Child.start("daemon", jvmLog.flags("daemon", "-Xms512m", "-Xmx512m",
                "-D" + NetServerContext.ENGINE_WAIT_NS_PROP_NAME + "=" + a.get("engineWait"),
                "-D" + NetServerContext.LIVENESS_TIMEOUT_MS_PROP_NAME + "=" + NetServerContext.livenessTimeoutMs()), "io.sluice.ops.SluiceMain",
                List.of("run", "--config", config.toString()), false);
            children.add(daemon);
            daemon.await(line -> line.contains("started aeron-egress aeron:ipc"), "the daemon's egress on IPC");
            daemon.await(line -> line.contains("started aeron-egress " + serverUdp), "the daemon's egress on UDP");

            final String pingUdp = udp(freeUdpPort());
            final String pongUdp = udp(freeUdpPort());
            final Child pong = Child.start("pong", jvmLog.flags("pong", "-Xms64m", "-Xmx64m"), NetLatencyPong.class.getName(), List.of(aeronDir,
                pongIdle, "aeron:ipc", "aeron:ipc", pingUdp, pongUdp), false);
            children.add(pong);
            pong.await(line -> line.startsWith("pong ready"), "the pong process");

            System.out.println("daemon: " + String.join(" | ", daemon.lines(line -> line.contains("profile") || line.contains("running:") || line.contains("warm-up") ||
                line.contains("started aeron-"))));
            final String processingWait = lowLatency ? "as the low-latency profile chose (its line above)" : a.get("wait");
            System.out.println("wait strategies: daemon processing thread " + processingWait + (onProcessing ?
                ", running the network servers' duties after its partition's turns; daemon duties thread (scheduler) yields then parks" :
                "; daemon duties thread (network servers, scheduler) yields then parks 1 us doubling to " +
                NetServerContext.DEFAULT_MAX_IDLE_NS / 1_000 + " us, but yields without backing off while events await their ACK (for " +
                "up to " + Long.parseLong(a.get("engineWait")) / 1_000 + " us without progress)") + "; media driver SHARED, backoff to " +
                NetServerContext.DEFAULT_MAX_IDLE_NS / 1_000 + " us parks; pong as the thread of the network duties (" + pongIdle + "); client polls, then Thread.yield(); " +
                "Aeron liveness: the daemon's driver and clients " + NetServerContext.livenessTimeoutMs() + " ms (" + NetServerContext.LIVENESS_TIMEOUT_MS_PROP_NAME +
                "), the client's and pong's driver timeout " + NetLatencyClient.DRIVER_TIMEOUT_MS + " ms");
            // The daemon's CPU from here to the client's end, per event it took in (DAEMON CPU line below).
            final long eventsBefore = eventsIn(data);
            final Map<String, Long> cpuBefore = ThreadCpuByName.millisByName(daemon.pid());
            final Map<String, Long> faultsBefore = ThreadCpuByName.minorFaultsByName(daemon.pid());
            final Child client = Child.start("client", jvmLog.flags("client", "-Xms256m", "-Xmx256m", NetLatencyClient.NO_OSR), NetLatencyClient.class.getName(), List.of(
                "aeronDir=" + aeronDir, "daemonDir=" + data, "rate=" + a.get("rate"), "seconds=" + a.get("seconds"), "warmup=" + a.get("warmup"),
                "firstWarmup=" + a.get("firstWarmup"), "rounds=" + a.get("rounds"), "media=" + a.get("media"), "reports=" + reports,
                "commit=" + a.get("commit"), "slices=" + a.get("slices"),
                "ipc.server=aeron:ipc", "ipc.response=aeron:ipc", "ipc.ping=aeron:ipc", "ipc.pong=aeron:ipc", "ipc.item=0",
                "udp.item=1", "udp.server=" + serverUdp, "udp.response=" + udp(freeUdpPort()), "udp.ping=" + pingUdp, "udp.pong=" + pongUdp), true);
            children.add(client);
            final int exit = client.waitFor(TimeUnit.MINUTES.toSeconds(30));
            final Map<String, Long> cpuAfter = ThreadCpuByName.millisByName(daemon.pid());
            final Map<String, Long> faultsAfter = ThreadCpuByName.minorFaultsByName(daemon.pid());
            final long events = eventsIn(data) - eventsBefore;
            System.out.println("load average " + Machine.loadAverage());
            if (cpuBefore != null && cpuAfter != null)
            {
                // Raw phases included: the daemon's media driver carries the raw ping-pong too (its own thread's line).
                System.out.println("DAEMON CPU over the client's run, " + String.format("%,d", events) + " events in: " +
                    ThreadCpuByName.perEvent(cpuBefore, cpuAfter, events));
            }
            if (faultsBefore != null && faultsAfter != null)
            {
                System.out.println("DAEMON minor page faults over the client's run: " +
                    ThreadCpuByName.faultsPerEvent(faultsBefore, faultsAfter, events));
            }
            if (exit != 0)
            {
                // What the daemon saw of the failure: its output, its network counters (sessions, rejected frames by
                // kind, Aeron client losses) and its error log, read before the scratch directory goes.
                System.out.println("DAEMON output after the client's failure:\n" + String.join("\n", daemon.lines(l -> true)));
                final Child stat = Child.start("stat", List.of("-Xmx64m"), "io.sluice.ops.SluiceMain",
                    List.of("stat", "--dir", data.toString(), "--errors", "--filter", "net-"), false);
                stat.waitFor(60);
                final List<String> statLines = stat.lines(line -> !ZERO_COUNTER.matcher(line).find());
                System.out.println("DAEMON counters (those not 0) and error log after the client's failure:\n" + String.join("\n", statLines));
                final String stall = stallLine(statLines);
                if (stall != null)
                {
                    System.out.println(stall);
                }
            }
            if (exit != 0 && exit != NetLatencyClient.FAILED_ROUNDS_EXIT)
            {
                throw new IllegalStateException("the client failed with exit code " + exit + " (its output and the daemon's above)");
            }
            System.out.println((exit == 0 ? "" : "ROUNDS FAILED: see the ROUND FAILED lines above; ") + "reports: " + PerfFiles.shown(reports) + (a.get("jvmLog").isEmpty() ? "" : "; JVM logs: " + a.get("jvmLog")));
        }
        finally
        {
            for (int i = children.size() - 1; i >= 0; i--)
            {
                children.get(i).stop();
            }
            PerfFiles.deleteRecursively(scratch);
        }
    }

    /**
     * A line that says why rounds failed when the daemon's error log shows its Aeron client timed out: the daemon (or the
     * whole machine) was held longer than the liveness timeout, which no change to Sluice's network path explains.
     *
     * @param daemonErrors the daemon's {@code sluice stat --errors} lines.
     * @return the {@code STALL} line, or null if no Aeron timeout is in them.
     */
    static String stallLine(final List<String> daemonErrors)
    {
        for (final String line : daemonErrors)
        {
            final java.util.regex.Matcher timeout = AERON_TIMEOUT.matcher(line);
            if (timeout.find())
            {
                return "STALL: the daemon's Aeron client timed out (" + line.substring(timeout.start()).trim() + "): the daemon's " +
                    "process, or this machine, was held longer than the liveness timeout (" + NetServerContext.LIVENESS_TIMEOUT_MS_PROP_NAME +
                    ", " + NetServerContext.livenessTimeoutMs() + " ms here; docs/network.md, \"A lost Aeron client\"); the rounds named " +
                    "ROUND FAILED above say nothing of the network path's latency, the others stand";
            }
        }
        return null;
    }

    /** The daemon's events taken in so far, all partitions, from its counters ({@code sluice stat}); -1 if unreadable. */
    private static long eventsIn(final Path data) throws IOException, InterruptedException
    {
        final Child stat = Child.start("stat", List.of("-Xmx64m"), "io.sluice.ops.SluiceMain",
            List.of("stat", "--dir", data.toString(), "--filter", "events-in"), false);
        stat.waitFor(60);
        long events = 0;
        boolean found = false;
        for (final String line : stat.lines(l -> EVENTS_IN.matcher(l).find()))
        {
            final java.util.regex.Matcher matcher = EVENTS_IN.matcher(line);
            if (matcher.find())
            {
                events += Long.parseLong(matcher.group(1).replace(",", ""));
                found = true;
            }
        }
        return found ? events : -1;
    }

    private static String config(final Path data, final String serverUdp, final String wait, final String profile, final String netThread,
        final String netWarmUp)
    {
        final String threads = "low-latency".equals(profile) ? "profile: low-latency\n" :
            "wait_strategy: " + wait + "\nthreading_mode: shared\n";
        return """
            data_dir: %1$s
            partitions: 1
            processing_threads: 1
            %2$slatency_recording: false
            network_warm_up: %5$s
            checkpoint:
              interval: 0
            jmx:
              enabled: false
            schemas:
              trade: {account: LONG, amount: DOUBLE, seq: LONG, ts: TIMESTAMP}
            pipelines:
              - name: relay
                source: trades
                schema: trade
                partition_key: account
                event_time: ts
                filter: amount >= 0
                sink: results
            sinks:
              results: {type: journal}
            ingress:
              - type: aeron
                channel: aeron:ipc
                thread: %4$s
              - type: aeron
                channel: %3$s
                thread: %4$s
            egress:
              - type: aeron
                channel: aeron:ipc
                thread: %4$s
              - type: aeron
                channel: %3$s
                thread: %4$s
            """.formatted(data, threads, serverUdp, netThread, netWarmUp);
    }

    /** {@code jvmLog}: where each child JVM logs its GC pauses, safepoints and JIT compilations, if anywhere. */
    private record JvmLog(String directory)
    {
        /**
         * A child's JVM flags, with its log's if asked for.
         *
         * @param child of the run, names its log file.
         * @param flags the child's own.
         * @return the flags.
         */
        List<String> flags(final String child, final String... flags)
        {
            final List<String> all = new ArrayList<>(List.of(flags));
            if (!directory.isEmpty())
            {
                final Path file = Path.of(directory).toAbsolutePath().resolve(child + "-jvm.log");
                all.add("-Xlog:gc,safepoint,jit+compilation=debug:file=" + file + ":utctime,uptime,tid,tags");
            }
            return all;
        }
    }

    private static String udp(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A child JVM on this JVM's class path with the project's flags; its output kept and echoed. */
    private static final class Child
    {
        private final String name;
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private Child(final String name, final Process process, final boolean echo)
        {
            this.name = name;
            this.process = process;
            this.reader = new Thread(() -> copy(echo), "net-latency-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(final String name, final List<String> jvmArgs, final String mainClass, final List<String> args,
            final boolean echo) throws IOException
        {
            final List<String> argv = new ArrayList<>();
            argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            argv.addAll(Machine.sluiceFlags());
            argv.addAll(jvmArgs);
            argv.add("-cp");
            argv.add(System.getProperty("java.class.path"));
            argv.add(mainClass);
            argv.addAll(args);
            argv.removeIf(String::isEmpty);
            return new Child(name, new ProcessBuilder(argv).redirectErrorStream(true).start(), echo);
        }

        private void copy(final boolean echo)
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line = in.readLine(); line != null; line = in.readLine())
                {
                    lines.add(line);
                    if (echo)
                    {
                        System.out.println(line);
                    }
                }
            }
            catch (final IOException ex)
            {
                lines.add("(output stream failed: " + ex + ")");
            }
        }

        void await(final Predicate<String> condition, final String what) throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (lines.stream().noneMatch(condition))
            {
                if (!process.isAlive() || System.currentTimeMillis() > deadline)
                {
                    throw new IllegalStateException(what + " did not start" + (process.isAlive() ? " within " +
                        TimeUnit.MILLISECONDS.toSeconds(START_TIMEOUT_MS) + " s" : " (exit code " + process.exitValue() + ")") +
                        "; its output:\n" + String.join("\n", lines));
                }
                Thread.sleep(20);
            }
        }

        long pid()
        {
            return process.pid();
        }

        List<String> lines(final Predicate<String> filter)
        {
            return lines.stream().filter(filter).toList();
        }

        int waitFor(final long timeoutSec) throws InterruptedException
        {
            if (!process.waitFor(timeoutSec, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(name + " killed after " + timeoutSec + " s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        }

        /** SIGTERM (the daemon shuts down cleanly), then SIGKILL if it is still there after a minute. */
        void stop() throws InterruptedException
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }
}
