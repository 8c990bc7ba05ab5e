package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.time.Watermarks;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hopping windows with gaps cut into one pane per window ({@link AlignedWindows#onePanePerWindow}) against the same
 * windows on the {@code gcd(size, hop)} grid, whose results {@link WindowOracleTest} checks against the reference:
 * same results, flags, order, late output and counters on seeded random inputs, with and without firing slices, and
 * across a restore of a snapshot written on the gcd grid (version 2).
 */
class OnePanePerWindowTest
{
    /** Size, hop, offset, allowed lateness, watermark bound: the gapped scenarios of {@link WindowOracleTest}. */
    private static final long[][] GAPPED = {{6, 10, 0, 0, 3}, {6, 10, 4, 12, 5}, {3, 7, 1, 3, 2}, {2, 9, -3, 20, 0}};

    @Test
    void shouldEmitWhatTheGcdGridEmitsForGappedWindows()
    {
        for (int seed = 0; seed < 6; seed++)
        {
            for (final long[] config : GAPPED)
            {
                for (final int slice : new int[]{WindowOperatorContext.FIRING_SLICE_UNBOUNDED, 2})
                {
                    final boolean early = seed % 3 == 2;
                    final WindowTestScenario scenario = scenario(config, early, seed);
                    final List<String> expected = new ArrayList<>();
                    final List<String> actual = new ArrayList<>();
                    final WindowOperator gcd = operator(config, early, slice, false, expected);
                    final WindowOperator onePane = operator(config, early, slice, true, actual);
                    scenario.replay(gcd, 0, scenario.steps.size());
                    scenario.replay(onePane, 0, scenario.steps.size());
                    final String what = scenario + " slice=" + slice;
                    assertThat(actual).as(what).isEqualTo(expected);
                    assertThat(onePane.lateEventsDropped()).as(what).isEqualTo(gcd.lateEventsDropped());
                    assertThat(onePane.unassignedEvents()).as(what).isEqualTo(gcd.unassignedEvents());
                    assertThat(onePane.windowsFired()).as(what).isEqualTo(gcd.windowsFired());
                    assertThat(expected).as(what).isNotEmpty();
                }
            }
        }
    }

    @Test
    void shouldKeepOneRowPerKeyAndWindowOnlyWhenTheAggregatorsRegroupExactly()
    {
        final WindowOperator exact = new WindowOperatorContext().hopping(6, 10).watermarks(Watermarks.boundedOutOfOrderness(100))
            .aggregators(longAggregators()).resultHandler((key, start, end, flags, result) -> { }).build();
        final WindowOperator doubles = new WindowOperatorContext().hopping(6, 10).watermarks(Watermarks.boundedOutOfOrderness(100))
            .aggregators(Aggregators.count(), Aggregators.sumDouble(1)).resultHandler((key, start, end, flags, result) -> { }).build();
        final TestEvent event = new TestEvent().set(1, 0.5);
        for (final long time : new long[]{0, 2, 4, 7, 12})
        {
            exact.onEvent(42, time, event);
            doubles.onEvent(42, time, event);
        }

        assertThat(exact.stateEntries()).isEqualTo(2); // windows [0, 6) and [10, 16)
        assertThat(doubles.stateEntries()).isEqualTo(4); // panes [0, 2), [2, 4), [4, 6) and [12, 14)
        assertThat(exact.unassignedEvents()).isEqualTo(1);
        assertThat(doubles.unassignedEvents()).isEqualTo(1);
    }

    @Test
    void shouldRestoreAGcdGridSnapshotIntoOnePanePerWindow()
    {
        for (int seed = 0; seed < 6; seed++)
        {
            for (final long[] config : GAPPED)
            {
                final boolean early = seed % 3 == 2;
                final WindowTestScenario scenario = scenario(config, early, seed);
                final int cut = scenario.steps.size() / 2;
                final List<String> expected = new ArrayList<>();
                final WindowOperator gcd = operator(config, early, 3, false, expected);
                scenario.replay(gcd, 0, cut);
                final UnsafeBuffer current = new UnsafeBuffer(new byte[gcd.snapshotLength()]);
                gcd.snapshotTo(current, 0);
                // What the operator wrote before one pane per window existed: the same rows, version 2 (no firing pace).
                final int tail = current.capacity() - AlignedSnapshotHeader.HEADER_LENGTH;
                final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[AlignedSnapshotHeader.PACE_OFFSET + tail]);
                snapshot.putBytes(0, current, 0, AlignedSnapshotHeader.PACE_OFFSET);
                snapshot.putBytes(AlignedSnapshotHeader.PACE_OFFSET, current, AlignedSnapshotHeader.HEADER_LENGTH, tail);
                snapshot.putInt(WindowSnapshotRows.VERSION_OFFSET, AlignedSnapshotHeader.VERSION_GCD_PANES, WindowSnapshotRows.ORDER);

                final List<String> actual = new ArrayList<>();
                final WindowOperator onePane = operator(config, early, 3, true, actual);
                onePane.restoreFrom(snapshot, 0);
                expected.clear();
                scenario.replay(gcd, cut, scenario.steps.size());
                scenario.replay(onePane, cut, scenario.steps.size());

                final String what = scenario + " restored at step " + cut;
                assertThat(actual).as(what).isEqualTo(expected);
                assertThat(onePane.windowsFired()).as(what).isEqualTo(gcd.windowsFired());
                assertThat(onePane.lateEventsDropped()).as(what).isEqualTo(gcd.lateEventsDropped());
            }
        }
    }

    private static WindowTestScenario scenario(final long[] config, final boolean early, final long seed)
    {
        return new WindowTestScenario("gapped", false, config[0], config[1], config[2], 0, config[3], config[4], early, seed)
            .generate(1500, 5, Math.max(1, config[1] / 2));
    }

    private static PrimitiveAggregator[] longAggregators()
    {
        return new PrimitiveAggregator[]{
            Aggregators.count(), Aggregators.sumLong(0), Aggregators.minLong(0), Aggregators.maxLong(0), Aggregators.avgLong(0)};
    }

    private static WindowOperator operator(
        final long[] config, final boolean early, final int slice, final boolean onePanePerWindow, final List<String> out)
    {
        final AggregateLayout layout = new AggregateLayout(longAggregators());
        assertThat(layout.regroupsExactly()).isTrue();
        return new AlignedWindowOperator(
            new AlignedWindows(config[0], config[1], config[2], config[3], onePanePerWindow), new WindowSettings(early,
            Watermarks.boundedOutOfOrderness(config[4]), layout,
            (key, start, end, flags, result) -> out.add(render(key, start, end, flags, result)),
            (key, timestamp, watermark, values) -> out.add(TestAggregates.late(key, timestamp, watermark)),
            4, slice, FiringPace.UNPACED));
    }

    private static String render(final long key, final long start, final long end, final int flags, final WindowResult result)
    {
        return TestAggregates.flagName(flags) + " key=" + key + " [" + start + ',' + end + ") " + result.longValue(0) + ' ' +
            result.longValue(1) + ' ' + result.longValue(2) + ' ' + result.longValue(3) + ' ' + result.doubleValue(4);
    }
}
