package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.ops.jmx.JmxClient;

/**
 * The daemon test with real processes: a {@code sluice run} process with Aeron ingress and
 * egress on loopback UDP; the test publishes over Aeron with JOURNALED acks, consumes with two groups
 * (one of two members), abandons one member and sees its partitions move to the other without loss,
 * stops the daemon with SIGTERM (exit 0, final checkpoint), restarts it and finds it recovered from
 * that checkpoint, serving the same data from the committed offsets.
 */
class DaemonAeronProcessTest
{
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 2_000;
    /** How long a step may take on a busy machine before the test fails: a bound for a hang, never a measurement. */
    private static final int DEADLINE_MS = 60_000;
    /** Session timeout of a member the test never means to evict: longer than any pause of a busy machine. */
    private static final int STAYING_MS = 60_000;
    /** Session timeout of the member that goes silent: its eviction is awaited, so short. */
    private static final int LEAVING_MS = 2_000;
    private static final String TOPIC = "trades";
    /** The YAML schema below, field for field. */
    private static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("seq").timestampField("ts").build();

    @TempDir
    Path dir;

    private static String config(final String channel)
    {
        return """
            data_dir: data
            partitions: 4
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade: {account: LONG, amount: DOUBLE, seq: LONG, ts: TIMESTAMP}
            pipelines:
              - name: big
                source: trades
                schema: trade
                partition_key: account
                event_time: ts
                filter: amount >= 500
                sink: big
            sinks:
              big: {type: journal}
            ingress:
              - type: aeron
                channel: %1$s
                heartbeat_interval: 100ms
            egress:
              - type: aeron
                channel: %1$s
                heartbeat_interval: 100ms
            """.formatted(channel);
    }

    @Test
    void shouldServeOverAeronIpcUnderTheLowLatencyProfileWithTheMediaDriverInvokedOnTheDutiesThread() throws Exception
    {
        final String channel = "aeron:ipc";
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config(channel).replace("wait_strategy: sleep", "profile: low-latency"));
        final Path data = dir.resolve("data");
        final String aeronDir = data.resolve("aeron").toString();
        final UnsafeBuffer event = new UnsafeBuffer(new byte[TRADE.length()]);

