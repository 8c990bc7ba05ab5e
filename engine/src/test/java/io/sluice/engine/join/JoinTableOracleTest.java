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
 * Compares the stream-table (latest and versioned) and table-table joins with the naive
 * {@link ReferenceTableJoins} on seeded random changelogs for every join type, and checks that a
 * snapshot/restore at random points continues identically. Failures name their seed; set
 * {@code -Dsluice.test.seed=N} to rerun one.
 */
class JoinTableOracleTest
{
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);
    private static final int SEEDS = Integer.getInteger("sluice.test.seeds", 12);

    static Stream<TableJoinScenario> tableTable()
    {
        System.out.println("JoinTableOracleTest base seed " + BASE_SEED);
        final List<TableJoinScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++)
        {
            for (final JoinType type : JoinType.values())
            {
                scenarios.add(new TableJoinScenario(BASE_SEED + i, type, false));
            }
        }
        return scenarios.stream();
    }

    static Stream<TableJoinScenario> streamTable()
    {
        final List<TableJoinScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++)
        {
            for (final JoinType type : new JoinType[] {JoinType.INNER, JoinType.LEFT})
            {
                scenarios.add(new TableJoinScenario(BASE_SEED + i, type, false));
                scenarios.add(new TableJoinScenario(BASE_SEED + i, type, true));
            }
        }
        return scenarios.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tableTable")
    void shouldEqualKafkaStyleReferenceForTableTableJoin(final TableJoinScenario scenario)
    {
        final List<String> rows = new ArrayList<>();
        final TableTableJoinOperator operator = scenario.newTableTableJoin(rows);
        scenario.replay(operator, 0, scenario.steps.size());
        final List<String> expected = scenario.referenceTableTable();
        assertThat(rows).as(scenario.toString()).containsExactlyElementsOf(expected);
        assertThat(operator.tombstones()).as(scenario.toString())
            .isEqualTo(expected.stream().filter(row -> row.contains(" f=7 ")).count());
        assertThat(operator.tombstones()).as("scenario should exercise tombstones: " + scenario).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamTable")
    void shouldEqualReferenceForStreamTableJoin(final TableJoinScenario scenario)
    {
        final List<String> rows = new ArrayList<>();
        final StreamTableJoinOperator operator = scenario.newStreamTableJoin(rows);
        scenario.replay(operator, 0, scenario.steps.size());
        assertThat(rows).as(scenario.toString()).containsExactlyElementsOf(scenario.referenceStreamTable());
        assertThat(operator.historyMisses()).isZero();
        assertThat(operator.matches() + operator.unmatchedEmitted()).isEqualTo(rows.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tableTable")
    void shouldContinueTableTableJoinIdenticallyAfterSnapshotAndRestore(final TableJoinScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newTableTableJoin(uninterrupted), 0, scenario.steps.size());
        final Random random = new Random(scenario.seed);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final List<String> rows = new ArrayList<>();
            final TableTableJoinOperator first = scenario.newTableTableJoin(rows);
            scenario.replay(first, 0, cut);
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[first.snapshotLength() + 8]);
            final int written = first.snapshotTo(snapshot, 4);
            assertThat(written).isEqualTo(first.snapshotLength());

            final List<String> tail = new ArrayList<>();
            final TableTableJoinOperator second = scenario.newTableTableJoin(tail);
            second.onLeftUpsert(12345, 1, JoinTestRecords.record(JoinTestRecords.LEFT_LENGTH, 777), 8);
            assertThat(second.restoreFrom(snapshot, 4)).isEqualTo(written);
            assertThat(second.stateEntries()).isEqualTo(first.stateEntries());
            tail.clear();
            scenario.replay(second, cut, scenario.steps.size());
            rows.addAll(tail);
            assertThat(rows).as(scenario + " cut=" + cut).containsExactlyElementsOf(uninterrupted);
            assertThat(second.matches()).isEqualTo(countMatches(uninterrupted));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamTable")
    void shouldContinueStreamTableJoinIdenticallyAfterSnapshotAndRestore(final TableJoinScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newStreamTableJoin(uninterrupted), 0, scenario.steps.size());
        final Random random = new Random(scenario.seed);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final List<String> rows = new ArrayList<>();
            final StreamTableJoinOperator first = scenario.newStreamTableJoin(rows);
            scenario.replay(first, 0, cut);
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[first.snapshotLength()]);
            final int written = first.snapshotTo(snapshot, 0);
            assertThat(written).isEqualTo(first.snapshotLength());

            final List<String> tail = new ArrayList<>();
            final StreamTableJoinOperator second = scenario.newStreamTableJoin(tail);
            second.onTableUpsert(12345, 1, JoinTestRecords.record(JoinTestRecords.RIGHT_LENGTH, 777), 8);
            assertThat(second.restoreFrom(snapshot, 0)).isEqualTo(written);
            assertThat(second.stateEntries()).isEqualTo(first.stateEntries());
            scenario.replay(second, cut, scenario.steps.size());
            rows.addAll(tail);
            assertThat(rows).as(scenario + " cut=" + cut).containsExactlyElementsOf(uninterrupted);
        }
    }

    private static long countMatches(final List<String> rows)
    {
        return rows.stream().filter(row -> row.contains(" f=0 ")).count();
    }
}
