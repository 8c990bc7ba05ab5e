package io.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import io.sluice.engine.counters.SluiceCounters;

/**
 * The dashboard's health figures come from the counters' type ids and keys: a topic and a pipeline
 * whose names hold '/', spaces and quotes come out whole, whatever the labels say.
 */
class HealthReaderTest
{
    @Test
    void shouldReadFiguresByTypeIdAndKeyNotByLabel()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.COUNTER_LENGTH)));
        final int none = SluiceCounters.NONE;
        SluiceCounters.allocate(manager, SluiceCounters.TOPIC_TYPE_ID, "topic", 3, none, none, none, "a/b c").set(2);
        SluiceCounters.allocate(manager, SluiceCounters.PIPELINE_TYPE_ID, "pipeline", 3, none, 1, none, "p \"q\" r/s");
        SluiceCounters.allocate(manager, SluiceCounters.EVENTS_IN_TYPE_ID, "misleading: x/9", 3, 1, none, none, null).set(42);
        SluiceCounters.allocate(manager, SluiceCounters.OUTPUTS_TYPE_ID, "misleading: y/7 z", 3, 1, 1, none, null).set(7);
        SluiceCounters.allocate(manager, SluiceCounters.SUPPRESSED_TYPE_ID, "misleading: y/7 z", 3, 1, 1, none, null).set(5);
        SluiceCounters.allocate(manager, SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID + 1, "misleading", none, none, 1, none, null).set(5);
        SluiceCounters.allocate(manager, SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID + SluiceCounters.LATENCY_SUM_FIGURE, "sum",
            none, none, 1, none, null).set(123_456);

        final HealthReader.Health health = new HealthReader(manager).read();

        assertThat(health.partitions).containsOnlyKeys("a/b c/1");
        assertThat(health.partitions.get("a/b c/1").eventsIn).isEqualTo(42);
        assertThat(health.instancesOf("p \"q\" r/s")).singleElement().satisfies(instance ->
        {
            assertThat(instance.topic).isEqualTo("a/b c");
            assertThat(instance.partition).isEqualTo(1);
            assertThat(instance.outputs).isEqualTo(7);
            assertThat(instance.suppressed).isEqualTo(5);
        });
        assertThat(health.latency).containsOnlyKeys("p \"q\" r/s");
        assertThat(health.latency.get("p \"q\" r/s")[HealthReader.P99]).isEqualTo(5);
    }

    @Test
    void shouldReadTheStateOfEachNetworkEndpointsAeronClient()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * CountersReader.COUNTER_LENGTH)));
        final int none = SluiceCounters.NONE;
        SluiceCounters.allocate(manager, SluiceCounters.NET_CLIENT_UP_TYPE_ID, "net-client-up: ingress[0]", none, none, none, none,
            "ingress[0]").set(0);
        SluiceCounters.allocate(manager, SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID, "net-client-losses: ingress[0]", none, none, none, none,
            "ingress[0]").set(2);
        SluiceCounters.allocate(manager, SluiceCounters.NET_CLIENT_UP_TYPE_ID, "net-client-up: egress[0]", none, none, none, none,
            "egress[0]").set(1);

        final HealthReader.Health health = new HealthReader(manager).read();

        assertThat(health.network).containsOnlyKeys("ingress[0]", "egress[0]");
        assertThat(health.network.get("ingress[0]")).containsExactly(0, 2);
        assertThat(health.network.get("egress[0]")).containsExactly(1, 0);
    }
}
