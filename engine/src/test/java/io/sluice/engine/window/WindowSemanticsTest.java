package io.sluice.engine.window;

import io.sluice.engine.time.Watermarks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.sluice.schema.EventValues;

class WindowSemanticsTest
{
    private final List<String> out = new ArrayList<>();
    private final TestEvent event = new TestEvent();

    private WindowOperatorContext context()
    {
        return new WindowOperatorContext()
            .aggregators(Aggregators.count(), Aggregators.sumLong(0))
            .resultHandler((key, start, end, flags, result) -> out.add(
                TestAggregates.flagName(flags) + " " + key + " [" + start + "," + end + ") count=" +
                result.longValue(0) + " sum=" + result.longValue(1)))
            .lateEventHandler((key, timestamp, watermark, values) ->
                out.add("LATE " + key + " t=" + timestamp + " wm=" + watermark + " v=" + values.longValue(0)));
    }

    private void send(final WindowOperator operator, final long key, final long timestamp, final long value)
    {
        operator.onEvent(key, timestamp, event.set(value, value));
    }

    @Test
    void shouldPutEventInGapIntoNoWindow()
    {
        final WindowOperator operator = context().hopping(6, 10).build();

        send(operator, 1, 5, 1);
        send(operator, 1, 7, 2);
        send(operator, 1, 10, 4);
        operator.endOfInput();

        assertThat(out).containsExactly("FINAL 1 [0,6) count=1 sum=1", "FINAL 1 [10,16) count=1 sum=4");
        assertThat(operator.unassignedEvents()).isEqualTo(1);
        assertThat(operator.lateEventsDropped()).isZero();
    }

    @Test
    void shouldCountGapEventAsUnassignedEvenWhenBehindWatermark()
    {
        final WindowOperator operator = context().hopping(6, 10).build();

        send(operator, 1, 30, 1);
        send(operator, 1, 7, 2);

        assertThat(operator.unassignedEvents()).isEqualTo(1);
        assertThat(operator.lateEventsDropped()).isZero();
    }

    @Test
    void shouldTreatWindowEndAsExclusive()
    {
        final WindowOperator operator = context().tumbling(10).build();

        send(operator, 1, 9, 1);
        send(operator, 1, 10, 2);
        operator.endOfInput();

        assertThat(out).containsExactly("FINAL 1 [0,10) count=1 sum=1", "FINAL 1 [10,20) count=1 sum=2");
    }

    @Test
    void shouldFireWhenWatermarkReachesEndMinusOne()
    {
        final WindowOperator operator = context().tumbling(10).watermarks(Watermarks.boundedOutOfOrderness(2)).build();

        send(operator, 1, 3, 1);
        send(operator, 1, 11, 1);
        assertThat(out).isEmpty();
        assertThat(operator.watermark()).isEqualTo(8);

        send(operator, 1, 12, 1);
        assertThat(operator.watermark()).isEqualTo(9);
        assertThat(out).containsExactly("FINAL 1 [0,10) count=1 sum=1");
    }

    @Test
    void shouldUpdateFiredWindowForLateEventWithinLateness()
    {
        final WindowOperator operator = context().tumbling(10).allowedLateness(5).build();

        send(operator, 1, 2, 1);
        send(operator, 1, 10, 10);
        send(operator, 1, 4, 2);
        send(operator, 1, 14, 10);
        send(operator, 1, 5, 4);
        send(operator, 1, 15, 10);
        send(operator, 1, 6, 8);

        assertThat(out).containsExactly(
            "FINAL 1 [0,10) count=1 sum=1",
            "UPDATE 1 [0,10) count=2 sum=3",
            "UPDATE 1 [0,10) count=3 sum=7",
            "LATE 1 t=6 wm=14 v=8");
        assertThat(operator.lateEventsDropped()).isEqualTo(1);
    }

    @Test
    void shouldSendEventBeyondLatenessToSideOutputAndCounter()
    {
        final WindowOperator operator = context().tumbling(10).build();

        send(operator, 7, 25, 1);
        send(operator, 7, 3, 5);
        send(operator, 7, 19, 6);

        assertThat(out).containsExactly("LATE 7 t=3 wm=24 v=5", "LATE 7 t=19 wm=24 v=6");
        assertThat(operator.lateEventsDropped()).isEqualTo(2);
        assertThat(operator.stateEntries()).isEqualTo(1);
    }