        // The network warm-up's scratch daemon lives in the process's temporary directory: this one, to see it go.
        final Path tmp = Files.createDirectories(dir.resolve("tmp"));

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("ll.log"), List.of("-Djava.io.tmpdir=" + tmp)))
        {
            daemon.awaitRunning();
            assertThat(daemon.log()).as("the profile warms the network path up (network_warm_up: 10s by default) before it starts")
                .containsPattern("ingress\\[0\\]: network warm-up: [0-9,]+ synthetic events over Aeron IPC through a scratch daemon")
                .contains("nothing of it is kept")
                .as("and collects its start-up garbage before it runs")
                .containsPattern("start-up garbage collected before running \\(after the network warm-up\\): heap in use [0-9,]+ MB -> " +
                    "[0-9,]+ MB in [0-9,]+ ms");
            // (the temporary directory also holds the CPU locks of the profile's pinned threads: OpenHFT affinity's)
            assertThat(listed(tmp)).as("the warm-up's scratch daemon deleted").noneMatch(name -> name.startsWith("sluice-net-warm-up"));
            assertThat(listed(data)).as("nothing of the warm-up in the daemon's data directory").noneMatch(name -> name.contains("warm"));
            assertThat(daemon.log()).contains("profile low-latency")
                .containsPattern("started aeron-ingress aeron:ipc stream 1001: duty on \\S+.*; media driver in INVOKER mode on the same thread")
                .containsPattern("started aeron-egress aeron:ipc stream 1002: duty on \\S+.*; media driver in INVOKER mode on the same thread");
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceProducer producer = SluiceProducer.connect(client(aeron, channel, 4101), TOPIC);
                SluiceConsumer audit = SluiceConsumer.connect(client(aeron, channel, 4102), TOPIC, "audit", "audit-1", STAYING_MS))
            {
                final Collector seen = new Collector();
                publish(producer, event, 1, EVENTS / 4, audit, seen);
                pollUntil(() -> seen.seen.cardinality() == EVENTS / 4, "every event consumed", audit, seen);
                assertThat(seen.seen.nextClearBit(1)).isEqualTo(EVENTS / 4 + 1);
                assertThat(audit.commitSync(DEADLINE_MS)).isTrue();
                assertThat(aeronClients(aeron)).as("Aeron clients of the daemon's media driver: the daemon's one, shared by its " +
                    "ingress and egress items, and this test's").isEqualTo(2);
            }
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
            assertThat(daemon.log()).contains("final checkpoint").contains("stopped");
        }
    }

    /** Every file and directory under a directory, as paths relative to it. */
    private static List<String> listed(final Path root) throws IOException
    {
        try (java.util.stream.Stream<Path> paths = Files.walk(root))
        {
            return paths.filter(path -> !path.equals(root)).map(path -> root.relativize(path).toString()).toList();
        }
    }

    /** The clients the media driver counts: one heartbeat counter per connected client. */
    private static int aeronClients(final Aeron aeron)
    {
        final int[] clients = {0};
        aeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == AeronCounters.DRIVER_HEARTBEAT_TYPE_ID)
            {
                clients[0]++;
            }
        });
        return clients[0];
    }

    @Test
    void shouldServeAeronProducersAndGroupsStopOnSigtermAndRecoverOnRestart() throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config(channel));
        final Path data = dir.resolve("data");
        final String aeronDir = data.resolve("aeron").toString();
        final UnsafeBuffer event = new UnsafeBuffer(new byte[TRADE.length()]);

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run1.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            assertThat(daemon.log()).contains("started aeron-ingress " + channel).contains("started aeron-egress " + channel);
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceProducer producer = SluiceProducer.connect(client(aeron, channel, 4001), TOPIC);
                SluiceConsumer audit = SluiceConsumer.connect(client(aeron, channel, 4002), TOPIC, "audit", "audit-1", STAYING_MS);
                SluiceConsumer risk1 = SluiceConsumer.connect(client(aeron, channel, 4003), TOPIC, "risk", "risk-1", STAYING_MS))
            {
                final SluiceConsumer risk2 = SluiceConsumer.connect(client(aeron, channel, 4004), TOPIC, "risk", "risk-2", LEAVING_MS);
                final Collector auditSeen = new Collector();
                final Collector risk1Seen = new Collector();
                final Collector risk2Seen = new Collector();
                pollUntil(() -> risk1.ownedCount() == PARTITIONS / 2 && risk2.ownedCount() == PARTITIONS / 2,
                    "risk members share the partitions", audit, auditSeen, risk1, risk1Seen, risk2, risk2Seen);

                publish(producer, event, 1, EVENTS / 2, audit, auditSeen, risk1, risk1Seen, risk2, risk2Seen);
                pollUntil(() -> auditSeen.seen.cardinality() == EVENTS / 2 && risk1Seen.records + risk2Seen.records == EVENTS / 2,
                    "first half consumed", audit, auditSeen, risk1, risk1Seen, risk2, risk2Seen);
                assertThat(risk2Seen.records).isPositive();
                assertThat(risk2.commitSync(DEADLINE_MS)).isTrue();
                final BitSet committedByRisk2 = (BitSet)risk2Seen.seen.clone();

                // risk-2 dies: no LEAVE, no commit, silent; evicted after its session timeout.
                publish(producer, event, EVENTS / 2 + 1, EVENTS / 2, audit, auditSeen, risk1, risk1Seen);
                risk2.poll(risk2Seen, 50);
                risk2.abandon();
                pollUntil(() -> risk1.ownedCount() == PARTITIONS, "risk-1 takes over every partition", audit, auditSeen, risk1, risk1Seen);
                final BitSet risk = new BitSet();
                pollUntil(() ->
                {
                    risk.clear();
                    risk.or(risk1Seen.seen);
                    risk.or(committedByRisk2);
                    return risk.cardinality() == EVENTS && auditSeen.seen.cardinality() == EVENTS;
                }, "every event consumed by each group", audit, auditSeen, risk1, risk1Seen);
                assertThat(auditSeen.records).isEqualTo(EVENTS);
                assertThat(audit.commitSync(DEADLINE_MS)).isTrue();
                assertThat(risk1.commitSync(DEADLINE_MS)).isTrue();

                try (JmxClient jmx = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
                {
                    final Map<String, Long> counters = componentCounters(jmx);
                    assertThat(counters).containsEntry("net-events-in: ingress[0]", (long)EVENTS);
                    assertThat(counters.get("net-records-out: egress[0]")).isGreaterThanOrEqualTo(2L * EVENTS);
                    assertThat(counters.get("net-commits: egress[0]")).isGreaterThanOrEqualTo(3L);
                }
                assertThat(DaemonProcessTest.sluice("stat", "--dir", data.toString()))
                    .contains("net-events-in: ingress[0]").contains("net-records-out: egress[0]");
            }

            assertThat(daemon.terminate()).as(daemon.log()).isZero();
            assertThat(daemon.log()).contains("final checkpoint").contains("stopped");
            assertThat(daemon.log().indexOf("closed aeron-ingress")).isLessThan(daemon.log().lastIndexOf("final checkpoint"));
        }
        assertThat(MarkFile.read(data).state()).isEqualTo(MarkFile.STOPPED);
        try (var manifests = Files.list(data.resolve("checkpoints")))
        {
            assertThat(manifests.filter(p -> p.toString().endsWith(".manifest")).count()).isPositive();
        }

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run2.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            try (JmxClient jmx = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                assertThat(String.join("\n", jmx.engine().getRecoveryEvents())).containsIgnoringCase("checkpoint");
                assertThat(jmx.engine().getRecoveryEvents()).noneMatch(e -> e.contains("no usable checkpoint"));
            }
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceConsumer audit = SluiceConsumer.connect(client(aeron, channel, 4002), TOPIC, "audit", "audit-1", STAYING_MS);
                SluiceConsumer replay = SluiceConsumer.connect(client(aeron, channel, 4005), TOPIC, "replay", "replay-1", STAYING_MS))
            {
                final Collector auditSeen = new Collector();
                final Collector replaySeen = new Collector();
                pollUntil(() -> replaySeen.seen.cardinality() == EVENTS, "a new group reads everything again",
                    audit, auditSeen, replay, replaySeen);
                assertThat(replaySeen.records).isEqualTo(EVENTS);
                assertThat(auditSeen.records).as("audit resumes at its commit from before the restart").isZero();

                try (SluiceProducer producer = SluiceProducer.connect(client(aeron, channel, 4001), TOPIC))
                {
                    publish(producer, event, EVENTS + 1, 1);
                }
                pollUntil(() -> auditSeen.records == 1, "audit receives only the new event", audit, auditSeen, replay, replaySeen);
                assertThat(auditSeen.seen.get(EVENTS + 1)).isTrue();
            }
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
    }

    /**
     * A commit answered COMMITTED is durable: the daemon killed with SIGKILL right after the answer, a member of the
     * group in the restarted daemon resumes exactly at the committed positions. The answer came from the background
     * writer's store (the egress item's line in {@code NetworkStatus} counts it).
     */
    @Test
    void shouldKeepACommitAnsweredCommittedWhenTheDaemonIsKilled() throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config(channel));
        final Path data = dir.resolve("data");
        final String aeronDir = data.resolve("aeron").toString();
        final UnsafeBuffer event = new UnsafeBuffer(new byte[TRADE.length()]);
        final long[] committed = new long[PARTITIONS];

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("killed.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceProducer producer = SluiceProducer.connect(client(aeron, channel, 4201), TOPIC);
                SluiceConsumer audit = SluiceConsumer.connect(client(aeron, channel, 4202), TOPIC, "audit", "audit-1", STAYING_MS))
            {
                final Collector seen = new Collector();
                publish(producer, event, 1, EVENTS / 4, audit, seen);
                pollUntil(() -> seen.seen.cardinality() == EVENTS / 4, "every event consumed", audit, seen);
                for (int p = 0; p < PARTITIONS; p++)
                {
                    committed[p] = audit.position(p);
                }
                assertThat(audit.commitSync(DEADLINE_MS)).isTrue();
                try (JmxClient jmx = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
                {
                    pollUntil(() -> java.util.Arrays.asList(jmx.components().getNetworkStatus()).contains(
                        "egress[0]: UP; commits: 0 pending, 1 stores (longest " + longestStoreMs(jmx) + " ms), 0 failed"),
                        "the egress item's status line counts the commit's store");
                }
                daemon.kill(); // SIGKILL: no graceful stop, nothing stored on the way out
            }
        }

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("restarted.log")))
        {
            daemon.awaitRunning();
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceConsumer audit = SluiceConsumer.connect(client(aeron, channel, 4203), TOPIC, "audit", "audit-2", STAYING_MS))
            {
                final Collector seen = new Collector();
                pollUntil(() -> audit.ownedCount() == PARTITIONS, "the new member owns every partition", audit, seen);
                for (int p = 0; p < PARTITIONS; p++)
                {
                    assertThat(audit.position(p)).as("partition %d resumes at the commit answered before the kill", p).isEqualTo(committed[p]);
                }
            }
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
    }

    /** The longest store as the status line prints it (one decimal), read from the counters. */
    private static String longestStoreMs(final JmxClient jmx)
    {
        try
        {
            final Long us = componentCounters(jmx).get("net-commit-store-max-us: egress[0]");
            return us == null ? "?" : String.format(java.util.Locale.ROOT, "%.1f", us / 1000.0);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static ClientContext client(final Aeron aeron, final String channel, final int responseStreamId)
    {
        return new ClientContext().aeron(aeron).serverChannel(channel).responseChannel("aeron:ipc")
            .responseStreamId(responseStreamId).connectTimeoutMs(DEADLINE_MS);
    }

    /**
     * Publishes and awaits the acknowledgements while the given consumers (consumer, collector pairs) go on
     * polling, and so heartbeating: on a busy machine publishing can outlast a session timeout, and a member
     * evicted meanwhile would see records twice.
     */
    private static void publish(final SluiceProducer producer, final UnsafeBuffer event, final long first, final int count,
        final Object... consumers)
    {
        final EventFlyweight view = new EventFlyweight(TRADE);
        for (long seq = first; seq < first + count; seq++)
        {
            view.wrapForWrite(event, 0).putLong(0, seq % 97).putDouble(1, seq).putLong(2, seq).putLong(3, 1_000 + seq);
            final long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (producer.offer(event, 0, Durability.JOURNALED) < 0)
            {
                producer.poll();
                pollAll(consumers);
                assertThat(System.currentTimeMillis()).as("offer of seq " + seq).isLessThan(deadline);
            }
            if ((seq & 63) == 0)
            {
                pollAll(consumers);
            }
        }
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (producer.journaledSequence() < producer.lastSequence())
        {
            assertThat(System.currentTimeMillis()).as("acknowledged " + producer.journaledSequence() + " of " + producer.lastSequence())
                .isLessThan(deadline);
            producer.poll();
            pollAll(consumers);
            Thread.onSpinWait();
        }
    }

    private static void pollUntil(final java.util.function.BooleanSupplier done, final String what, final Object... consumers)
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!done.getAsBoolean())
        {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            pollAll(consumers);
        }
    }

    private static void pollAll(final Object... consumers)
    {
        for (int i = 0; i < consumers.length; i += 2)
        {
            ((SluiceConsumer)consumers[i]).poll((Collector)consumers[i + 1], 256);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> componentCounters(final JmxClient jmx) throws Exception
    {
        final TabularData table = (TabularData)jmx.connection().getAttribute(new ObjectName("io.sluice:type=Components"), "Counters");
        final Map<String, Long> values = new java.util.HashMap<>();
        for (final CompositeData row : (java.util.Collection<CompositeData>)table.values())
        {
            values.put((String)row.get("key"), (Long)row.get("value"));
        }
        return values;
    }

    static int freeUdpPort()
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

    /** Sequences seen (the event's seq field) and records received. */
    private static final class Collector implements RecordListener
    {
        final BitSet seen = new BitSet();
        final EventFlyweight view = new EventFlyweight(TRADE);
        long records;

        @Override
        public void onRecord(final int partition, final long offset, final long timestamp, final long key, final DirectBuffer buffer,
            final int payloadOffset, final int payloadLength)
        {
            seen.set((int)view.wrap(buffer, payloadOffset).getLong(2));
            records++;
        }
    }
}
