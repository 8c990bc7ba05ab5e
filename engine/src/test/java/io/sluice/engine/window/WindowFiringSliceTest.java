package io.sluice.engine.window;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incremental firing: a closed window's results spread over the events that follow, a bounded
 * number per event, must be exactly the results of firing it whole, in the same order, and a
 * snapshot taken while a firing is half done must resume the same slices.
 */
class WindowFiringSliceTest
{
    private static final int[] SLICES = {1, 7};

    static Stream<WindowTestScenario> scenarios()
    {
        return WindowOracleTest.scenarios().flatMap(scenario -> Stream.of(SLICES).flatMapToInt(java.util.Arrays::stream)
            .mapToObj(scenario::sliced));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldEmitTheResultsOfUnslicedFiringInTheSameOrder(final WindowTestScenario sliced)
    {
        final List<String> whole = new ArrayList<>();
        final WindowTestScenario unsliced = sliced.sliced(WindowOperatorContext.FIRING_SLICE_UNBOUNDED);
        final WindowOperator reference = unsliced.newOperator(whole);
        unsliced.replay(reference, 0, unsliced.steps.size());

        final List<String> inSlices = new ArrayList<>();
        final WindowOperator operator = sliced.newOperator(inSlices);
        sliced.replay(operator, 0, sliced.steps.size());

        // Only the interleaving of final results with the other outputs may differ.
        WindowOracleTest.assertSameOutput(sliced, finals(whole, true), finals(inSlices, true));
        WindowOracleTest.assertSameOutput(sliced, finals(whole, false), finals(inSlices, false));
        assertThat(operator.windowsFired()).as("windows fired, %s", sliced).isEqualTo(reference.windowsFired());
        assertThat(operator.lateEventsDropped()).as("late, %s", sliced).isEqualTo(reference.lateEventsDropped());
        assertThat(operator.unassignedEvents()).as("unassigned, %s", sliced).isEqualTo(reference.unassignedEvents());
        assertThat(operator.stateEntries()).as("state after end of input, %s", sliced).isZero();
    }

    @Test
    void shouldBoundTheResultsOfEachInOrderEventAndStillEmitEveryWindow()
    {
        for (final String kind : new String[] {"tumbling", "sliding", "hopping"})
        {
            final int slice = 64;
            final int keys = 10_000;
            final List<String> whole = new ArrayList<>();
            final WindowOperator reference = manyKeys(kind, WindowOperatorContext.FIRING_SLICE_UNBOUNDED, whole);
            final List<String> inSlices = new ArrayList<>();
            final WindowOperator operator = manyKeys(kind, slice, inSlices);

            final TestEvent event = new TestEvent();
            int mostPerEvent = 0;
            int largestBurstUnsliced = 0;
            int eventsEmitting = 0;
            for (int i = 0; i < 300_000; i++)
            {
                final long key = (i * 7919L) % keys;
                final long timestamp = i / 10 - (i % 3);
                final int before = whole.size();
                reference.onEvent(key, timestamp, event.set(i, i * 0.25));
                largestBurstUnsliced = Math.max(largestBurstUnsliced, whole.size() - before);
                final int emittedBefore = inSlices.size();
                operator.onEvent(key, timestamp, event.set(i, i * 0.25));
                final int emitted = inSlices.size() - emittedBefore;
                mostPerEvent = Math.max(mostPerEvent, emitted);
                eventsEmitting += emitted > 0 ? 1 : 0;
            }
            final int beforeEnd = inSlices.size();
            assertThat(inSlices).as(kind).isEqualTo(whole.subList(0, beforeEnd));
            reference.endOfInput();
            operator.endOfInput();

            assertThat(largestBurstUnsliced).as("%s: an unsliced window close emits every key at once", kind)
                .isGreaterThan(keys * 9 / 10);
            assertThat(mostPerEvent).as("%s: results emitted by one event", kind).isEqualTo(slice);
            assertThat(eventsEmitting).as(kind).isGreaterThan(keys / slice);
            assertThat(inSlices).as(kind).isEqualTo(whole);
            assertThat(operator.windowsFired()).as(kind).isEqualTo(reference.windowsFired());
        }
    }

    @Test
    void shouldFreeTheRowsOfFiredWindowsAFiringSliceAtATimeNotAllInOneEvent()
    {
        for (final String kind : new String[] {"tumbling", "sliding", "hopping"})
        {
            final int slice = 16;
            final int keys = 10_000;
            final List<String> whole = new ArrayList<>();
            final WindowOperator reference = manyKeys(kind, WindowOperatorContext.FIRING_SLICE_UNBOUNDED, whole);
            final List<String> inSlices = new ArrayList<>();
            final WindowOperator operator = manyKeys(kind, slice, inSlices);
            final TestEvent event = new TestEvent();
            final int empty = operator.snapshotLength();
            final WindowOperator probe = manyKeys(kind, slice, new ArrayList<>());
            probe.onEvent(1, 0, event.set(0, 1.0));
            final int rowLength = probe.snapshotLength() - empty;
            int mostFreedPerEvent = 0;
            int mostFreedUnsliced = 0;
            for (int i = 0; i < 60_000; i++)
            {
                final long key = (i * 7919L) % keys;
                final long timestamp = i / 10;
                final int referenceBefore = reference.snapshotLength();
                reference.onEvent(key, timestamp, event.set(i, i * 0.25));
                mostFreedUnsliced = Math.max(mostFreedUnsliced, (referenceBefore - reference.snapshotLength()) / rowLength);
                final int before = operator.snapshotLength();
                operator.onEvent(key, timestamp, event.set(i, i * 0.25));
                // Rows in use (snapshot length over the row length): an event creates at most one, frees a slice at most.
                mostFreedPerEvent = Math.max(mostFreedPerEvent, (before - operator.snapshotLength()) / rowLength);
            }
            reference.endOfInput();
            operator.endOfInput();

            assertThat(mostFreedUnsliced).as("%s: the unbounded slice frees a closed window's rows in one event", kind)
                .isGreaterThan(keys * 9 / 10);
            assertThat(mostFreedPerEvent).as("%s: rows freed by one event", kind).isBetween(1, slice);
            assertThat(inSlices).as(kind).isEqualTo(whole);
            assertThat(operator.stateEntries()).as(kind).isZero();
        }
    }

    @Test
    void shouldEmitOneSlicePerTickAndFinishTheFiringOnContinuationTicks()
    {
        for (final String kind : new String[] {"tumbling", "sliding", "hopping"})
        {
            final int slice = 64;
            final int keys = 10_000;
            final List<String> whole = new ArrayList<>();
            final WindowOperator reference = manyKeys(kind, WindowOperatorContext.FIRING_SLICE_UNBOUNDED, whole);
            final List<String> inSlices = new ArrayList<>();
            final WindowOperator operator = manyKeys(kind, slice, inSlices);
            final TestEvent event = new TestEvent();
            for (int key = 0; key < keys; key++)
            {
                reference.onEvent(key, key % 1_000, event.set(key, key * 0.25));
                operator.onEvent(key, key % 1_000, event.set(key, key * 0.25));
            }
            // Closes the windows over the first second: every key's result is due, one slice is emitted.
            reference.onEvent(0, 5_000, event.set(keys, 1.0));
            operator.onEvent(0, 5_000, event.set(keys, 1.0));
            assertThat(inSlices).as(kind).hasSize(slice);
            assertThat(operator.firingInProgress()).as(kind).isTrue();

            // A tick with a time emits one slice, no longer the whole rest of the firing...
            operator.onProcessingTime(123_456);
            assertThat(inSlices).as("%s: a tick emits one slice", kind).hasSize(2 * slice);
            // ...and continuation ticks (as the partition thread journals them) finish it, one slice each.
            int continuations = 0;
            int mostPerTick = 0;
            while (operator.firingInProgress())
            {
                final int before = inSlices.size();
                operator.onProcessingTime(io.sluice.engine.time.WatermarkGenerator.CONTINUATION);
                mostPerTick = Math.max(mostPerTick, inSlices.size() - before);
                continuations++;
                assertThat(continuations).as(kind).isLessThan(10 * keys);
            }
            assertThat(mostPerTick).as("%s: results emitted by one continuation tick", kind).isEqualTo(slice);
            assertThat(continuations).as(kind).isEqualTo((whole.size() - 2 * slice + slice - 1) / slice);
            assertThat(operator.watermark()).as("%s: a continuation tick carries no time", kind).isEqualTo(reference.watermark());
            assertThat(inSlices).as(kind).isEqualTo(whole);
        }
    }

    @Test
    void shouldResumeAHalfDoneFiringAfterSnapshotAndRestore()
    {
        int halfDoneCuts = 0;
        for (final WindowTestScenario base : new WindowTestScenario[] {
            new WindowTestScenario("tumbling many keys", false, 5, 5, 0, 0, 3, 2, false, 11).generate(3000, 300, 1),
            new WindowTestScenario("sliding many keys", false, 12, 3, 2, 0, 7, 4, true, 12).generate(3000, 300, 1),
            new WindowTestScenario("hopping many keys", false, 6, 10, 1, 0, 4, 3, false, 13).generate(3000, 300, 1)})
        {
            final WindowTestScenario scenario = base.sliced(5);
            final List<String> uninterrupted = new ArrayList<>();
            scenario.replay(scenario.newOperator(uninterrupted), 0, scenario.steps.size());

            final Random random = new Random(scenario.seed);
            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = scenario.newOperator(resumed);
            for (int cut = 0; cut < scenario.steps.size(); cut++)
            {
                scenario.replay(first, cut, cut + 1);
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength() + 16]);
                first.snapshotTo(buffer, 8);
                final int firingState = buffer.getInt(8 + AlignedSnapshotHeader.FIRING_STATE_OFFSET,
                    WindowSnapshotRows.ORDER);
                if (firingState < 2 || random.nextInt(4) != 0)
                {
                    continue;
                }
                halfDoneCuts++;
                final List<String> tail = new ArrayList<>();
                final WindowOperator second = scenario.newOperator(tail);
                second.restoreFrom(buffer, 8);
                scenario.replay(second, cut + 1, scenario.steps.size());
                final List<String> combined = new ArrayList<>(resumed);
                combined.addAll(tail);
                WindowOracleTest.assertSameOutput(scenario.sliced(5), uninterrupted, combined);
            }
        }
        assertThat(halfDoneCuts).as("snapshots taken while a window was half fired").isGreaterThan(20);
    }

    private static WindowOperator manyKeys(final String kind, final int slice, final List<String> out)
    {
        final WindowOperatorContext context = new WindowOperatorContext()
            .watermarks(Watermarks.boundedOutOfOrderness(5))
            .aggregators(TestAggregates.all())
            .expectedEntries(1 << 16)
            .firingSlice(slice)
            .resultHandler((key, start, end, flags, result) -> out.add(TestAggregates.render(key, start, end, flags, result)));
        switch (kind)
        {
            case "tumbling":
                context.tumbling(1_000);
                break;
            case "sliding":
                context.sliding(3_000, 1_000);
                break;
            default:
                context.hopping(1_000, 2_000);
                break;
        }
        return context.build();
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
