package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.driver.MediaDriver;
import io.sluice.client.ClientException;
import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorCode;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.OffsetFileDescriptor;
import io.sluice.journal.StorageFaults;

/**
 * A consumer's COMMIT never makes the server's duty wait for the disk: with the server on the processing thread
 * (the configuration whose commit once stalled that thread for 79 s and cost every session), the store of the
 * group's offsets file is held at its force (the journal's {@link StorageFaults} seam) for longer than the media
 * driver's client liveness timeout, while a producer keeps publishing and getting JOURNALED acks and the consumer
 * keeps receiving records; no session is dropped, and COMMITTED comes once the store is released, with the offsets
 * on disk. A store that fails answers the commit with DURABILITY_FAILED naming the group and its file, counted and in
 * the error log, and the same session's next commit is stored.
 */
@Timeout(300)
class NetCommitStoreTest
{
    private static final long DEADLINE_MS = NetIngressTest.DEADLINE_MS;
    private static final long LIVENESS_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    private MediaDriver driver;

    @AfterEach
    void clear()
    {
        StorageFaults.clear();
        CloseHelper.quietClose(driver);
    }

    @Test
    void shouldKeepServingWhileACommitsStoreIsHeldPastTheClientLivenessTimeoutAndAnswerOnceDurable() throws Exception
    {
        final String aeronDir = dir.resolve("driver").toString();
        driver = NetFixture.launchDriver(aeronDir, LIVENESS_NS);
        final CountDownLatch entered = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        try (NetFixture fixture = new NetFixture(dir, PARTITIONS, 1024,
                context -> context.embeddedMediaDriver(false).aeronDirectoryName(aeronDir).onProcessingThread(true));
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC);
            SluiceConsumer consumer = SluiceConsumer.connect(fixture.client(3102), NetFixture.TOPIC, "held", "c-1", 60_000))
        {
            final NetServer server = fixture.server;
            final BitSet seen = new BitSet();
            final io.sluice.schema.EventFlyweight view = new io.sluice.schema.EventFlyweight(NetFixture.TRADE);
            final RecordListener collect = (p, o, t, k, buffer, at, l) -> seen.set((int)view.wrap(buffer, at).getLong(2));
            final Runnable consume = () -> consumer.poll(collect, 256);
            final java.util.function.Supplier<String> state = () -> "consumer session lost: " + consumer.sessionLost() +
                ", server client losses: " + server.counters().clientLosses() + ", server client up: " + server.clientUp() +
                ", " + NetFixture.describePartitions(fixture.engine) + ", error log: " + fixture.errorLog();
            NetIngressTest.publish(producer, 1, 100, Durability.JOURNALED, consume);
            NetIngressTest.awaitJournaled(producer, 100, consume);
            NetFixture.await(() ->
            {
                consume.run();
                return seen.cardinality() == 100;
            }, "the consumer has the first 100 events");

            StorageFaults.install((operation, file) ->
            {
                if (operation == StorageFaults.Operation.FORCE && file.getFileName().toString().equals("held" + OffsetFileDescriptor.TEMP_SUFFIX))
                {
                    entered.countDown();
                    NetFixture.holdUntil(released, "store");
                }
            });
            final long[] committedPositions = { consumer.position(0), consumer.position(1) };
            final long commitId = consumer.commit();
            NetFixture.await(() ->
            {
                consume.run();
                return entered.getCount() == 0;
            }, "the commit's store reaches the offsets file's force");
            final long heldSinceNs = System.nanoTime();

            // Held for three client liveness timeouts: the server's duty (on the processing thread) keeps invoking its Aeron
            // client's conductor, so its client lives, and every session is served.
            long next = 101;
            while (System.nanoTime() - heldSinceNs < 3 * LIVENESS_NS)
            {
                NetIngressTest.publish(producer, next, 50, Durability.JOURNALED, consume);
                NetIngressTest.awaitJournaled(producer, next + 49, consume, state);
                next += 50;
                assertThat(consumer.committedId()).as("no COMMITTED before the offsets are durable").isLessThan(commitId);
            }
            final long published = next - 1;
            NetFixture.await(() ->
            {
                consume.run();
                return seen.cardinality() == published;
            }, "the consumer receives every event published while the store is held");
            assertThat(server.counters().clientLosses()).as("the server's Aeron client lived").isZero();
            assertThat(server.clientUp()).isTrue();
            assertThat(producer.sessionLost()).isFalse();
            assertThat(consumer.sessionLost()).isFalse();
            assertThat(server.counters().commitsPending()).as("the commit waits for its store").isOne();
            assertThat(consumer.committedId()).isLessThan(commitId);
            final long heldUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - heldSinceNs);

