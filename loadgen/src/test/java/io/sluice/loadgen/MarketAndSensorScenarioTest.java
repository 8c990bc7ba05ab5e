package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.LongFunction;
import java.util.zip.CRC32;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.schema.EventFlyweight;

class MarketAndSensorScenarioTest
{
    private static final long EVENTS = 100_000;

    private static long digest(final Scenario scenario)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[scenario.topics().get(0).schema().length()]);
        final CRC32 crc = new CRC32();
        for (long i = 0; i < scenario.eventCount(); i++)
        {
            assertThat(scenario.next(buffer, 0)).isZero();
            crc.update(buffer.byteArray());
        }
        return crc.getValue();
    }

    private static void assertDeterministic(final LongFunction<Scenario> bySeed)
    {
        final Scenario a = bySeed.apply(7);
        final Scenario b = bySeed.apply(7);
        final Scenario c = bySeed.apply(8);
        assertThat(a.injected()).isEqualTo(b.injected()).isNotEmpty().isNotEqualTo(c.injected());
        final long digest = digest(a);
        assertThat(digest(b)).isEqualTo(digest);
        assertThat(digest(c)).isNotEqualTo(digest);
    }

    @Test
    void shouldProduceTheSameTicksAndSpikesFromTheSameSeedAndOthersFromAnother()
    {
        assertDeterministic(seed -> new MarketTickScenario(seed, EVENTS));
    }

    @Test
    void shouldProduceTheSameReadingsDriftsAndOutagesFromTheSameSeedAndOthersFromAnother()
    {
        assertDeterministic(seed -> new SensorScenario(seed, EVENTS));
    }

    @Test
    void shouldInjectSpikesOnDistinctSymbolsAndKeepNormalTicksInsideTheRule()
    {
        final MarketTickScenario scenario = new MarketTickScenario(3, EVENTS);
        final List<InjectedPattern> spikes = scenario.injected();
        assertThat(spikes).isNotEmpty().allMatch(p -> p.kind().equals(MarketDesk.SPIKE) && p.events() == 2);
        assertThat(spikes.stream().map(InjectedPattern::key).distinct().count()).isEqualTo(spikes.size());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MarketTickScenario.SCHEMA.length()]);
        final EventFlyweight tick = new EventFlyweight(MarketTickScenario.SCHEMA);
        long large = 0;
        for (long i = 0; i < EVENTS; i++)
        {
            scenario.next(buffer, 0);
            tick.wrap(buffer, 0);
            final long change = Math.abs(tick.getLong(MarketTickScenario.CHANGE));
            if (change >= MarketDesk.SPIKE_BP)
            {
                final long symbol = tick.getLong(MarketTickScenario.SYMBOL);
                final long ts = tick.getLong(MarketTickScenario.TS);
                assertThat(spikes).as("tick %d moved %d bp outside any spike", i, change)
                    .anyMatch(p -> p.key() == symbol && ts >= p.firstTs() && ts <= p.lastTs());
                large++;
            }
            else
            {
                assertThat(change).isLessThan(MarketDesk.MAX_STEP_BP + 10);
            }
        }
        assertThat(large).isGreaterThanOrEqualTo(spikes.size());
    }

    @Test
    void shouldInjectDriftsAndOutagesOnDistinctDevicesAndSilenceDevicesInAnOutage()
    {
        final SensorScenario scenario = new SensorScenario(5, EVENTS);
        final List<InjectedPattern> patterns = scenario.injected();
        assertThat(patterns).extracting(InjectedPattern::kind).contains(SensorDesk.DRIFT, SensorDesk.OUTAGE);
        assertThat(patterns.stream().map(InjectedPattern::key).distinct().count()).isEqualTo(patterns.size());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SensorScenario.SCHEMA.length()]);
        final EventFlyweight reading = new EventFlyweight(SensorScenario.SCHEMA);
        for (long i = 0; i < EVENTS; i++)
        {
            scenario.next(buffer, 0);
            reading.wrap(buffer, 0);
            final long device = reading.getLong(SensorScenario.DEVICE);
            final long ts = reading.getLong(SensorScenario.TS);
            assertThat(patterns).as("reading %d of device %d at %d", i, device, ts).noneMatch(p ->
                p.kind().equals(SensorDesk.OUTAGE) && p.key() == device && ts >= p.firstTs() && ts < p.lastTs());
        }
    }

    @Test
    void shouldDeclareTheSameLayoutInYamlAsTheScenarioSchemas()
    {
        for (final String name : Workload.NAMES)
        {
            final Workload workload = Workload.create(name, 1, 20_000);
            final ScenarioTopic topic = workload.scenario().topics().get(0);
            final io.sluice.engine.config.PipelineConfig parsed =
                io.sluice.engine.config.PipelineConfig.parse(workload.desk().pipelinesYaml(), name);
            assertThat(parsed.schemas().get(topic.schema().name()).describeLayout()).isEqualTo(topic.schema().describeLayout());
            assertThat(workload.desk().daemonConfig("data", "aeron:ipc", 2)).contains("type: journal, topic: " + topic.name() + "-e2e");
        }
    }
}
