package io.sluice.ops.net;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.sluice.client.ClientContext;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.JitQuiet;
import io.sluice.ops.daemon.Daemon;
import io.sluice.ops.daemon.DaemonConfig;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The JIT warm-up of the daemon's network path ({@code network_warm_up}): before the daemon's engine launches, a
 * scratch daemon in a temporary directory (one partition, one processing thread, the live daemon's profile, wait
 * strategy and threading, a filter pipeline into a {@code journal} sink, an Aeron IPC ingress and egress on the
 * thread the live items run on) takes synthetic events from a producer and serves their results to a consumer
 * group, both in this process, until the JIT has compiled nothing for {@value #QUIET_MS} ms (after at least
 * {@value #MIN_EVENTS} events) or the time allowed runs out. Then the scratch daemon closes and its directory is
 * deleted: nothing reaches the live daemon's data, journal, outputs or counters.
 *
 * <p>What it compiles: the code every network item runs per message and per turn, whatever the medium: the ingress
 * adapter's poll and PUBLISH handling, the producer session's ACKs, the partition thread's journal append and
 * dispatch, the output journal's sink, the egress adapter's RECORD frames and the consumer session's reads, the Aeron
 * client's conductor and the media driver's IPC duties. A fresh daemon compiled about 265 methods in its first second
 * of network traffic (perf/README.md section 73), the slowest seconds of its life. Not compiled: the media driver's
 * UDP sender and receiver (the scratch runs over IPC) and the live pipelines' own stages (the low-latency profile's
 * engine warm-up runs those).
 *
 * <p>The synthetic traffic is paced like a client's ({@value #RATE} events a second, one PUBLISH each, acknowledged
 * at JOURNALED), not a flood: the JIT compiles the branches live traffic takes.
 *
 * <p>Threading: the daemon's control thread (the scratch daemon runs its own threads, closed before this returns).
 */
final class NetWarmUp
{
    /** Events a second the warm-up's producer sends. */
    static final int RATE = 20_000;
    /** The JIT counts as done once it has compiled nothing for this long. */
    static final long QUIET_MS = 500;
    /** Events sent before the JIT's quiet counts: enough for the per-event methods to reach C2 (about 10,000 calls). */
    static final int MIN_EVENTS = 30_000;

    private static final String TOPIC = "warm_up_in";
    private static final String RESULTS = "warm_up_out";
    private static final Schema EVENT = Schema.builder("warm_up_event")
        .longField("account").doubleField("amount").longField("seq").timestampField("ts").build();
    private static final int CONSUMER_SESSION_TIMEOUT_MS = 60_000;
    private static final long CHECK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The scratch clients' response streams: any two the scratch daemon does not use. */
    private static final int PRODUCER_RESPONSE_STREAM = 2001;
    private static final int CONSUMER_RESPONSE_STREAM = 2002;