            released.set(true);
            NetFixture.await(() ->
            {
                consume.run();
                return consumer.committedId() >= commitId;
            }, "COMMITTED once the store completes");
            // Counted just after the answer and the store's completion, on their threads.
            NetFixture.await(() -> server.counters().commitsPending() == 0 && server.counters().commits() == 1 &&
                server.counters().commitStores() == 1, "the commit counted as answered and stored");
            assertThat(server.counters().commitStoreFailures()).isZero();
            assertThat(server.counters().commitStoreMaxUs()).as("the store lasted at least as long as it was held").isGreaterThanOrEqualTo(heldUs);
            assertThat(GroupCoordinator.readCommittedOffsets(fixture.engine.journal().topic(NetFixture.TOPIC)).get("held"))
                .as("the committed positions are on disk").containsExactly(committedPositions);
        }
        finally
        {
            released.set(true);
        }
    }

    @Test
    void shouldAnswerAFailedStoreWithAnErrorNamingTheGroupAndItsFileAndStoreTheNextCommit()
    {
        final java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        final String enospc = "No space left on device";
        StorageFaults.install((operation, file) ->
        {
            if (failing.get() && operation == StorageFaults.Operation.FORCE && file.getFileName().toString().equals("audit" +
                OffsetFileDescriptor.TEMP_SUFFIX))
            {
                throw new IOException(enospc);
            }
        });
        try (NetFixture fixture = new NetFixture(dir, PARTITIONS, 1024);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC);
            SluiceConsumer consumer = SluiceConsumer.connect(fixture.client(3102), NetFixture.TOPIC, "audit", "a-1", 60_000))
        {
            final NetServer server = fixture.server;
            final RecordListener ignore = (p, o, t, k, buffer, at, l) -> { };
            final Runnable consume = () -> consumer.poll(ignore, 256);
            NetIngressTest.publish(producer, 1, 100, Durability.JOURNALED, consume);
            NetIngressTest.awaitJournaled(producer, 100, consume);
            NetFixture.await(() ->
            {
                consume.run();
                return consumer.ownedCount() == PARTITIONS && consumer.position(0) + consumer.position(1) >= 100;
            }, "the consumer has the 100 events");

            final String offsetsFile = fixture.engine.journal().topic(NetFixture.TOPIC).directory()
                .resolve(OffsetFileDescriptor.GROUPS_DIRECTORY).resolve("audit" + OffsetFileDescriptor.FILE_SUFFIX).toString();
            assertThatThrownBy(() -> consumer.commitSync(DEADLINE_MS)).isInstanceOfSatisfying(ClientException.class, ex ->
                    assertThat(ex.errorCode()).isEqualTo(ErrorCode.DURABILITY_FAILED))
                .hasMessageContaining("'audit'").hasMessageContaining(offsetsFile).hasMessageContaining(enospc);
            NetFixture.await(() -> server.counters().commitStoreFailures() == 1 && server.counters().commitsPending() == 0 &&
                !fixture.errorLog().isEmpty(), "the failure counted and in the error log");
            assertThat(server.counters().rejected(ErrorCode.DURABILITY_FAILED)).isOne();
            assertThat(fixture.errorLog()).anySatisfy(entry -> assertThat(entry).contains("'audit'").contains(offsetsFile).contains(enospc));

            // Nothing else suffered: the producer is acknowledged, the consumer's session goes on and its next commit is stored.
            NetIngressTest.publish(producer, 101, 100, Durability.JOURNALED, consume);
            NetIngressTest.awaitJournaled(producer, 200, consume);
            assertThat(consumer.sessionLost()).isFalse();
            // commitSync polls records while it waits, so the positions it commits are taken once they can no longer move.
            NetFixture.await(() ->
            {
                consume.run();
                return consumer.position(0) + consumer.position(1) >= 200;
            }, "the consumer has the 200 events");
            final long[] committedPositions = { consumer.position(0), consumer.position(1) };
            failing.set(false);
            assertThat(consumer.commitSync(DEADLINE_MS)).isTrue();
            NetFixture.await(() -> server.counters().commitStores() == 1, "the store counted");
            assertThat(GroupCoordinator.readCommittedOffsets(fixture.engine.journal().topic(NetFixture.TOPIC)).get("audit"))
                .containsExactly(committedPositions);
        }
    }
}
