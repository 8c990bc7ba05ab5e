package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.engine.runtime.EngineDuty;
import io.sluice.engine.runtime.ThreadingMode;
import io.sluice.journal.Topic;

/**
 * The server's Aeron client dies for real, and the server says so and comes back: its media driver (a
 * driver of its own, as with {@code embedded_media_driver: false}) stops and starts again; or the duties
 * thread its conductor runs on is held past the driver's client liveness timeout. Nothing acknowledged
 * before the loss is lost, a producer whose session died with the server's client learns it
 * ({@link SluiceProducer#sessionLost()}), and a producer that connects again is acknowledged JOURNALED.
 */
@Timeout(300)
class NetClientLossTest
{
    private static final long DEADLINE_MS = NetIngressTest.DEADLINE_MS;

    @TempDir
    Path dir;

    private MediaDriver driver;

    @AfterEach
    void closeDriver()
    {
        CloseHelper.quietClose(driver);
    }

    @Test
    void shouldSayTheClientIsDownWhileItsMediaDriverIsGoneAndServeAgainOnceTheDriverIsBack()
    {
        final String aeronDir = dir.resolve("driver").toString();
        driver = launchDriver(aeronDir, TimeUnit.SECONDS.toNanos(10));
        try (NetFixture fixture = new NetFixture(dir, 2, 1024, context -> context.embeddedMediaDriver(false).aeronDirectoryName(aeronDir)))
        {
            final NetServer server = fixture.server;
            try (SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC))
            {
                NetIngressTest.publish(producer, 1, 100, Durability.JOURNALED);
                assertThat(producer.awaitAcknowledged(100, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            }
            assertThat(server.clientUp()).isTrue();
            assertThat(server.counters().clientLosses()).isZero();

            driver.close();
            NetFixture.await(() -> !server.clientUp(), "the server sees its Aeron client die with the driver");
            assertThat(server.counters().clientLosses()).isEqualTo(1);
            assertThat(String.join("\n", fixture.errorLog())).contains("its Aeron client died").contains(aeronDir);

            driver = launchDriver(aeronDir, TimeUnit.SECONDS.toNanos(10));
            NetFixture.await(server::clientUp, "the server reconnects to the driver that is back");
            assertThat(server.counters().clientLosses()).isEqualTo(1);
            publishAgain(fixture, aeronDir, 3102, 100);
            assertJournaled(fixture, 200);
        }
    }

    @Test
    void shouldReplaceAClientWhoseConductorWasStarvedPastTheDriversClientLivenessTimeout()
    {
        final String aeronDir = dir.resolve("driver").toString();
        final long livenessNs = TimeUnit.SECONDS.toNanos(2);
        driver = launchDriver(aeronDir, livenessNs);
        try (NetFixture fixture = new NetFixture(dir, 2, 1024, engine -> engine.threadingMode(ThreadingMode.SHARED),
            context -> context.embeddedMediaDriver(false).aeronDirectoryName(aeronDir)))
        {
            final NetServer server = fixture.server;
            final AtomicBoolean hold = new AtomicBoolean();
            final EngineDuty starving = fixture.engine.addDuty(new HoldingDuty(hold, TimeUnit.NANOSECONDS.toMillis(3 * livenessNs)), 100_000);
            try (Aeron aeron = ClientAeron.connect(aeronDir);
                SluiceProducer before = SluiceProducer.connect(new ClientContext().aeron(aeron).serverChannel(fixture.channel)
                    .responseChannel("aeron:ipc").responseStreamId(3104).connectTimeoutMs(DEADLINE_MS), NetFixture.TOPIC);
                SluiceConsumer consumer = SluiceConsumer.connect(new ClientContext().aeron(aeron).serverChannel(fixture.channel)
                    .responseChannel("aeron:ipc").responseStreamId(3105).connectTimeoutMs(DEADLINE_MS), NetFixture.TOPIC, "lost", "c-1",
                    60_000))
            {
                NetIngressTest.publish(before, 1, 10, Durability.JOURNALED);
                assertThat(before.awaitAcknowledged(10, Durability.JOURNALED, DEADLINE_MS)).isTrue();
                assertThat(before.sessionLost()).as("a served session is not lost").isFalse();
                assertThat(consumer.sessionLost()).as("a served consumer session is not lost").isFalse();
                assertThat(starving.threadName()).as("the holding duty shares the server's thread").isEqualTo(server.threadName());
                hold.set(true);
                NetFixture.await(() -> server.counters().clientLosses() > 0, "the starved client dies once its thread runs again");
                NetFixture.await(server::clientUp, "the server reconnects");
                // The server's sessions died with its client: the producer connected before learns it, though it sent nothing since.
                NetFixture.await(() ->
                {
                    before.poll();
                    return before.sessionLost();
                }, "the producer of the lost session sees its response stream gone");
                NetFixture.await(() ->
                {
                    consumer.poll((p, o, t, k, buffer, at, l) -> { }, 16);
                    return consumer.sessionLost();
                }, "the consumer of the lost session sees its response stream gone");
                assertThat(String.join("\n", fixture.errorLog())).contains("its Aeron client died");
                publishAgain(fixture, aeronDir, 3103, 100);
                assertJournaled(fixture, 110);
            }
            finally
            {
                starving.close();
            }
        }
    }

    private static MediaDriver launchDriver(final String aeronDir, final long clientLivenessTimeoutNs)
    {
        return MediaDriver.launch(SharedMediaDriver.driverContext(aeronDir, 256 * 1024, Throwable::printStackTrace, false)
            .clientLivenessTimeoutNs(clientLivenessTimeoutNs));
    }

    /**
     * A new client of the driver (the test's own died with the old driver, or may have been timed out too),
     * a new producer, {@code count} events, all acknowledged JOURNALED.
     */
    private static void publishAgain(final NetFixture fixture, final String aeronDir, final int responseStream, final int count)
    {
        try (Aeron aeron = ClientAeron.connect(aeronDir);
            SluiceProducer producer = SluiceProducer.connect(new ClientContext().aeron(aeron).serverChannel(fixture.channel)
                .responseChannel("aeron:ipc").responseStreamId(responseStream).connectTimeoutMs(DEADLINE_MS), NetFixture.TOPIC))
        {
            NetIngressTest.publish(producer, 1, count, Durability.JOURNALED);
            assertThat(producer.awaitAcknowledged(count, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            assertThat(producer.errorCount()).isZero();
        }
    }

    private static void assertJournaled(final NetFixture fixture, final long events)
    {
        final Topic topic = fixture.engine.journal().topic(NetFixture.TOPIC);
        long journaled = 0;
        for (int p = 0; p < topic.partitionCount(); p++)
        {
            journaled += topic.partition(p).endOffset();
        }
        assertThat(journaled).as("every acknowledged event journaled, once").isEqualTo(events);
    }

    /**
     * Holds the thread it runs on once, when told: the starvation a long checkpoint or a stalled disk
     * inflicts on the other duties of the shared duties thread.
     */
    private static final class HoldingDuty implements Agent
    {
        private final AtomicBoolean hold;
        private final long holdMs;

        HoldingDuty(final AtomicBoolean hold, final long holdMs)
        {
            this.hold = hold;
            this.holdMs = holdMs;
        }

        @Override
        public int doWork() throws InterruptedException
        {
            if (hold.compareAndSet(true, false))
            {
                Thread.sleep(holdMs);
                return 1;
            }
            return 0;
        }

        @Override
        public String roleName()
        {
            return "holding-duty";
        }
    }
}
