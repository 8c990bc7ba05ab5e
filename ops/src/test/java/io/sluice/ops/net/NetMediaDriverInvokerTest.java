package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.ThreadingMode;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;

/**
 * The embedded media driver in Aeron's INVOKER mode: no thread of its own, its duty cycle run by the
 * server's duty on the engine's shared duties thread; producers and consumers in another Aeron client
 * are served over real Aeron IPC all the same.
 */
class NetMediaDriverInvokerTest
{
    private static final int EVENTS = 500;

    @TempDir
    Path dir;

    @Test
    void shouldServeProducersAndConsumersOverIpcWithTheDriverInvokedOnTheDutiesThreadAndNoThreadOfItsOwn() throws Exception
    {
        final Set<String> startedByServer = serveAndCollectNewThreads(true);

        assertThat(startedByServer).as("threads the server and its driver started").isEmpty();
    }

    @Test
    void shouldStartADriverThreadOutsideInvokerMode() throws Exception
    {
        final Set<String> startedByServer = serveAndCollectNewThreads(false);

        assertThat(startedByServer).as("the SHARED driver's own thread").isNotEmpty();
    }

    private Set<String> serveAndCollectNewThreads(final boolean invoker) throws Exception
    {
        final Pipeline pipeline = Pipeline.from(NetFixture.TOPIC, NetFixture.TRADE).name(NetFixture.PIPELINE).partitionKey("account")
            .eventTime("ts", 0).sink("none", (partition, sequence, key, timestamp, event) -> { }).build();
        final String aeronDir = dir.resolve(invoker ? "aeron-invoker" : "aeron-shared").toString();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve(invoker ? "data-invoker" : "data-shared"))
            .partitions(2).ringSize(1024).journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP)
            .threadingMode(ThreadingMode.SHARED).checkpoints(false), List.of(pipeline)))
        {
            final Set<String> before = threadNames();
            final NetServer server = NetServer.launch(new NetServerContext().engine(engine).aeronDirectoryName(aeronDir)
                .channel("aeron:ipc").termBufferLength(256 * 1024).heartbeatIntervalMs(100).mediaDriverInvoker(invoker));
            Aeron aeron = null;
            try
            {
                final Set<String> started = threadNames();
                started.removeAll(before);
                assertThat(server.placement()).contains(invoker ? "media driver in INVOKER mode on the same thread" : "SHARED")
                    .contains("duty on " + server.threadName());
                aeron = ClientAeron.connect(aeronDir);
                publishAndConsume(aeron);
                return started;
            }
            finally
            {
                CloseHelper.quietCloseAll(aeron, server);
            }
        }
    }

    private static void publishAndConsume(final Aeron aeron)
    {
        final ClientContext producerContext = new ClientContext().aeron(aeron).serverChannel("aeron:ipc").responseChannel("aeron:ipc")
            .responseStreamId(5001).connectTimeoutMs(NetIngressTest.DEADLINE_MS);
        final ClientContext consumerContext = new ClientContext().aeron(aeron).serverChannel("aeron:ipc").responseChannel("aeron:ipc")
            .responseStreamId(5002).connectTimeoutMs(NetIngressTest.DEADLINE_MS);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[NetFixture.TRADE.length()]);
        final EventFlyweight view = new EventFlyweight(NetFixture.TRADE);
        try (SluiceProducer producer = SluiceProducer.connect(producerContext, NetFixture.TOPIC);
            SluiceConsumer consumer = SluiceConsumer.connect(consumerContext, NetFixture.TOPIC, "audit", "audit-1", 60_000))
        {
            for (int seq = 1; seq <= EVENTS; seq++)
            {
                view.wrapForWrite(event, 0).putLong(0, seq % 13).putDouble(1, seq).putLong(2, seq).putLong(3, 1_000L + seq);
                final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
                while (producer.offer(event, 0, Durability.JOURNALED) < 0)
                {
                    producer.poll();
                    assertThat(System.currentTimeMillis()).as("offer of seq " + seq).isLessThan(deadline);
                }
            }
            assertThat(producer.awaitAcknowledged(producer.lastSequence(), Durability.JOURNALED, NetIngressTest.DEADLINE_MS)).isTrue();

            final BitSet seen = new BitSet();
            final RecordListener listener = (partition, offset, timestamp, key, buffer, at, length) ->
                seen.set((int)new EventFlyweight(NetFixture.TRADE).wrap(buffer, at).getLong(2));
            final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while (seen.cardinality() < EVENTS)
            {
                consumer.poll(listener, 256);
                assertThat(System.currentTimeMillis()).as("consumed " + seen.cardinality() + " of " + EVENTS).isLessThan(deadline);
            }
            assertThat(seen.nextClearBit(1)).isEqualTo(EVENTS + 1);
        }
    }

    private static Set<String> threadNames()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .collect(Collectors.toCollection(java.util.HashSet::new));
    }
}
