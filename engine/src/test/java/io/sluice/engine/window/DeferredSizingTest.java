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
 * An operator whose state is sized by its restore or {@link WindowOperator#presize()} rather than at build
 * ({@link WindowOperatorContext#deferSizing}, what a launch with checkpoints builds) gives the same outputs as one sized
 * at build: restored mid-stream, presized, or used without either; and a restore sizes its key table once, for the
 * larger of the hint and the snapshot.
 */
class DeferredSizingTest
{
    static Stream<WindowTestScenario> scenarios()
    {
        return WindowSnapshotTest.scenarios().filter(scenario -> !scenario.session);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldContinueIdenticallyWhenRestoredIntoAnOperatorSizedByItsRestore(final WindowTestScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newOperator(uninterrupted), 0, scenario.steps.size());

        final Random random = new Random(scenario.seed + 2);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = scenario.newOperator(resumed);
            scenario.replay(first, 0, cut);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength()]);
            final int written = first.snapshotTo(buffer, 0);

            final WindowOperator second = scenario.newOperator(resumed, true);
            assertThat(second.restoreFrom(buffer, 0)).isEqualTo(written);
            assertThat(second.stateEntries()).isEqualTo(first.stateEntries());
            second.presize(); // after a restore: nothing to do
            scenario.replay(second, cut, scenario.steps.size());
            WindowOracleTest.assertSameOutput(renamed(scenario, " deferred cut=" + cut), uninterrupted, resumed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRunIdenticallyPresizedOrNot(final WindowTestScenario scenario)
    {
        final List<String> sizedAtBuild = new ArrayList<>();
        scenario.replay(scenario.newOperator(sizedAtBuild), 0, scenario.steps.size());

        final List<String> presized = new ArrayList<>();
        final WindowOperator operator = scenario.newOperator(presized, true);
        operator.presize();
        operator.presize();
        scenario.replay(operator, 0, scenario.steps.size());
        WindowOracleTest.assertSameOutput(renamed(scenario, " presized"), sizedAtBuild, presized);

        // Never sized: grows from the smallest size, as correct, only slower.
        final List<String> unsized = new ArrayList<>();
        scenario.replay(scenario.newOperator(unsized, true), 0, scenario.steps.size());
        WindowOracleTest.assertSameOutput(renamed(scenario, " unsized"), sizedAtBuild, unsized);
    }

    @Test
    void shouldSizeTheKeyTableOnceForTheLargerOfTheHintAndTheSnapshot()
    {
        final int keys = 5_000;
        final AlignedWindowOperator source = tumbling(1_000, false);
        final TestEvent event = new TestEvent().set(1, 1);
        for (int key = 0; key < keys; key++)
        {
            source.onEvent(key, 1, event);
        }
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[source.snapshotLength()]);
        source.snapshotTo(snapshot, 0);

        final AlignedWindowOperator small = tumbling(1_000, true);
        assertThat(small.keys().capacity()).as("built unsized").isEqualTo(16);
        small.restoreFrom(snapshot, 0);
        assertThat(small.keys().capacity()).as("a snapshot larger than the hint").isEqualTo(keys);
        assertThat(small.stateEntries()).isEqualTo(keys);

        final AlignedWindowOperator large = tumbling(40_000, true);
        large.restoreFrom(snapshot, 0);
        assertThat(large.keys().capacity()).as("a hint larger than the snapshot: the build's key estimate")
            .isEqualTo(tumbling(40_000, false).keys().capacity());
        assertThat(large.stateEntries()).isEqualTo(keys);

        final AlignedWindowOperator presized = tumbling(40_000, true);
        presized.presize();
        assertThat(presized.keys().capacity()).isEqualTo(tumbling(40_000, false).keys().capacity());
    }

    @Test
    void shouldGiveTheAssemblersCursorsOnlyToTheKeysOfOverlappingWindows()
    {
        assertThat(tumbling(1_000, false).keys().tracksAssembly()).as("tumbling").isFalse();
        assertThat(tumbling(1_000, true).keys().tracksAssembly()).as("tumbling, sized by its restore").isFalse();
        // A minute every second sums doubles over 60 panes a window: assembled from prefixes and suffixes.
        final List<String> fromSource = new ArrayList<>();
        final List<String> fromRestored = new ArrayList<>();
        final AlignedWindowOperator source = slidingMinuteEverySecond(16, false, fromSource);
        assertThat(source.keys().tracksAssembly()).as("sliding, assembled").isTrue();
        final TestEvent event = new TestEvent().set(1, 1.5);
        for (int key = 0; key < 300; key++)
        {
            source.onEvent(key, key, event);
        }
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[source.snapshotLength()]);
        source.snapshotTo(snapshot, 0);
        final AlignedWindowOperator restored = slidingMinuteEverySecond(16, true, fromRestored);
        restored.restoreFrom(snapshot, 0);
        assertThat(restored.keys().capacity()).as("grown by the restore").isGreaterThanOrEqualTo(300);
        assertThat(restored.keys().tracksAssembly()).isTrue();
        fromSource.clear();
        for (int i = 0; i < 3_000; i++)
        {
            event.set(i, i * 0.25);
            source.onEvent(i % 400, 300 + i * 1_000L, event);
            restored.onEvent(i % 400, 300 + i * 1_000L, event);
        }
        assertThat(fromRestored).as("results after the restore").isNotEmpty().isEqualTo(fromSource);
    }

    private static AlignedWindowOperator slidingMinuteEverySecond(
        final int expectedEntries, final boolean deferSizing, final List<String> out)
    {
        return (AlignedWindowOperator)new WindowOperatorContext().sliding(60_000, 1_000).denseSlots(false)
            .watermarks(Watermarks.boundedOutOfOrderness(0)).aggregators(Aggregators.sumDouble(1)).expectedEntries(expectedEntries)
            .deferSizing(deferSizing).resultHandler((key, start, end, flags, result) ->
                out.add(TestAggregates.render(key, start, end, flags, result))).build();
    }

    private static AlignedWindowOperator tumbling(final int expectedEntries, final boolean deferSizing)
    {
        return (AlignedWindowOperator)new WindowOperatorContext().tumbling(1_000_000).denseSlots(false)
            .watermarks(Watermarks.boundedOutOfOrderness(0)).aggregators(Aggregators.count()).expectedEntries(expectedEntries)
            .deferSizing(deferSizing).resultHandler((key, start, end, flags, result) -> { }).build();
    }

    private static WindowTestScenario renamed(final WindowTestScenario scenario, final String suffix)
    {
        return new WindowTestScenario(scenario + suffix, scenario.session, scenario.size, scenario.hop, scenario.offset,
            scenario.gap, scenario.lateness, scenario.bound, scenario.early, scenario.seed);
    }
}
