package io.sluice.engine.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.sluice.engine.time.Watermarks;

/**
 * Session windows fired in slices: the sessions one watermark step closes, spread over the events
 * that follow a bounded number per event, must be exactly the Flink-semantics reference's results,
 * final results in the same order, with slices of 1, 64 and unbounded; one event emits no more
 * than its slice however many sessions close at once; and a snapshot taken while sessions wait to
 * fire resumes the same slices.
 */
class SessionFiringSliceTest
{
    private static final int[] SLICES = {1, 64, WindowOperatorContext.FIRING_SLICE_UNBOUNDED};

    static Stream<WindowTestScenario> scenarios()
    {
        return WindowOracleTest.scenarios().filter(scenario -> scenario.session)
            .flatMap(scenario -> Stream.of(SLICES).flatMapToInt(java.util.Arrays::stream).mapToObj(scenario::sliced));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldEmitTheReferenceSessionsWithFinalResultsInTheSameOrder(final WindowTestScenario scenario)
    {
        final List<String> expected = new ArrayList<>();
        final ReferenceWindowOperator oracle = scenario.newOracle(expected);
        scenario.replay(oracle);

        final List<String> actual = new ArrayList<>();
        final WindowOperator operator = scenario.newOperator(actual);
        scenario.replay(operator, 0, scenario.steps.size());

        if (scenario.firingSlice == WindowOperatorContext.FIRING_SLICE_UNBOUNDED)
        {
            WindowOracleTest.assertSameOutput(scenario, expected, actual);
        }
        // Only the interleaving of final results with the other outputs may differ.
        WindowOracleTest.assertSameOutput(scenario, finals(expected, true), finals(actual, true));
        WindowOracleTest.assertSameOutput(scenario, finals(expected, false), finals(actual, false));
        assertThat(operator.windowsFired()).as("windows fired, %s", scenario).isEqualTo(oracle.fired);
        assertThat(operator.lateEventsDropped()).as("late, %s", scenario).isEqualTo(oracle.late);
        assertThat(operator.stateEntries()).as("state after end of input, %s", scenario).isZero();
        assertThat(finals(expected, true)).as("scenario should fire sessions, %s", scenario).isNotEmpty();
    }

    @Test
    void shouldBoundTheResultsOfEachEventWhenManySessionsCloseAtOnce()
    {
        final int slice = 64;
        final int keys = 10_000;
        final List<String> whole = new ArrayList<>();
        final WindowOperator reference = manyKeys(WindowOperatorContext.FIRING_SLICE_UNBOUNDED, whole);
        final List<String> inSlices = new ArrayList<>();
        final WindowOperator operator = manyKeys(slice, inSlices);

        final TestEvent event = new TestEvent();
        int mostPerEvent = 0;
        int largestBurstUnsliced = 0;
        int eventsEmitting = 0;
        // Rounds of 100 ms of event time over every key, 1 s apart: each round's sessions (gap
        // 500 ms) all close when the next round starts, and the next round's events start new ones.
        for (int i = 0; i < 300_000; i++)
        {
            final long key = (i * 7919L) % keys;
            final int round = i / 50_000;
            final long timestamp = round * 1_000L + (i % 50_000) / 500;
            final int before = whole.size();
            reference.onEvent(key, timestamp, event.set(i, i * 0.25));
            largestBurstUnsliced = Math.max(largestBurstUnsliced, whole.size() - before);
            final int emittedBefore = inSlices.size();
            operator.onEvent(key, timestamp, event.set(i, i * 0.25));
            final int emitted = inSlices.size() - emittedBefore;
            mostPerEvent = Math.max(mostPerEvent, emitted);
            eventsEmitting += emitted > 0 ? 1 : 0;
        }
        assertThat(inSlices).isEqualTo(whole.subList(0, inSlices.size()));
        reference.endOfInput();
        operator.endOfInput();

        assertThat(largestBurstUnsliced).as("an unsliced watermark step emits every key's session at once")
            .isGreaterThan(keys * 9 / 10);
        assertThat(mostPerEvent).as("results emitted by one event").isEqualTo(slice);
        assertThat(eventsEmitting).isGreaterThan(keys / slice);
        assertThat(inSlices).isEqualTo(whole);
        assertThat(operator.windowsFired()).isEqualTo(reference.windowsFired()).isEqualTo(6L * keys);
    }

    @Test
    void shouldEmitOneSlicePerTickAndFinishTheFiringOnContinuationTicks()
    {
        final int slice = 64;
        final int keys = 10_000;
        final List<String> whole = new ArrayList<>();
        final WindowOperator reference = manyKeys(WindowOperatorContext.FIRING_SLICE_UNBOUNDED, whole);
        final List<String> inSlices = new ArrayList<>();
        final WindowOperator operator = manyKeys(slice, inSlices);
        final TestEvent event = new TestEvent();
        for (int key = 0; key < keys; key++)
        {
            reference.onEvent(key, key % 100, event.set(key, key * 0.25));
            operator.onEvent(key, key % 100, event.set(key, key * 0.25));
        }
        // Closes every key's session: all are due, the closing event emits one slice.
        reference.onEvent(keys, 10_000, event.set(keys, 1.0));
        operator.onEvent(keys, 10_000, event.set(keys, 1.0));
        assertThat(inSlices).hasSize(slice);

        operator.onProcessingTime(123_456);
        assertThat(inSlices).as("a tick emits one slice, no longer the whole rest of the firing").hasSize(2 * slice);
        int continuations = 0;
        int mostPerTick = 0;
        while (operator.firingInProgress())
        {
            final int before = inSlices.size();
            operator.onProcessingTime(io.sluice.engine.time.WatermarkGenerator.CONTINUATION);
            mostPerTick = Math.max(mostPerTick, inSlices.size() - before);
            continuations++;
            assertThat(continuations).isLessThan(10 * keys);
        }
        assertThat(mostPerTick).as("results emitted by one continuation tick").isEqualTo(slice);
        assertThat(continuations).isEqualTo((keys - 2 * slice + slice - 1) / slice);
        assertThat(operator.watermark()).as("a continuation tick carries no time").isEqualTo(reference.watermark());
        assertThat(inSlices).isEqualTo(whole);
    }

    @Test
    void shouldResumeHalfDoneSessionFiringAfterSnapshotAndRestore()
    {
        int halfDoneCuts = 0;
        for (long seed = 21; seed < 24; seed++)
        {
            final WindowTestScenario scenario =
                new WindowTestScenario("session many keys", true, 0, 0, 0, 6, 3, 2, seed == 22, seed).generate(3000, 300, 1).sliced(3);
            final List<String> uninterrupted = new ArrayList<>();
            scenario.replay(scenario.newOperator(uninterrupted), 0, scenario.steps.size());

            final Random random = new Random(seed);
            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = scenario.newOperator(resumed);
            for (int cut = 0; cut < scenario.steps.size(); cut++)
            {
                scenario.replay(first, cut, cut + 1);
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength() + 16]);
                final int length = first.snapshotTo(buffer, 8);
                if (!anyPending(buffer, 8, length) || random.nextInt(4) != 0)
                {
                    continue;
                }
                halfDoneCuts++;
                final List<String> tail = new ArrayList<>();
                final WindowOperator second = scenario.newOperator(tail);
                assertThat(second.restoreFrom(buffer, 8)).isEqualTo(length);
                scenario.replay(second, cut + 1, scenario.steps.size());
                final List<String> combined = new ArrayList<>(resumed);
                combined.addAll(tail);
                WindowOracleTest.assertSameOutput(scenario, uninterrupted, combined);
            }
        }
        assertThat(halfDoneCuts).as("snapshots taken while sessions waited to fire").isGreaterThan(20);
    }

    private static boolean anyPending(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final int rows = buffer.getInt(offset + SessionWindowOperator.ROW_COUNT_OFFSET, WindowSnapshotRows.ORDER);
        final int rowLength = SessionWindowOperator.ROW_HEADER_LENGTH +
            8 * buffer.getInt(offset + SessionWindowOperator.STRIDE_OFFSET, WindowSnapshotRows.ORDER);
        for (int at = offset + length - rows * rowLength; at < offset + length; at += rowLength)
        {
            if ((buffer.getLong(at + 24, WindowSnapshotRows.ORDER) & SessionWindowOperator.ROW_FIRE_PENDING) != 0)
            {
                return true;
            }
        }
        return false;
    }

    private static WindowOperator manyKeys(final int slice, final List<String> out)
    {
        return new WindowOperatorContext()
            .session(500)
            .watermarks(Watermarks.boundedOutOfOrderness(5))
            .aggregators(TestAggregates.all())
            .expectedEntries(1 << 15)
            .firingSlice(slice)
            .resultHandler((key, start, end, flags, result) -> out.add(TestAggregates.render(key, start, end, flags, result)))
            .build();
    }

    private static List<String> finals(final List<String> output, final boolean wanted)
    {
        final List<String> selected = new ArrayList<>();
        for (final String line : output)
        {
            if (line.startsWith("FINAL") == wanted)
            {
                selected.add(line);
            }
        }
        return selected;
    }
}
