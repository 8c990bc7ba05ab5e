package io.sluice.ops.stat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.sluice.engine.counters.SluiceCounters;

/**
 * How {@code sluice stat} prints values: timestamps as ISO-8601 instants, unset figures as {@code -}.
 */
class StatReportTest
{
    @Test
    void shouldPrintTimestampsAsInstantsAndUnsetValuesAsDash()
    {
        assertThat(StatReport.value(SluiceCounters.WATERMARK_TYPE_ID, Long.MIN_VALUE)).isEqualTo("-");
        assertThat(StatReport.value(SluiceCounters.WATERMARK_TYPE_ID, 1_700_000_000_500L)).isEqualTo("2023-11-14T22:13:20.500Z");
        assertThat(StatReport.value(SluiceCounters.WATERMARK_TYPE_ID, Long.MAX_VALUE)).isEqualTo("end of input");
        assertThat(StatReport.value(SluiceCounters.HEARTBEAT_TYPE_ID, 0)).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(StatReport.value(SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID, -1)).isEqualTo("-");
        assertThat(StatReport.value(SluiceCounters.EVENTS_IN_TYPE_ID, 1_234_567)).isEqualTo("1,234,567");
    }
}
