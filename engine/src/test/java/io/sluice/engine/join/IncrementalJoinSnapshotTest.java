package io.sluice.engine.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.sluice.engine.time.Watermarks;

/**
 * A join snapshot begun at a checkpoint barrier and completed in small slices while the operator
 * goes on (matching, inserting, evicting records; upserting, versioning and deleting table rows) must
 * hold exactly the state at the barrier: the same header and the same rows (in any order) as a
 * snapshot written all at once at that point, and a restore from it must continue exactly as the
 * uninterrupted run. Snapshotting must not change the live operator's outputs either. Without copy
 * on write the rows changed after the barrier would be copied as they are later, and this fails.
 */
class IncrementalJoinSnapshotTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);
    private static final int SEEDS = 6;
    private static final int[] BUDGETS = {1, 3, 64};

    static Stream<IntervalJoinScenario> intervalScenarios()
    {
        System.out.println("IncrementalJoinSnapshotTest base seed " + BASE_SEED);
        final List<IntervalJoinScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++)
        {
            for (final JoinType type : JoinType.values())
            {
                final IntervalJoinScenario scenario = new IntervalJoinScenario(BASE_SEED + i, type);
                scenario.evictionSlice = i % 2 == 0 ? 2 : JoinOperatorContext.EVICTION_SLICE_UNBOUNDED;
                scenarios.add(scenario);
            }
        }
        return scenarios.stream();
    }

    static Stream<TableJoinScenario> tableTableScenarios()
    {
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

    static Stream<TableJoinScenario> streamTableScenarios()
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
    @MethodSource("intervalScenarios")
    void shouldHoldExactlyTheIntervalJoinStateAtTheBarrierWhileRecordsKeepChanging(final IntervalJoinScenario scenario)
    {
        check(scenario.toString(), scenario.steps.size(), scenario.seed,
            rows -> scenario.newOperator(rows, new ArrayList<>()), scenario::replay,
            IncrementalJoinSnapshotTest::intervalState);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamTableScenarios")
    void shouldHoldExactlyTheStreamTableStateAtTheBarrierWhileTheTableKeepsChanging(final TableJoinScenario scenario)
    {
        check(scenario.toString(), scenario.steps.size(), scenario.seed, scenario::newStreamTableJoin, scenario::replay,
            (buffer, offset) -> tableState(buffer, offset, StreamTableJoinOperator.HEADER_LENGTH, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tableTableScenarios")
    void shouldHoldExactlyTheTableTableStateAtTheBarrierWhileBothTablesKeepChanging(final TableJoinScenario scenario)
    {
        check(scenario.toString(), scenario.steps.size(), scenario.seed, scenario::newTableTableJoin, scenario::replay,
            (buffer, offset) -> tableState(buffer, offset, TableTableJoinOperator.HEADER_LENGTH, 2));
    }

    interface Replay<T>
    {
        void replay(T operator, int from, int to);
    }

    interface State
    {
        /** The snapshot's state in a canonical form: its header bytes, then each table's rows sorted. */
        List<String> of(DirectBuffer buffer, int offset);
    }

    private static <T extends JoinOperator> void check(
        final String scenario,
        final int steps,
        final long seed,
        final Function<List<String>, T> factory,
        final Replay<T> replay,
        final State state)
    {
        final List<String> uninterrupted = new ArrayList<>();
        replay.replay(factory.apply(uninterrupted), 0, steps);

        final Random random = new Random(seed);
        for (final int budget : BUDGETS)
        {
            final int cut = random.nextInt(steps);
            final String name = scenario + " cut=" + cut + " budget=" + budget;

            final T atOnce = factory.apply(new ArrayList<>());
            replay.replay(atOnce, 0, cut);
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[atOnce.snapshotLength()]);
            final int expectedLength = atOnce.snapshotTo(expected, 0);

            final List<String> live = new ArrayList<>();
            final T sliced = factory.apply(live);
            replay.replay(sliced, 0, cut);
            final UnsafeBuffer actual = new UnsafeBuffer(new byte[sliced.snapshotLength() + 8]);
            final int length = sliced.beginSnapshot(actual, 8);
            boolean complete = false;
            for (int step = cut; step < steps; step++)
            {
                replay.replay(sliced, step, step + 1);
                complete = sliced.continueSnapshot(budget);
            }
            if (!complete)
            {
                complete = sliced.continueSnapshot(Integer.MAX_VALUE);
            }
            assertThat(complete).as(name).isTrue();
            assertThat(live).as("outputs of the operator being snapshotted, " + name).isEqualTo(uninterrupted);
            assertThat(length).as(name).isEqualTo(expectedLength);
            assertThat(state.of(actual, 8)).as("state, " + name).isEqualTo(state.of(expected, 0));

            final List<String> resumed = new ArrayList<>();
            replay.replay(factory.apply(resumed), 0, cut);
            final List<String> tail = new ArrayList<>();
            final T restored = factory.apply(tail);
            assertThat(restored.restoreFrom(actual, 8)).as(name).isEqualTo(length);
            replay.replay(restored, cut, steps);
            resumed.addAll(tail);
            assertThat(resumed).as("restored and continued, " + name).isEqualTo(uninterrupted);
        }
    }

    private static List<String> intervalState(final DirectBuffer buffer, final int offset)
    {
        final int leftLength = IntervalJoinOperator.RECORD_HEADER_LENGTH + buffer.getInt(offset + IntervalJoinOperator.LEFT_LENGTH_OFFSET, ORDER);
        final int rightLength = IntervalJoinOperator.RECORD_HEADER_LENGTH + buffer.getInt(offset + IntervalJoinOperator.RIGHT_LENGTH_OFFSET, ORDER);
        final int leftCount = buffer.getInt(offset + IntervalJoinOperator.LEFT_COUNT_OFFSET, ORDER);
        final int rightCount = buffer.getInt(offset + IntervalJoinOperator.RIGHT_COUNT_OFFSET, ORDER);
        // Both sides' watermark generators are bounded out-of-orderness ones, of one snapshot length.
        final int watermarkLength = 2 * Watermarks.boundedOutOfOrderness(0).snapshotLength();
        final int rowsStart = offset + IntervalJoinOperator.HEADER_LENGTH + watermarkLength;
        final List<String> state = new ArrayList<>();
        state.add(hex(buffer, offset, rowsStart - offset));
        state.addAll(sortedRows(buffer, rowsStart, leftCount, leftLength));
        state.add("|");
        state.addAll(sortedRows(buffer, rowsStart + leftCount * leftLength, rightCount, rightLength));
        return state;
    }

    private static List<String> tableState(final DirectBuffer buffer, final int offset, final int headerLength, final int tables)
    {
        final List<String> state = new ArrayList<>();
        state.add(hex(buffer, offset, headerLength));
        int at = offset + headerLength;
        for (int table = 0; table < tables; table++)
        {
            state.add(hex(buffer, at, KeyedTable.HEADER_LENGTH));
            final int valueLength = buffer.getInt(at + KeyedTable.VALUE_LENGTH_OFFSET, ORDER);
            final int rowCount = buffer.getInt(at + KeyedTable.ROW_COUNT_OFFSET, ORDER);
            at += KeyedTable.HEADER_LENGTH;
            final List<String> rows = new ArrayList<>();
            for (int i = 0; i < rowCount; i++)
            {
                final int versions = buffer.getInt(at + 8, ORDER);
                final int rowLength = KeyedTable.ROW_HEADER_LENGTH + versions * (KeyedTable.VERSION_HEADER_LENGTH + valueLength);
                rows.add(hex(buffer, at, rowLength));
                at += rowLength;
            }
            rows.sort(null);
            state.addAll(rows);
            state.add("|");
        }
        return state;
    }

    private static List<String> sortedRows(final DirectBuffer buffer, final int start, final int count, final int rowLength)
    {
        final List<String> rows = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            rows.add(hex(buffer, start + i * rowLength, rowLength));
        }
        rows.sort(null);
        return rows;
    }

    private static String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder text = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++)
        {
            text.append(String.format("%02x", buffer.getByte(offset + i)));
        }
        return text.toString();
    }
}
