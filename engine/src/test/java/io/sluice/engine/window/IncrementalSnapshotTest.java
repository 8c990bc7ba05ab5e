package io.sluice.engine.window;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A snapshot begun at a barrier and completed in small slices while the operator goes on (updating,
 * creating, firing and purging rows; extending, merging and expiring sessions) must hold exactly the state at the barrier: the same header and
 * the same rows as a snapshot written all at once at that point, and a restore from it must continue
 * exactly as the uninterrupted run. Snapshotting must not change the live operator's outputs either.
 */
class IncrementalSnapshotTest
{
    static Stream<WindowTestScenario> scenarios()
    {
        // Not the 1 h / 1 s sliding scenario: WindowSnapshotTest covers its size; here every attempt runs it five times.
        // Sessions also fired in slices of 3, so snapshots are taken while sessions wait to fire.
        return Stream.concat(
            WindowOracleTest.scenarios().filter(scenario -> scenario.session || scenario.size < 3_600_000),
            WindowOracleTest.scenarios().filter(scenario -> scenario.session).map(scenario -> scenario.sliced(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldHoldExactlyTheStateAtTheBarrierWhileTheStateKeepsChanging(final WindowTestScenario scenario)
    {
        final List<String> uninterrupted = new ArrayList<>();
        scenario.replay(scenario.newOperator(uninterrupted), 0, scenario.steps.size());

        final Random random = new Random(scenario.seed);
        final int[] budgets = {1, 2, 7, 64};
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final int cut = random.nextInt(scenario.steps.size());
            final int budget = budgets[attempt];
            final String name = scenario + " cut=" + cut + " budget=" + budget;

            final WindowOperator atOnce = scenario.newOperator(new ArrayList<>());
            scenario.replay(atOnce, 0, cut);
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[atOnce.snapshotLength()]);
            final int expectedLength = atOnce.snapshotTo(expected, 0);

            final List<String> live = new ArrayList<>();
            final WindowOperator sliced = scenario.newOperator(live);
            scenario.replay(sliced, 0, cut);
            final UnsafeBuffer actual = new UnsafeBuffer(new byte[sliced.snapshotLength() + 8]);
            final int length = sliced.beginSnapshot(actual, 8);
            boolean complete = false;
            for (int step = cut; step < scenario.steps.size(); step++)
            {
                scenario.replay(sliced, step, step + 1);
                complete = sliced.continueSnapshot(budget);
            }
            if (!complete)
            {
                complete = sliced.continueSnapshot(Integer.MAX_VALUE);
            }
            assertThat(complete).as(name).isTrue();
            assertThat(live).as("outputs of the operator being snapshotted, " + name).isEqualTo(uninterrupted);

            assertThat(length).as(name).isEqualTo(expectedLength);
            assertThat(rows(scenario, actual, 8, length)).as("rows, " + name).isEqualTo(rows(scenario, expected, 0, expectedLength));
            final int rowsStart = length - rowCount(scenario, expected, 0) * rowLength(scenario, expected, 0);
            final byte[] actualHeader = new byte[rowsStart];
            final byte[] expectedHeader = new byte[rowsStart];
            actual.getBytes(8, actualHeader);
            expected.getBytes(0, expectedHeader);
            assertThat(actualHeader).as("header and watermark state, " + name).isEqualTo(expectedHeader);

            final List<String> resumed = new ArrayList<>();
            scenario.replay(scenario.newOperator(resumed), 0, cut);
            final List<String> tail = new ArrayList<>();
            final WindowOperator restored = scenario.newOperator(tail);
            assertThat(restored.restoreFrom(actual, 8)).as(name).isEqualTo(length);
            scenario.replay(restored, cut, scenario.steps.size());
            resumed.addAll(tail);
            WindowOracleTest.assertSameOutput(scenario, uninterrupted, resumed);
        }
    }

    private static int rowCount(final WindowTestScenario scenario, final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + (scenario.session ? SessionWindowOperator.ROW_COUNT_OFFSET : AlignedSnapshotHeader.ROW_COUNT_OFFSET), ORDER);
    }

    private static int rowLength(final WindowTestScenario scenario, final UnsafeBuffer buffer, final int offset)
    {
        if (scenario.session)
        {
            return SessionWindowOperator.ROW_HEADER_LENGTH + 8 * buffer.getInt(offset + SessionWindowOperator.STRIDE_OFFSET, ORDER);
        }
        return PaneSnapshot.rowLength(buffer.getInt(offset + AlignedSnapshotHeader.STRIDE_OFFSET, ORDER));
    }

    /** The rows of a snapshot as hex strings, sorted: their order in the snapshot is not part of the state. */
    private static List<String> rows(final WindowTestScenario scenario, final UnsafeBuffer buffer, final int offset, final int length)
    {
        final int count = rowCount(scenario, buffer, offset);
        final int rowLength = rowLength(scenario, buffer, offset);
        final List<String> rows = new ArrayList<>();
        for (int at = offset + length - count * rowLength; at < offset + length; at += rowLength)
        {
            final StringBuilder row = new StringBuilder();
            for (int i = 0; i < rowLength; i++)
            {
                row.append(String.format("%02x", buffer.getByte(at + i)));
            }
            rows.add(row.toString());
        }
        rows.sort(null);
        return rows;
    }
}
