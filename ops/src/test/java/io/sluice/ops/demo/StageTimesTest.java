package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.sluice.engine.runtime.StageLatencyListener;

class StageTimesTest
{
    private static final int PIPELINE = StageLatencyListener.FIRST_PIPELINE;

    /** Only the events between the start and the end of the measurement count: nothing before is kept to be forgotten. */
    @Test
    void shouldRecordOnlyTheEventsBetweenTheStartAndTheEndOfTheMeasurement()
    {
        final StageTimes times = new StageTimes(List.of("ring-wait", "journal-append", "card-velocity"));
        event(times, 9_000_000); // before the start: the warm-up's, not counted
        event(times, 9_000_000);
        times.startMeasuring();
        event(times, 1_000);
        event(times, 2_000);
        event(times, 3_000);
        times.stopMeasuring();
        event(times, 9_000_000); // after every event sent is processed: the end of input's, not counted

        final String printed = print(times);
        assertThat(printed).contains("ring wait    published -> picked up by the processing thread: p50 1.0 us  p99 1.0 us  " +
            "p99.9 1.0 us  p99.99 1.0 us  max 1.0 us (3 events)");
        assertThat(printed).contains("card-velocity              p50 2.0 us  p99 3.0 us  p99.9 3.0 us  p99.99 3.0 us  max 3.0 us (3 events)");
        // The work of an event is recorded at the next event's ring wait: the first two measured events', the third's
        // followed by no event while measuring.
        assertThat(printed).contains("engine work  per event on its processing thread").contains("(2 events); 0 events over 1 ms");
    }

    private static void event(final StageTimes times, final long pipelineNanos)
    {
        times.onStage(0, StageLatencyListener.RING_WAIT, 1_000);
        times.onStage(0, StageLatencyListener.JOURNAL_APPEND, 100);
        times.onStage(0, PIPELINE, pipelineNanos);
    }

    private static String print(final StageTimes times)
    {
        final StringWriter out = new StringWriter();
        try (PrintWriter console = new PrintWriter(out))
        {
            times.print(console);
        }
        return out.toString();
    }
}
