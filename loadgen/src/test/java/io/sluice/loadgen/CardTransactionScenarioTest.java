package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.zip.CRC32;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class CardTransactionScenarioTest
{
    private static final long EVENTS = 200_000;

    private static long digest(final Scenario scenario)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CardTransactionScenario.SCHEMA.length()]);
        final CRC32 crc = new CRC32();
        for (long i = 0; i < scenario.eventCount(); i++)
        {
            assertThat(scenario.next(buffer, 0)).isZero();
            crc.update(buffer.byteArray());
        }
        return crc.getValue();
    }

    @Test
    void shouldProduceTheSameEventsAndPatternsFromTheSameSeed()
    {
        final CardTransactionScenario a = new CardTransactionScenario(7, EVENTS);
        final CardTransactionScenario b = new CardTransactionScenario(7, EVENTS);
        assertThat(a.injected()).isEqualTo(b.injected()).isNotEmpty();
        assertThat(digest(a)).isEqualTo(digest(b));
    }

    @Test
    void shouldProduceDifferentEventsFromAnotherSeed()
    {
        final CardTransactionScenario a = new CardTransactionScenario(7, EVENTS);
        final CardTransactionScenario b = new CardTransactionScenario(8, EVENTS);
        assertThat(a.injected()).isNotEqualTo(b.injected());
        assertThat(digest(a)).isNotEqualTo(digest(b));
    }

    @Test
    void shouldInjectEveryKindOnDistinctCards()
    {
        final List<InjectedPattern> patterns = new CardTransactionScenario(1, EVENTS).injected();
        assertThat(patterns).extracting(InjectedPattern::kind)
            .contains(FraudRules.VELOCITY, FraudRules.AMOUNT, FraudRules.TRAVEL);
        assertThat(patterns.stream().map(InjectedPattern::key).distinct().count()).isEqualTo(patterns.size());
    }
}