    @Test
    void shouldAssignNegativeTimesAndWindowsStartingBeforeZero()
    {
        final WindowOperator operator = context().sliding(10, 5).build();

        send(operator, 1, -1, 1);
        send(operator, 1, 3, 2);
        operator.endOfInput();

        assertThat(out).containsExactly(
            "FINAL 1 [-10,0) count=1 sum=1",
            "FINAL 1 [-5,5) count=2 sum=3",
            "FINAL 1 [0,10) count=1 sum=2");
    }

    @Test
    void shouldApplyOffsetToWindowStarts()
    {
        final WindowOperator operator = context().tumbling(10).offset(3).build();

        send(operator, 1, 2, 1);
        send(operator, 1, 3, 2);
        operator.endOfInput();

        assertThat(out).containsExactly("FINAL 1 [-7,3) count=1 sum=1", "FINAL 1 [3,13) count=1 sum=2");
    }

    @Test
    void shouldEmitInOrderOfWindowEndThenKey()
    {
        final WindowOperator operator = context().sliding(4, 2).build();

        send(operator, 9, 1, 1);
        send(operator, -3, 0, 1);
        send(operator, 5, 3, 1);
        operator.endOfInput();

        assertThat(out).containsExactly(
            "FINAL -3 [-2,2) count=1 sum=1",
            "FINAL 9 [-2,2) count=1 sum=1",
            "FINAL -3 [0,4) count=1 sum=1",
            "FINAL 5 [0,4) count=1 sum=1",
            "FINAL 9 [0,4) count=1 sum=1",
            "FINAL 5 [2,6) count=1 sum=1");
    }

    @Test
    void shouldUpdateOnePanePerEventForSlidingHourBySecond()
    {
        final WindowOperator operator = context().sliding(3_600_000, 1000).build();

        for (int i = 0; i < 100; i++)
        {
            send(operator, 1, 500, 1);
        }

        assertThat(operator.stateEntries()).isEqualTo(1);
        operator.advanceWatermarkTo(999);
        assertThat(out).containsExactly("FINAL 1 [-3599000,1000) count=100 sum=100");
        operator.endOfInput();
        assertThat(out).hasSize(3600);
        assertThat(out.get(3599)).isEqualTo("FINAL 1 [0,3600000) count=100 sum=100");
    }

    @Test
    void shouldMergeSessionsBridgedByLateEvent()
    {
        final WindowOperator operator = context().session(5).watermarks(Watermarks.boundedOutOfOrderness(20)).build();

        send(operator, 1, 0, 1);
        send(operator, 1, 9, 2);
        send(operator, 2, 3, 100);
        assertThat(operator.stateEntries()).isEqualTo(3);
        send(operator, 1, 4, 4);
        assertThat(operator.stateEntries()).isEqualTo(2);
        operator.endOfInput();

        assertThat(out).containsExactly("FINAL 2 [3,8) count=1 sum=100", "FINAL 1 [0,14) count=3 sum=7");
        assertThat(operator.stateEntries()).isZero();
    }

    @Test
    void shouldMergeTouchingSessions()
    {
        final WindowOperator operator = context().session(5).watermarks(Watermarks.boundedOutOfOrderness(20)).build();

        send(operator, 1, 0, 1);
        send(operator, 1, 10, 2);
        send(operator, 1, 5, 4);
        operator.endOfInput();

        assertThat(out).containsExactly("FINAL 1 [0,15) count=3 sum=7");
    }

    @Test
    void shouldReEmitSessionExtendedWithinLateness()
    {
        final WindowOperator operator = context().session(5).allowedLateness(20).build();

        send(operator, 1, 0, 1);
        send(operator, 1, 20, 1);
        send(operator, 1, 2, 2);
        send(operator, 1, 40, 1);
        send(operator, 1, 3, 4);

        assertThat(out).containsExactly(
            "FINAL 1 [0,5) count=1 sum=1",
            "UPDATE 1 [0,7) count=2 sum=3",
            "FINAL 1 [20,25) count=1 sum=1",
            "LATE 1 t=3 wm=39 v=4");
    }

