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

@Timeout(60)
class NetEgressTest
{
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    /** Collects the producer sequences carried by the records a consumer receives. */
    static final class Collector implements RecordListener
    {
        final BitSet seen = new BitSet();
        final long[] lastOffset = new long[PARTITIONS];
        final EventFlyweight view = new EventFlyweight(NetFixture.TRADE);
        long records;

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
            lastOffset[partition] = Math.max(lastOffset[partition], offset);
            records++;
        }
    }

    @Test
    void shouldDeliverEverythingToEachOfTwoGroups()
    {
        final int events = 5_000;
        try (NetFixture fixture = new NetFixture(dir, PARTITIONS, 1024);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC);
            SluiceConsumer b = SluiceConsumer.connect(fixture.client(3103), NetFixture.TOPIC, "risk", "b-1", 5_000))
        {
            final Collector ca = new Collector();
            try (SluiceConsumer a = SluiceConsumer.connect(fixture.client(3102), NetFixture.TOPIC, "audit", "a-1", 5_000))
            {
                NetIngressTest.publish(producer, 1, events, Durability.JOURNALED);
                assertThat(producer.awaitAcknowledged(events, Durability.JOURNALED, 20_000)).isTrue();
                final Collector cb = new Collector();
                final long deadline = System.currentTimeMillis() + 20_000;
                while ((ca.seen.cardinality() < events || cb.seen.cardinality() < events) && System.currentTimeMillis() < deadline)
                {
                    a.poll(ca, 256);
                    b.poll(cb, 256);
                }
                assertThat(ca.seen.cardinality()).isEqualTo(events);
                assertThat(cb.seen.cardinality()).isEqualTo(events);
                assertThat(ca.records).isEqualTo(events);
                assertThat(a.ownedCount()).isEqualTo(PARTITIONS);
                assertThat(a.commitSync(5_000)).isTrue();
                assertThat(b.commitSync(5_000)).isTrue();
            }
            // The journal's end may still move (other records can follow the events), so compare the
            // committed positions with the events delivered, not with the end: the group's next member
            // starts where the group committed, past the last event of every partition.
            try (SluiceConsumer next = SluiceConsumer.connect(fixture.client(3104), NetFixture.TOPIC, "audit", "a-2", 5_000))
            {
                final Collector ignored = new Collector();
                final long assigned = System.currentTimeMillis() + 20_000;
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
            SluiceConsumer survivor = SluiceConsumer.connect(fixture.client(3202), NetFixture.TOPIC, "g", "m-1", 1_000))
        {
            final SluiceConsumer leaver = SluiceConsumer.connect(fixture.client(3203), NetFixture.TOPIC, "g", "m-2", 1_000);
            final Collector cs = new Collector();
            final Collector cl = new Collector();
            long deadline = System.currentTimeMillis() + 10_000;
            while ((survivor.ownedCount() != PARTITIONS / 2 || leaver.ownedCount() != PARTITIONS / 2) &&
                System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 64);
                leaver.poll(cl, 64);
            }
            assertThat(survivor.ownedCount()).isEqualTo(PARTITIONS / 2);
            assertThat(leaver.ownedCount()).isEqualTo(PARTITIONS / 2);

            NetIngressTest.publish(producer, 1, events / 2, Durability.JOURNALED);
            deadline = System.currentTimeMillis() + 10_000;
            while (cs.records + cl.records < events / 2 && System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 256);
                leaver.poll(cl, 256);
            }
            assertThat(cs.records + cl.records).isEqualTo(events / 2);
            assertThat(cl.records).isPositive();
            assertThat(leaver.commitSync(5_000)).isTrue();
            final BitSet committedByLeaver = (BitSet)cl.seen.clone();
            // Records the leaver receives after its commit are not committed: they must reach the survivor.
            NetIngressTest.publish(producer, events / 2 + 1, events / 2, Durability.JOURNALED);
            assertThat(producer.awaitAcknowledged(events, Durability.JOURNALED, 20_000)).isTrue();
            leaver.poll(cl, 50);
            if (!crash)
            {
                leaver.close();
            }
            // else: the leaver stays connected but silent, as a hung process would: evicted after its session timeout.
            deadline = System.currentTimeMillis() + 20_000;
            while (survivor.ownedCount() != PARTITIONS && System.currentTimeMillis() < deadline)
            {
                survivor.poll(cs, 256);
            }
            assertThat(survivor.ownedCount()).as("the survivor takes every partition").isEqualTo(PARTITIONS);
            final BitSet all = new BitSet();
            deadline = System.currentTimeMillis() + 20_000;
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
            assertThat(survivor.commitSync(5_000)).isTrue();
            leaver.abandon();
        }
    }
}
