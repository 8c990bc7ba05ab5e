package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.engine.runtime.Engine;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.Topic;

@Timeout(300)
class NetIngressTest
{
    /** How long a step may take on a busy machine before the test fails: a bound for a hang, never a measurement. */
    static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldAcknowledgeEveryEventJournaledAndJournalThemInProducerOrder()
    {
        acknowledgeEveryEventJournaledInProducerOrder(context -> { }, Engine.SHARED_DUTIES_ROLE_NAME);
    }

    @Test
    void shouldAcknowledgeEveryEventJournaledInProducerOrderWithTheServerOnTheProcessingThread()
    {
        acknowledgeEveryEventJournaledInProducerOrder(context -> context.onProcessingThread(true), "sluice-processing-0");
    }

    private void acknowledgeEveryEventJournaledInProducerOrder(final Consumer<NetServerContext> settings, final String thread)
    {
        final int events = 20_000;
        try (NetFixture fixture = new NetFixture(dir, 4, 1024, settings);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3001), NetFixture.TOPIC))
        {
            assertThat(fixture.server.threadName()).isEqualTo(thread);
            publish(producer, 1, events, Durability.JOURNALED);
            assertThat(producer.awaitAcknowledged(events, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            assertThat(producer.errorCount()).isZero();
            assertJournaledInOrder(fixture, events);
            assertThat(fixture.server.counters().eventsIn()).isEqualTo(events);
            assertThat(fixture.server.counters().rejectedTotal()).isZero();
        }
    }

    @Test
    void shouldAcknowledgeDurableOnlyOnceForcedToDisk()
    {
        final int events = 2_000;
        try (NetFixture fixture = new NetFixture(dir, 2, 1024);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3002), NetFixture.TOPIC))
        {
            publish(producer, 1, events, Durability.DURABLE);
            assertThat(producer.awaitAcknowledged(events, Durability.DURABLE, DEADLINE_MS)).isTrue();
            final Topic topic = fixture.engine.journal().topic(NetFixture.TOPIC);
            long journaled = 0;
            for (int p = 0; p < topic.partitionCount(); p++)
            {
                final Partition partition = topic.partition(p);
                assertThat(partition.durableOffset()).isEqualTo(partition.endOffset());
                journaled += partition.endOffset();
            }
            assertThat(journaled).isEqualTo(events);
        }
    }

    @Test
    void shouldPushBackOnTheProducerWhileTheEngineIsPausedAndLoseNothingAcknowledged()
    {
        pushBackWhilePausedAndLoseNothingAcknowledged(context -> { });
    }

    /** The processing thread fills its own ring from the network and must go on serving it while paused, then drain it. */
    @Test
    void shouldPushBackWhilePausedAndLoseNothingAcknowledgedWithTheServerOnTheProcessingThread()
    {
        pushBackWhilePausedAndLoseNothingAcknowledged(context -> context.onProcessingThread(true));
    }

    @Test
    void shouldRefuseTheProcessingThreadForAServerThatInvokesTheMediaDriver()
    {
        try (NetFixture fixture = new NetFixture(dir, 1, 16))
        {
            final NetServerContext context = new NetServerContext().engine(fixture.engine).aeronDirectoryName(dir.resolve("aeron2").toString())
                .embeddedMediaDriver(true).mediaDriverInvoker(true).onProcessingThread(true);
            assertThatThrownBy(context::conclude).isInstanceOf(NetException.class).hasMessageContaining("onProcessingThread")
                .hasMessageContaining("INVOKER");
        }
    }

    private void pushBackWhilePausedAndLoseNothingAcknowledged(final Consumer<NetServerContext> settings)
    {
        try (NetFixture fixture = new NetFixture(dir, 1, 16, settings);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3003), NetFixture.TOPIC))
        {
            fixture.engine.pause(NetFixture.PIPELINE);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[NetFixture.TRADE.length()]);
            long sent = 0;
            final long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (producer.backPressureCount() == 0 && System.currentTimeMillis() < deadline)
            {
                if (producer.offer(NetFixture.trade(event, sent % 7, sent + 1), 0, Durability.JOURNALED) > 0)
                {
                    sent++;
                }
                producer.poll();
            }
            assertThat(producer.backPressureCount()).as("the producer is told").isPositive();
            // The producer's Aeron window can fill before the server's next poll finds the paused ring full:
            // the server's own count follows once it does.
            final long serverDeadline = System.currentTimeMillis() + DEADLINE_MS;
            while (fixture.server.counters().backPressure() == 0 && System.currentTimeMillis() < serverDeadline)
            {
                producer.poll();
                Thread.onSpinWait();
            }
            assertThat(fixture.server.counters().backPressure()).as("the server pushes back").isPositive();
            producer.poll();
            assertThat(producer.journaledSequence()).as("nothing in a paused ring is acknowledged").isLessThan(sent);
            final long ackedWhilePaused = producer.journaledSequence();
            assertThat(ackedWhilePaused).isLessThanOrEqualTo(16);

            fixture.engine.resume(NetFixture.PIPELINE);
            sent += publish(producer, sent + 1, 500, Durability.JOURNALED);
            assertThat(producer.awaitAcknowledged(sent, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            assertJournaledInOrder(fixture, sent);
        }
    }

    @Test
    void shouldYieldWhileEventsAwaitTheirAckAndBackOffOnceTheEngineMakesNoProgress()
    {
        final long engineWaitNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
        try (NetFixture fixture = new NetFixture(dir, 1, 1024, context -> context.engineWaitNs(engineWaitNs));
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3004), NetFixture.TOPIC))
        {
            final NetCounters counters = fixture.server.counters();
            fixture.engine.pause(NetFixture.PIPELINE);
            publish(producer, 1, 10, Durability.JOURNALED);
            awaitCounter(() -> counters.eventsIn() == 10 && counters.engineWaits() > 0,
                "the events reach the paused ring and the duty yields while they await their ACK");
            assertThat(producer.journaledSequence()).as("nothing in a paused ring is acknowledged").isZero();
            awaitSteady(counters, counters::engineWaits, "the duty stops yielding once the engine has made no progress for engineWaitNs");
            assertThat(counters.engineLongWaits()).as("waiting for a paused engine is a long wait").isPositive();
            assertThat(counters.dutyCycles()).as("the duty cycles on, backing off").isPositive();

            fixture.engine.resume(NetFixture.PIPELINE);
            assertThat(producer.awaitAcknowledged(10, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            awaitSteady(counters, counters::engineWaits, "nothing awaits its ACK: the duty does not yield for the engine");
            assertJournaledInOrder(fixture, 10);
        }
    }

    private static void awaitCounter(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            Thread.yield();
        }
    }

    /**
     * Waits, with a deadline, until the duty runs 1,000 cycles in a row without the counter moving: a
     * condition on the duty's own progress, not on the clock (a backing-off duty cycles about every 100 us).
     */
    private static void awaitSteady(final NetCounters counters, final java.util.function.LongSupplier counter, final String what)
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (true)
        {
            final long before = counter.getAsLong();
            final long cycles = counters.dutyCycles();
            awaitCounter(() -> counters.dutyCycles() >= cycles + 1_000, "the duty to cycle on");
            final long now = counter.getAsLong();
            if (now == before)
            {
                return;
            }
            assertThat(System.currentTimeMillis()).as(what + " (still counting: " + now + ")").isLessThan(deadline);
        }
    }

    static long publish(final SluiceProducer producer, final long firstSequence, final long count, final int durability)
    {
        return publish(producer, firstSequence, count, durability, () -> { });
    }

    /**
     * Publishes {@code count} events, running {@code meanwhile} (e.g. the polls, and so the heartbeats, of
     * the test's consumers) every 64 events and while pushed back: on a busy machine publishing can take
     * longer than a consumer's session timeout, and a consumer evicted meanwhile would see records again.
     */
    static long publish(final SluiceProducer producer, final long firstSequence, final long count, final int durability,
        final Runnable meanwhile)
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[NetFixture.TRADE.length()]);
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        long sequence = firstSequence;
        while (sequence < firstSequence + count)
        {
            final long result = producer.offer(NetFixture.trade(event, sequence % 101, sequence), 0, durability);
            if (result > 0)
            {
                assertThat(result).isEqualTo(sequence);
                if ((sequence++ & 63) == 0)
                {
                    meanwhile.run();
                }
            }
            else
            {
                assertThat(System.currentTimeMillis()).as("publishing stalled at " + sequence).isLessThan(deadline);
                producer.poll();
                meanwhile.run();
                Thread.onSpinWait();
            }
        }
        producer.poll();
        return count;
    }

    /** Waits (with a deadline) for the journaled acknowledgement of {@code sequence}, running {@code meanwhile} as it waits. */
    static void awaitJournaled(final SluiceProducer producer, final long sequence, final Runnable meanwhile)
    {
        awaitJournaled(producer, sequence, meanwhile, () -> "");
    }

    /**
     * {@link #awaitJournaled(SluiceProducer, long, Runnable)}, its failure saying also what {@code state} tells then
     * (whose sessions and clients lived, where the partitions stood), so that a stall names its cause.
     */
    static void awaitJournaled(final SluiceProducer producer, final long sequence, final Runnable meanwhile,
        final java.util.function.Supplier<String> state)
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (producer.journaledSequence() < sequence)
        {
            assertThat(System.currentTimeMillis()).as(() -> "acknowledged " + producer.journaledSequence() + " of " + sequence +
                    " (producer session lost: " + producer.sessionLost() + ", errors: " + producer.errorCount() + "; " + state.get() + ")")
                .isLessThan(deadline);
            producer.poll();
            meanwhile.run();
            Thread.onSpinWait();
        }
    }

    /** Every event from 1 to count is journaled once, and each partition holds its events in producer order. */
    static void assertJournaledInOrder(final NetFixture fixture, final long count)
    {
        final Topic topic = fixture.engine.journal().topic(NetFixture.TOPIC);
        final boolean[] seen = new boolean[(int)count + 1];
        final io.sluice.schema.EventFlyweight view = new io.sluice.schema.EventFlyweight(NetFixture.TRADE);
        long total = 0;
        for (int p = 0; p < topic.partitionCount(); p++)
        {
            final long[] last = {0};
            final long[] records = {0};
            try (PartitionReader reader = topic.partition(p).newReader())
            {
                while (reader.poll(record ->
                {
                    final long seq = view.wrap(record.buffer(), record.payloadOffset()).getLong(2);
                    assertThat(seq).isGreaterThan(last[0]);
                    last[0] = seq;
                    assertThat(seen[(int)seq]).isFalse();
                    seen[(int)seq] = true;
                    records[0]++;
                }, 1024) > 0)
                {
                    // read on
                }
            }
            total += records[0];
        }
        assertThat(total).isEqualTo(count);
    }
}