    @Test
    void shouldEmitEarlyResultsOnUpdateWhenEnabled()
    {
        final WindowOperator operator = context().tumbling(10).earlyOnUpdate(true).build();

        send(operator, 1, 1, 1);
        send(operator, 1, 2, 2);
        send(operator, 1, 10, 4);

        assertThat(out).containsExactly(
            "EARLY 1 [0,10) count=1 sum=1",
            "EARLY 1 [0,10) count=2 sum=3",
            "EARLY 1 [10,20) count=1 sum=4",
            "FINAL 1 [0,10) count=2 sum=3");
    }

    @Test
    void shouldFireEverythingAndReleaseStateAtEndOfInput()
    {
        final WindowOperator operator = context().sliding(10, 3).allowedLateness(100)
            .watermarks(Watermarks.boundedOutOfOrderness(3_000_000)).build();

        send(operator, 1, 1_000_000, 1);
        send(operator, 2, -1_000_000, 1);
        operator.endOfInput();

        assertThat(out).hasSize(6);
        assertThat(operator.windowsFired()).isEqualTo(6);
        assertThat(operator.stateEntries()).isZero();
        assertThat(operator.watermark()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldAdvanceQuietPartitionOnIdleTicks()
    {
        final WindowOperator operator = context().tumbling(10)
            .watermarks(Watermarks.boundedOutOfOrderness(5, 100)).build();

        send(operator, 1, 3, 1);
        operator.onProcessingTime(1000);
        operator.onProcessingTime(1050);
        assertThat(out).isEmpty();
        operator.onProcessingTime(1100);

        assertThat(operator.watermark()).isEqualTo(1094);
        assertThat(out).containsExactly("FINAL 1 [0,10) count=1 sum=1");
    }

    @Test
    void shouldFireOnProcessingTimeTicksInProcessingTimeMode()
    {
        final WindowOperator operator = context().tumbling(10).watermarks(Watermarks.processingTime()).build();

        send(operator, 1, 3, 1);
        operator.onProcessingTime(9);
        assertThat(out).isEmpty();
        operator.onProcessingTime(10);

        assertThat(out).containsExactly("FINAL 1 [0,10) count=1 sum=1");
    }

    @Test
    void shouldComputeUserDefinedAggregator()
    {
        final PrimitiveAggregator sumOfSquares = new PrimitiveAggregator()
        {
            public int slots()
            {
                return 1;
            }

            public void reset(final AggregateState state)
            {
                state.putDouble(0, 0);
            }

            public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
            {
                final double v = values.doubleValue(1);
                state.putDouble(0, state.getDouble(0) + v * v);
            }

            public void merge(final AggregateState into, final AggregateState from)
            {
                into.putDouble(0, into.getDouble(0) + from.getDouble(0));
            }

            public long resultAsLong(final AggregateState state)
            {
                return (long)state.getDouble(0);
            }

            public double resultAsDouble(final AggregateState state)
            {
                return state.getDouble(0);
            }
        };
        final List<Double> results = new ArrayList<>();
        final WindowOperator operator = new WindowOperatorContext()
            .sliding(4, 2)
            .aggregators(Aggregators.count(), sumOfSquares)
            .resultHandler((key, start, end, flags, result) -> results.add(result.doubleValue(1)))
            .build();

        operator.onEvent(1, 1, event.set(0, 3));
        operator.onEvent(1, 2, event.set(0, 4));
        operator.endOfInput();

        assertThat(results).containsExactly(9.0, 25.0, 16.0);
    }

    @Test
    void shouldRejectInvalidConfigurationAtBuildTime()
    {
        assertThatThrownBy(() -> context().sliding(10, 10).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("hop < size");
        assertThatThrownBy(() -> context().tumbling(0).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> context().tumbling(10).session(5).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> new WindowOperatorContext().tumbling(10).resultHandler((k, s, e, f, r) -> {}).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("aggregator");
        assertThatThrownBy(() -> context().tumbling(10).allowedLateness(-1).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("allowedLateness");
    }
}
