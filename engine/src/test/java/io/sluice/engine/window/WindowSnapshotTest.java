package io.sluice.engine.window;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Snapshot mid-stream, restore into a fresh operator (one that has even seen unrelated events),
 * continue, and require the combined output to equal an uninterrupted run.
 */
class WindowSnapshotTest
{
    static Stream<WindowTestScenario> scenarios()
    {
        // Each scenario whole, and fired 3 results per event so that cuts also fall mid-firing.
        return WindowOracleTest.scenarios().filter(scenario -> scenario.seed % 2 == 0 || scenario.size > 1000)
            .flatMap(scenario -> Stream.of(scenario, scenario.sliced(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldContinueIdenticallyAfterSnapshotAndRestore(final WindowTestScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        final WindowOperator reference = scenario.newOperator(uninterrupted);
        scenario.replay(reference, 0, scenario.steps.size());

        final Random random = new Random(scenario.seed);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = scenario.newOperator(resumed);
            scenario.replay(first, 0, cut);

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength() + 16]);
            final int written = first.snapshotTo(buffer, 8);
            assertThat(written).isLessThanOrEqualTo(first.snapshotLength());

            final List<String> tail = new ArrayList<>();
            final WindowOperator second = scenario.newOperator(tail);
            second.onEvent(12345, 77, new TestEvent().set(1, 1));
            tail.clear();
            assertThat(second.restoreFrom(buffer, 8)).isEqualTo(written);
            assertThat(tail).isEmpty();
            assertThat(second.stateEntries()).isEqualTo(first.stateEntries());
            assertThat(second.watermark()).isEqualTo(first.watermark());

            scenario.replay(second, cut, scenario.steps.size());
            resumed.addAll(tail);
            final String name = scenario + " cut=" + cut;
            WindowOracleTest.assertSameOutput(new WindowTestScenario(
                name, scenario.session, scenario.size, scenario.hop, scenario.offset, scenario.gap, scenario.lateness,
                scenario.bound, scenario.early, scenario.seed), uninterrupted, resumed);
            assertThat(second.lateEventsDropped()).as(name).isEqualTo(reference.lateEventsDropped());
            assertThat(second.unassignedEvents()).as(name).isEqualTo(reference.unassignedEvents());
            assertThat(second.windowsFired()).as(name).isEqualTo(reference.windowsFired());
        }
    }

    /**
     * Recovery's replay: the restored operator is told it is {@link WindowOperator#recovering recovering} for the
     * steps after the cut up to a second cut (windows fire in between in most scenarios, so what it left of the sort
     * of new keys is done by the firing itself), and not after: the output is the uninterrupted run's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldContinueIdenticallyWhenTheReplayAfterARestoreIsRecovering(final WindowTestScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newOperator(uninterrupted), 0, scenario.steps.size());

        final Random random = new Random(scenario.seed + 1);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final int ready = cut + random.nextInt(scenario.steps.size() - cut + 1);
            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = scenario.newOperator(resumed);
            scenario.replay(first, 0, cut);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength()]);
            first.snapshotTo(buffer, 0);

            final WindowOperator second = scenario.newOperator(resumed);
            second.restoreFrom(buffer, 0);
            second.recovering(true);
            scenario.replay(second, cut, ready);
            second.recovering(false);
            scenario.replay(second, ready, scenario.steps.size());
            WindowOracleTest.assertSameOutput(new WindowTestScenario(
                scenario + " cut=" + cut + " ready=" + ready, scenario.session, scenario.size, scenario.hop, scenario.offset,
                scenario.gap, scenario.lateness, scenario.bound, scenario.early, scenario.seed), uninterrupted, resumed);
        }
    }

    /** While recovering, the keys new since the last window wait unsorted; the first event after ready starts their sort. */
    @Test
    void shouldLeaveTheSortOfNewKeysToTheEventsAfterRecovery()
    {
        for (final boolean dense : new boolean[]{true, false})
        {
            final List<String> out = new ArrayList<>();
            final WindowOperator built = new WindowOperatorContext().tumbling(1_000_000).denseSlots(dense)
                .aggregators(Aggregators.count()).resultHandler((key, start, end, flags, result) -> out.add(key + "@" + start)).build();
            final PanedWindowOperator operator = dense ? ((AdaptiveWindowOperator)built).current() : (PanedWindowOperator)built;
            leaveTheSortToTheEventsAfterRecovery(operator, out);
        }
    }

    private static void leaveTheSortToTheEventsAfterRecovery(final PanedWindowOperator operator, final List<String> out)
    {
        final TestEvent event = new TestEvent();
        operator.recovering(true);
        for (int key = 0; key < 10_000; key++)
        {
            operator.onEvent(10_000 - key, 1, event);
        }
        assertThat(operator.keysAwaitingSort()).isEqualTo(10_000);
        operator.recovering(false);
        operator.onEvent(1, 2, event);
        assertThat(operator.keysAwaitingSort()).isLessThan(10_000);
        operator.endOfInput();
        assertThat(out).hasSize(10_000).startsWith("1@0", "2@0").endsWith("10000@0");
    }

    @Test
    void shouldRejectSnapshotOfDifferentConfiguration()
    {
        final List<String> out = new ArrayList<>();
        final WindowOperator tumbling = new WindowOperatorContext().tumbling(10).aggregators(Aggregators.count())
            .resultHandler((key, start, end, flags, result) -> out.add("")).build();
        tumbling.onEvent(1, 1, new TestEvent());
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[tumbling.snapshotLength()]);
        tumbling.snapshotTo(buffer, 0);

        final WindowOperator otherSize = new WindowOperatorContext().tumbling(20).aggregators(Aggregators.count())
            .resultHandler((key, start, end, flags, result) -> out.add("")).build();
        final WindowOperator session = new WindowOperatorContext().session(10).aggregators(Aggregators.count())
            .resultHandler((key, start, end, flags, result) -> out.add("")).build();

        assertThatThrownBy(() -> otherSize.restoreFrom(buffer, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> session.restoreFrom(buffer, 0)).isInstanceOf(IllegalStateException.class);
    }
}
