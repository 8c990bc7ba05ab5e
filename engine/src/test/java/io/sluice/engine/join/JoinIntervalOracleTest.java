package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the interval join with {@link ReferenceIntervalJoin} on seeded random inputs for every
 * join type: same rows, same flags, same order, same late side output and counters; then cuts each
 * run at random points, snapshots, restores into a fresh operator and requires the same output.
 * Set {@code -Dsluice.test.seed=N} to rerun one seed; every failure names its seed.
 */
class JoinIntervalOracleTest
{
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);
    private static final int SEEDS = Integer.getInteger("sluice.test.seeds", 12);

    static Stream<IntervalJoinScenario> scenarios()
    {
        System.out.println("JoinIntervalOracleTest base seed " + BASE_SEED);
        final List<IntervalJoinScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++)
        {
            for (final JoinType type : JoinType.values())
            {
                scenarios.add(new IntervalJoinScenario(BASE_SEED + i, type));
            }
        }
        return scenarios.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldEqualNaiveReference(final IntervalJoinScenario scenario)
    {
        final ReferenceIntervalJoin reference = scenario.reference();
        final List<String> rows = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        final IntervalJoinOperator operator = scenario.newOperator(rows, late);
        scenario.replay(operator, 0, scenario.steps.size());

        assertThat(rows).as(scenario.toString()).containsExactlyElementsOf(reference.rows);
        assertThat(late).as(scenario.toString()).containsExactlyElementsOf(reference.late);
        assertThat(operator.matches()).as(scenario.toString()).isEqualTo(reference.matches);
        assertThat(operator.unmatchedEmitted()).as(scenario.toString()).isEqualTo(reference.unmatched);
        assertThat(operator.lateEvents()).as(scenario.toString()).isEqualTo(reference.late.size());
        assertThat(operator.stateEntries()).as(scenario.toString()).isZero();
        assertThat(reference.matches).as("scenario should exercise matches: " + scenario).isPositive();
    }

    static Stream<IntervalJoinScenario> slicedScenarios()
    {
        return scenarios().map(scenario ->
        {
            scenario.evictionSlice = 2;
            return scenario;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slicedScenarios")
    void shouldEmitTheRowsOfUnslicedEvictionWhenEvictingInSlices(final IntervalJoinScenario scenario)
    {
        final ReferenceIntervalJoin reference = scenario.reference();
        final List<String> rows = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        final IntervalJoinOperator operator = scenario.newOperator(rows, late);
        scenario.replay(operator, 0, scenario.steps.size());

        // Matches come from the events themselves, in the same order; null-padded rows of evicted
        // records move to later events, so only their order relative to other rows may change.
        assertThat(matches(rows)).as(scenario.toString()).containsExactlyElementsOf(matches(reference.rows));
        assertThat(rows).as(scenario.toString()).containsExactlyInAnyOrderElementsOf(reference.rows);
        assertThat(late).as(scenario.toString()).containsExactlyElementsOf(reference.late);
        assertThat(operator.unmatchedEmitted()).as(scenario.toString()).isEqualTo(reference.unmatched);
        assertThat(operator.stateEntries()).as(scenario.toString()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slicedScenarios")
    void shouldContinueIdenticallyAfterSnapshotAndRestoreWhenEvictingInSlices(final IntervalJoinScenario scenario)
    {
        shouldContinueIdenticallyAfterSnapshotAndRestore(scenario);
    }

    private static List<String> matches(final List<String> rows)
    {
        final List<String> matches = new ArrayList<>();
        for (final String row : rows)
        {
            if (row.contains(" f=" + JoinResultHandler.MATCH + " "))
            {
                matches.add(row);
            }
        }
        return matches;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldContinueIdenticallyAfterSnapshotAndRestore(final IntervalJoinScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newOperator(uninterrupted, new ArrayList<>()), 0, scenario.steps.size());

        final Random random = new Random(scenario.seed);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final List<String> rows = new ArrayList<>();
            final IntervalJoinOperator first = scenario.newOperator(rows, new ArrayList<>());
            scenario.replay(first, 0, cut);

            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[first.snapshotLength() + 16]);
            final int written = first.snapshotTo(snapshot, 8);
            assertThat(written).isEqualTo(first.snapshotLength());

            final List<String> tail = new ArrayList<>();
            final IntervalJoinOperator second = scenario.newOperator(tail, new ArrayList<>());
            second.onLeft(99, 5, JoinTestRecords.record(JoinTestRecords.LEFT_LENGTH, 999), 8);
            assertThat(second.restoreFrom(snapshot, 8)).isEqualTo(written);
            assertThat(second.stateEntries()).isEqualTo(first.stateEntries());
            assertThat(second.stateBytes()).isEqualTo(first.stateBytes());
            assertThat(second.watermark()).isEqualTo(first.watermark());
            tail.clear();

            scenario.replay(second, cut, scenario.steps.size());
            rows.addAll(tail);
            assertThat(rows).as(scenario + " cut=" + cut).containsExactlyElementsOf(uninterrupted);
        }
    }
}
