package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;

/**
 * Clients that connect and go away, again and again: each session leaves the {@code net-sessions}
 * counter and is closed outside Aeron's callbacks, so no error is recorded (closing a publication in
 * the image handler was a reentrant call Aeron refused, and leaked the session and its publication).
 */
@Timeout(180)
class NetSessionLifecycleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountOutAndCloseEverySessionWhoseClientDisconnectsWithoutAnError()
    {
        try (NetFixture fixture = new NetFixture(dir, 2, 1024))
        {
            for (int round = 0; round < 3; round++)
            {
                final List<SluiceProducer> producers = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final SluiceProducer producer = SluiceProducer.connect(fixture.client(4000 + round * 10 + i), NetFixture.TOPIC);
                    producers.add(producer);
                    NetIngressTest.publish(producer, 1, 10, Durability.JOURNALED);
                    assertThat(producer.awaitAcknowledged(10, Durability.JOURNALED, NetIngressTest.DEADLINE_MS)).isTrue();
                }
                assertThat(fixture.server.counters().sessions()).isEqualTo(3);
                producers.forEach(SluiceProducer::close);
                awaitSessions(fixture, 0);
            }
            assertThat(fixture.server.lastError()).as("last error of the server").isNull();
            final StringBuilder errors = new StringBuilder();
            ErrorLogReader.read(fixture.engine.errorLog().buffer(), (count, first, last, text) -> errors.append(text));
            assertThat(errors.toString()).doesNotContain("reentrant").isEmpty();
        }
    }

    @Test
    void shouldServeFromTheEnginesDutiesThreadRatherThanAThreadOfItsOwn()
    {
        try (NetFixture fixture = new NetFixture(dir, 1, 1024))
        {
            final boolean shared = fixture.engine.context().threadingMode() == io.sluice.engine.runtime.ThreadingMode.SHARED;
            assertThat(fixture.server.threadName()).isEqualTo(shared ? io.sluice.engine.runtime.Engine.SHARED_DUTIES_ROLE_NAME : "sluice-net");
            try (SluiceProducer producer = SluiceProducer.connect(fixture.client(4100), NetFixture.TOPIC))
            {
                NetIngressTest.publish(producer, 1, 10, Durability.JOURNALED);
                assertThat(producer.awaitAcknowledged(10, Durability.JOURNALED, NetIngressTest.DEADLINE_MS)).isTrue();
            }
            if (shared)
            {
                assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("sluice-net");
            }
        }
    }

    private static void awaitSessions(final NetFixture fixture, final long expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (fixture.server.counters().sessions() != expected)
        {
            assertThat(System.nanoTime()).as("net-sessions reaches " + expected + " (is " + fixture.server.counters().sessions() + ", " +
                "last error " + fixture.server.lastError() + ")").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll interval of a wait with a deadline
        }
    }
}
