package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.BitSet;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.client.RecordListener;
import io.sluice.client.SluiceConsumer;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.schema.EventFlyweight;

@Timeout(300)
class NetEgressTest
{
    private static final int PARTITIONS = 4;
    /** Session timeout of a member the test never means to evict: longer than any pause of a busy machine. */
    private static final int STAYING_MS = 60_000;
    /** Session timeout of the member that goes silent: its eviction is awaited, so short. */
    private static final int LEAVING_MS = 2_000;

    @TempDir
    Path dir;

    /** Collects the producer sequences carried by the records a consumer receives. */
    static final class Collector implements RecordListener
    {
        final BitSet seen = new BitSet();
        final long[] lastOffset = new long[PARTITIONS];
        final EventFlyweight view = new EventFlyweight(NetFixture.TRADE);
        long records;
        /** Records that came after a later record of their partition (the consumer's position would go back). */
        long outOfOrder;

        Collector()
        {
            java.util.Arrays.fill(lastOffset, -1);
        }

        @Override
        public void onRecord(final int partition, final long offset, final long timestamp, final long key, final DirectBuffer buffer,
            final int payloadOffset, final int payloadLength)
        {
            assertThat(payloadLength).isEqualTo(NetFixture.TRADE.length());
            seen.set((int)view.wrap(buffer, payloadOffset).getLong(2));
            if (offset <= lastOffset[partition])
            {
                outOfOrder++;
            }
            lastOffset[partition] = Math.max(lastOffset[partition], offset);
            records++;
        }
    }

    @Test
    void shouldDeliverEverythingToEachOfTwoGroups()
    {
        deliverEverythingToEachOfTwoGroups(context -> { });
    }

    @Test
    void shouldDeliverEverythingToEachOfTwoGroupsWithTheServerOnTheProcessingThread()
    {
        deliverEverythingToEachOfTwoGroups(context -> context.onProcessingThread(true));
    }

