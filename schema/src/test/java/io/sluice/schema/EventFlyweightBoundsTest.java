package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class EventFlyweightBoundsTest
{
    private static final Schema TRADE = Schema.builder("trade").longField("account").doubleField("amount").build();

    @Test
    void shouldRunWithTheBuildsBoundsChecksOn()
    {
        assertThat(EventFlyweight.SHOULD_BOUNDS_CHECK)
            .as("the build passes -D%s=true to tests", EventFlyweight.BOUNDS_CHECKS_PROP_NAME).isTrue();
    }

    @Test
    void shouldRefuseToWrapAnEventThatOverrunsItsBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TRADE.length() + 4]);
        final EventFlyweight event = new EventFlyweight(TRADE);
        event.wrap(buffer, 4);
        assertThatThrownBy(() -> event.wrap(buffer, 5))
            .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("trade").hasMessageContaining("offset 5");
        assertThatThrownBy(() -> event.wrapForWrite(buffer, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
