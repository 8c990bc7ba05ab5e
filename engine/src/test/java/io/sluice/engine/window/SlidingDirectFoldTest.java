package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overlapping windows of few panes whose aggregates regroup exactly, folded row by row
 * ({@link WindowAssembler#foldsDirectly}), against the same windows assembled from prefixes and suffixes, whose
 * results {@link WindowOracleTest} checks against the reference: same results, flags, order, late output and counters
 * on seeded random inputs, with and without firing slices, and across a snapshot restore.
 */
class SlidingDirectFoldTest
{
    /** Size, hop, offset, allowed lateness, watermark bound: 2 to 4 panes per window. */
    private static final long[][] SLIDING = {{10, 5, 0, 0, 3}, {6, 2, 0, 0, 3}, {9, 3, 5, 4, 2}, {8, 2, 1, 9, 5}, {12, 3, -2, 7, 4}};

    @Test
    void shouldEmitWhatPrefixesAndSuffixesEmit()
    {
        for (int seed = 0; seed < 6; seed++)
        {
            for (final long[] config : SLIDING)
            {
                for (final int slice : new int[]{WindowOperatorContext.FIRING_SLICE_UNBOUNDED, 2})
                {
                    final boolean early = seed % 3 == 2;
                    final WindowTestScenario scenario = scenario(config, early, seed);
                    final List<String> expected = new ArrayList<>();
                    final List<String> actual = new ArrayList<>();
                    final WindowOperator scheme = operator(config, early, slice, false, expected);
                    final WindowOperator direct = operator(config, early, slice, true, actual);
                    scenario.replay(scheme, 0, scenario.steps.size());
                    scenario.replay(direct, 0, scenario.steps.size());

                    final String what = scenario + " slice=" + slice;
                    assertThat(actual).as(what).isEqualTo(expected);
                    assertThat(direct.lateEventsDropped()).as(what).isEqualTo(scheme.lateEventsDropped());
                    assertThat(direct.windowsFired()).as(what).isEqualTo(scheme.windowsFired());
                    assertThat(expected).as(what).isNotEmpty();
                }
            }
        }
    }

    @Test
    void shouldFoldDirectlyOnlyFewPanesOfExactAggregates()
    {
        final AggregateLayout exact = new AggregateLayout(longAggregators());
        final AggregateLayout doubles = new AggregateLayout(new PrimitiveAggregator[]{Aggregators.count(), Aggregators.sumDouble(1)});
        final AlignedWindows fewPanes = new AlignedWindows(6, 2, 0, 0, false);
        final AlignedWindows manyPanes = new AlignedWindows(3_600_000, 1000, 0, 0, false);

        assertThat(WindowAssembler.foldsDirectly(fewPanes, exact)).isTrue();
        assertThat(WindowAssembler.foldsDirectly(fewPanes, doubles)).isFalse();
        assertThat(WindowAssembler.foldsDirectly(manyPanes, exact)).isFalse();
    }

    @Test
    void shouldResumeFromASnapshotOfTheOtherAssembly()
    {
        for (int seed = 0; seed < 6; seed++)
        {
            for (final long[] config : SLIDING)
            {
                final boolean early = seed % 3 == 2;
                final WindowTestScenario scenario = scenario(config, early, seed);
                final int cut = scenario.steps.size() / 2;
                final List<String> expected = new ArrayList<>();
                final WindowOperator scheme = operator(config, early, 3, false, expected);
                scenario.replay(scheme, 0, cut);
                final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[scheme.snapshotLength()]);
                scheme.snapshotTo(snapshot, 0);

                final List<String> actual = new ArrayList<>();
                final WindowOperator direct = operator(config, early, 3, true, actual);
                direct.restoreFrom(snapshot, 0);
                expected.clear();
                scenario.replay(scheme, cut, scenario.steps.size());
                scenario.replay(direct, cut, scenario.steps.size());

                final String what = scenario + " restored at step " + cut;
                assertThat(actual).as(what).isEqualTo(expected);
                assertThat(direct.windowsFired()).as(what).isEqualTo(scheme.windowsFired());
            }
        }
    }

    private static WindowTestScenario scenario(final long[] config, final boolean early, final long seed)
    {
        return new WindowTestScenario("sliding", false, config[0], config[1], config[2], 0, config[3], config[4], early, seed)
            .generate(1500, 5, Math.max(1, config[1] / 2));
    }

    private static PrimitiveAggregator[] longAggregators()
    {
        return new PrimitiveAggregator[]{
            Aggregators.count(), Aggregators.sumLong(0), Aggregators.minLong(0), Aggregators.maxLong(0), Aggregators.avgLong(0)};
    }

    private static WindowOperator operator(
        final long[] config, final boolean early, final int slice, final boolean foldDirectly, final List<String> out)
    {
        final AggregateLayout layout = new AggregateLayout(longAggregators());
        final AlignedWindows windows = new AlignedWindows(config[0], config[1], config[2], config[3], false);
        assertThat(WindowAssembler.foldsDirectly(windows, layout)).isTrue();
        return new AlignedWindowOperator(windows, new WindowSettings(
            early, Watermarks.boundedOutOfOrderness(config[4]), layout,
            (key, start, end, flags, result) -> out.add(render(key, start, end, flags, result)),
            (key, timestamp, watermark, values) -> out.add(TestAggregates.late(key, timestamp, watermark)),
            4, slice, FiringPace.UNPACED), foldDirectly);
    }

    private static String render(final long key, final long start, final long end, final int flags, final WindowResult result)
    {
        return TestAggregates.flagName(flags) + " key=" + key + " [" + start + ',' + end + ") " + result.longValue(0) + ' ' +
            result.longValue(1) + ' ' + result.longValue(2) + ' ' + result.longValue(3) + ' ' + result.doubleValue(4);
    }
}