    private void deliverEverythingToEachOfTwoGroups(final java.util.function.Consumer<NetServerContext> settings)
    {
        final int events = 5_000;
        try (NetFixture fixture = new NetFixture(dir, PARTITIONS, 1024, settings);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC);
            SluiceConsumer b = SluiceConsumer.connect(fixture.client(3103), NetFixture.TOPIC, "risk", "b-1", STAYING_MS))
        {
            final Collector ca = new Collector();
            try (SluiceConsumer a = SluiceConsumer.connect(fixture.client(3102), NetFixture.TOPIC, "audit", "a-1", STAYING_MS))
            {
                final Collector cb = new Collector();
                final Runnable consume = () ->
                {
                    a.poll(ca, 256);
                    b.poll(cb, 256);
                };
                NetIngressTest.publish(producer, 1, events, Durability.JOURNALED, consume);
                NetIngressTest.awaitJournaled(producer, events, consume);
                final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
                while ((ca.seen.cardinality() < events || cb.seen.cardinality() < events) && System.currentTimeMillis() < deadline)
                {
                    a.poll(ca, 256);
                    b.poll(cb, 256);
                }
                assertThat(ca.seen.cardinality()).isEqualTo(events);
                assertThat(cb.seen.cardinality()).isEqualTo(events);
                assertThat(ca.records).isEqualTo(events);
                assertThat(ca.outOfOrder).as("records of a partition delivered out of offset order").isZero();
                assertThat(cb.outOfOrder).as("records of a partition delivered out of offset order").isZero();
                assertThat(a.ownedCount()).isEqualTo(PARTITIONS);
                assertThat(a.commitSync(NetIngressTest.DEADLINE_MS)).isTrue();
                assertThat(b.commitSync(NetIngressTest.DEADLINE_MS)).isTrue();
            }
            // The journal's end may still move (other records can follow the events), so compare the
            // committed positions with the events delivered, not with the end: the group's next member
            // starts where the group committed, past the last event of every partition.
            try (SluiceConsumer next = SluiceConsumer.connect(fixture.client(3104), NetFixture.TOPIC, "audit", "a-2", STAYING_MS))
            {
                final Collector ignored = new Collector();
                final long assigned = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
                while (next.ownedCount() < PARTITIONS && System.currentTimeMillis() < assigned)
                {
                    next.poll(ignored, 0);
                }
                assertThat(next.ownedCount()).isEqualTo(PARTITIONS);
                for (int p = 0; p < PARTITIONS; p++)
                {
                    assertThat(ca.lastOffset[p]).as("events reached partition %d", p).isNotNegative();
                    assertThat(next.position(p)).as("committed position of partition %d", p).isGreaterThan(ca.lastOffset[p]);
                }
            }
        }
    }

    @Test
    void shouldMovePartitionsToTheOtherMemberWhenOneLeavesWithoutLosingAnything()
    {
        assertTakeOver(false);
    }

    @Test
    void shouldMovePartitionsToTheOtherMemberWhenOneGoesSilentWithoutLosingAnything()
    {
        assertTakeOver(true);
    }

    private void assertTakeOver(final boolean crash)
    {
        final int events = 4_000;
        try (NetFixture fixture = new NetFixture(dir, PARTITIONS, 1024);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3201), NetFixture.TOPIC);
            SluiceConsumer survivor = SluiceConsumer.connect(fixture.client(3202), NetFixture.TOPIC, "g", "m-1", STAYING_MS))
        {
            final SluiceConsumer leaver = SluiceConsumer.connect(fixture.client(3203), NetFixture.TOPIC, "g", "m-2", LEAVING_MS);
            final Collector cs = new Collector();
            final Collector cl = new Collector();
            long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while ((survivor.ownedCount() != PARTITIONS / 2 || leaver.ownedCount() != PARTITIONS / 2) &&
                System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 64);
                leaver.poll(cl, 64);
            }
            assertThat(survivor.ownedCount()).isEqualTo(PARTITIONS / 2);
            assertThat(leaver.ownedCount()).isEqualTo(PARTITIONS / 2);

            // Both members poll (and so heartbeat) while the events are published: publishing can outlast
            // the leaver's session timeout on a busy machine, and an eviction now would deliver records twice.
            final Runnable consume = () ->
            {
                survivor.poll(cs, 256);
                leaver.poll(cl, 256);
            };
            NetIngressTest.publish(producer, 1, events / 2, Durability.JOURNALED, consume);
            deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while (cs.records + cl.records < events / 2 && System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 256);
                leaver.poll(cl, 256);
            }
            assertThat(cs.records + cl.records).isEqualTo(events / 2);
            assertThat(cl.records).isPositive();
            assertThat(leaver.commitSync(NetIngressTest.DEADLINE_MS)).isTrue();
            final BitSet committedByLeaver = (BitSet)cl.seen.clone();
            // Records the leaver receives after its commit are not committed: they must reach the survivor.
            NetIngressTest.publish(producer, events / 2 + 1, events / 2, Durability.JOURNALED, () -> survivor.poll(cs, 256));
            NetIngressTest.awaitJournaled(producer, events, () -> survivor.poll(cs, 256));
            leaver.poll(cl, 50);
            if (!crash)
            {
                leaver.close();
            }
            // else: the leaver stays connected but silent, as a hung process would: evicted after its session timeout.
            deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while (survivor.ownedCount() != PARTITIONS && System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 256);
            }
            assertThat(survivor.ownedCount()).as("the survivor takes every partition").isEqualTo(PARTITIONS);
            final BitSet all = new BitSet();
            deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while (all.cardinality() < events && System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 256);
                all.clear();
                all.or(cs.seen);
                all.or(committedByLeaver);
                if (!crash)
                {
                    all.or(cl.seen); // a clean leave committed everything the leaver handled
                }
            }
            assertThat(all.cardinality()).as("every event consumed by someone (committed ones need not repeat)").isEqualTo(events);
            assertThat(survivor.commitSync(NetIngressTest.DEADLINE_MS)).isTrue();
            leaver.abandon();
        }
    }
}