    private final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT.length()]);
    private final EventFlyweight writer = new EventFlyweight(EVENT);
    private long results;

    private NetWarmUp()
    {
        writer.wrapForWrite(event, 0);
    }

    /**
     * Runs the warm-up.
     *
     * @param config        of the live daemon: its profile, wait strategy, threading and latency recording.
     * @param onProcessing  whether the live network items run on the processing thread ({@code thread: processing}).
     * @param maxMillis     the longest the traffic may run.
     * @param stopRequested polled: true ends the traffic early.
     * @return what was done, one line.
     */
    static String run(final DaemonConfig config, final boolean onProcessing, final long maxMillis, final BooleanSupplier stopRequested)
    {
        final Path scratch;
        try
        {
            scratch = Files.createTempDirectory("sluice-net-warm-up-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the network warm-up's scratch directory: " + ex.getMessage(), ex);
        }
        try
        {
            final DaemonConfig scratchConfig = DaemonConfig.parse(config(config, onProcessing, scratch), "network warm-up", scratch);
            final Daemon daemon = Daemon.start(scratchConfig, new PrintWriter(Writer.nullWriter()), stopRequested);
            try
            {
                return new NetWarmUp().drive(scratch.resolve(AeronDirectory.DEFAULT_NAME).toString(), maxMillis, stopRequested);
            }
            finally
            {
                daemon.close();
            }
        }
        finally
        {
            IoUtil.delete(scratch.toFile(), true);
        }
    }

    /**
     * The scratch daemon's configuration: the live daemon's threading, one IPC ingress and egress on the live
     * items' thread, no JMX, no checkpoints but the final one, a short drain.
     */
    static String config(final DaemonConfig live, final boolean onProcessing, final Path scratch)
    {
        final StringBuilder threads = new StringBuilder();
        if (live.profile() == EngineProfile.LOW_LATENCY)
        {
            threads.append("profile: low-latency\n");
        }
        else
        {
            threads.append("wait_strategy: ").append(live.waitStrategy().name().toLowerCase(Locale.ROOT)).append('\n');
            if (live.threadingMode() != null)
            {
                threads.append("threading_mode: ").append(live.threadingMode().name().toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        final String thread = onProcessing ? "processing" : "duties";
        return """
            data_dir: %1$s
            partitions: 1
            processing_threads: 1
            %2$slatency_recording: %3$s
            network_warm_up: 0
            drain_timeout: 5s
            checkpoint:
              interval: 0
            jmx:
              enabled: false
            schemas:
              warm_up_event: {account: LONG, amount: DOUBLE, seq: LONG, ts: TIMESTAMP}
            pipelines:
              - name: warm_up
                source: %5$s
                schema: warm_up_event
                partition_key: account
                event_time: ts
                filter: amount >= 0
                sink: %6$s
            sinks:
              %6$s: {type: journal}
            ingress:
              - type: aeron
                channel: aeron:ipc
                thread: %4$s
            egress:
              - type: aeron
                channel: aeron:ipc
                thread: %4$s
            """.formatted(scratch, threads, live.latencyRecording(), thread, TOPIC, RESULTS);
    }

    /**
     * Sends paced events and reads their ACKs and results until the JIT is quiet, the time is up or a stop is asked.
     */
    private String drive(final String aeronDirectory, final long maxMillis, final BooleanSupplier stopRequested)
    {
        final long startNs = System.nanoTime();
        final JitQuiet jit = new JitQuiet(TimeUnit.MILLISECONDS.toNanos(QUIET_MS));
        final RecordListener onResult = (partition, offset, timestamp, key, buffer, at, length) -> results++;
        Aeron aeron = null;
        SluiceProducer producer = null;
        SluiceConsumer consumer = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory));
            final ClientContext producerContext = new ClientContext().aeron(aeron).serverChannel("aeron:ipc").responseChannel("aeron:ipc")
                .responseStreamId(PRODUCER_RESPONSE_STREAM);
            producer = SluiceProducer.connect(producerContext, TOPIC);
            final ClientContext consumerContext = new ClientContext().aeron(aeron).serverChannel("aeron:ipc").responseChannel("aeron:ipc")
                .responseStreamId(CONSUMER_RESPONSE_STREAM);
            consumer = SluiceConsumer.connect(consumerContext, RESULTS, "warm-up", "warm-up-1", CONSUMER_SESSION_TIMEOUT_MS);
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE;
            final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(maxMillis);
            long sent = 0;
            long nextSendNs = System.nanoTime();
            long nextCheckNs = nextSendNs + CHECK_NS;
            boolean quiet = false;
            while (!quiet)
            {
                final long now = System.nanoTime();
                int work = 0;
                if (now - nextSendNs >= 0)
                {
                    writer.putLong(0, sent & 1023).putDouble(1, sent & 7).putLong(2, sent).putLong(3, System.currentTimeMillis());
                    if (producer.offer(event, 0, Durability.JOURNALED) > 0)
                    {
                        sent++;
                        nextSendNs += intervalNs;
                        work++;
                    }
                }
                if (now - nextCheckNs >= 0)
                {
                    nextCheckNs = now + CHECK_NS;
                    quiet = jit.quiet() && sent >= MIN_EVENTS;
                    if (now - deadlineNs >= 0 || stopRequested.getAsBoolean())
                    {
                        break;
                    }
                }
                work += producer.poll() + consumer.poll(onResult, 64);
                if (work == 0)
                {
                    Thread.yield(); // as a client on a machine of few cores: the scratch daemon's threads need the CPU
                }
            }
            return String.format(Locale.ROOT, "network warm-up: %,d synthetic events over Aeron IPC through a scratch daemon (ingress, " +
                "journal, pipeline, journal sink, egress) in %,d ms, %,d acknowledged, %,d results read; %s; JIT compilation time " +
                "%,d ms during it; nothing of it is kept", sent, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                producer.journaledSequence(), results, quiet ? "the JIT then compiled nothing for " + QUIET_MS + " ms" :
                "stopped at the " + maxMillis + " ms allowed (network_warm_up) with the JIT still compiling", jit.compiledMillisSinceStart());
        }
        finally
        {
            CloseHelper.quietCloseAll(consumer, producer, aeron);
        }
    }
}
