package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static io.sluice.engine.join.JoinTestRecords.LEFT_LENGTH;
import static io.sluice.engine.join.JoinTestRecords.RIGHT_LENGTH;
import static io.sluice.engine.join.JoinTestRecords.record;
import static io.sluice.engine.join.JoinTestRecords.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Boundary cases of every join, spelled out one by one.
 */
class JoinSemanticsTest
{
    private final List<String> rows = new ArrayList<>();
    private final List<String> late = new ArrayList<>();

    private IntervalJoinOperator interval(final JoinType type, final long lower, final long upper, final long lateness)
    {
        return new JoinOperatorContext()
            .joinType(type)
            .interval(lower, upper)
            .allowedLateness(lateness)
            .leftRecordLength(LEFT_LENGTH)
            .rightRecordLength(RIGHT_LENGTH)
            .resultHandler(JoinTestRecords.capture(rows, LEFT_LENGTH, RIGHT_LENGTH))
            .lateEventHandler((side, key, timestamp, watermark, buffer, offset) ->
                late.add(side + ":" + timestamp + "@" + watermark))
            .buildIntervalJoin();
    }

    private static void left(final IntervalJoinOperator join, final long key, final long timestamp, final long id)
    {
        join.onLeft(key, timestamp, record(LEFT_LENGTH, id), 8);
    }

    private static void right(final IntervalJoinOperator join, final long key, final long timestamp, final long id)
    {
        join.onRight(key, timestamp, record(RIGHT_LENGTH, id), 8);
    }

    @Test
    void shouldMatchBothIntervalBoundsInclusivelyAndNothingOutside()
    {
        final IntervalJoinOperator join = interval(JoinType.INNER, -5, 10, 0);
        left(join, 1, 100, 1);
        right(join, 1, 94, 10);
        right(join, 1, 95, 11);
        right(join, 1, 110, 12);
        right(join, 1, 111, 13);
        right(join, 2, 100, 14);

        assertThat(rows).containsExactly(row(1, 100, 0, 1, 11), row(1, 110, 0, 1, 12));
        assertThat(join.matches()).isEqualTo(2);
    }

    @Test
    void shouldMatchBoundsInclusivelyWhenTheLeftArrivesLast()
    {
        final IntervalJoinOperator join = interval(JoinType.INNER, -5, 10, 0);
        right(join, 1, 94, 10);
        right(join, 1, 95, 11);
        right(join, 1, 110, 12);
        right(join, 1, 111, 13);
        left(join, 1, 100, 1);

        assertThat(rows).containsExactly(row(1, 100, 0, 1, 11), row(1, 110, 0, 1, 12));
    }

    @Test
    void shouldEmitUnmatchedLeftExactlyOnceOnlyAfterWatermarkPassesTsPlusUpper()
    {
        final IntervalJoinOperator join = interval(JoinType.LEFT, 0, 10, 0);
        left(join, 1, 100, 1);
        right(join, 2, 110, 20);
        left(join, 3, 200, 2);
        assertThat(join.watermark()).isEqualTo(109);
        assertThat(rows).isEmpty();

        right(join, 1, 111, 21);
        assertThat(join.watermark()).isEqualTo(110);
        assertThat(rows).containsExactly(row(1, 100, JoinResultHandler.RIGHT_NULL, 1, 0));

        join.endOfInput();
        assertThat(rows).containsExactly(
            row(1, 100, JoinResultHandler.RIGHT_NULL, 1, 0),
            row(3, 200, JoinResultHandler.RIGHT_NULL, 2, 0));
        assertThat(join.unmatchedEmitted()).isEqualTo(2);
    }

    @Test
    void shouldNotEmitUnmatchedForRowsThatMatchedAndShouldEvictOnWatermark()
    {
        final IntervalJoinOperator join = interval(JoinType.OUTER, 0, 10, 0);
        left(join, 1, 100, 1);
        right(join, 1, 105, 10);
        assertThat(rows).containsExactly(row(1, 105, 0, 1, 10));
        assertThat(join.stateEntries()).isEqualTo(2);

        left(join, 9, 500, 2);
        right(join, 9, 1000, 11);
        assertThat(join.watermark()).isEqualTo(499);
        assertThat(rows).containsExactly(row(1, 105, 0, 1, 10));
        assertThat(join.stateEntries()).isEqualTo(2);
        assertThat(join.stateBytes()).isEqualTo(LEFT_LENGTH + RIGHT_LENGTH);
        assertThat(join.unmatchedEmitted()).isZero();
    }

    @Test
    void shouldEmitUnmatchedRightOfOuterJoinAfterWatermarkPassesTsMinusLower()
    {
        final IntervalJoinOperator join = interval(JoinType.OUTER, -3, 10, 0);
        right(join, 1, 100, 10);
        left(join, 2, 102, 1);
        right(join, 2, 103, 11);
        assertThat(rows).containsExactly(row(2, 103, 0, 1, 11));
        left(join, 2, 103, 2);
        assertThat(rows).hasSize(2);
        right(join, 2, 104, 12);
        assertThat(join.watermark()).isEqualTo(102);
        assertThat(rows).hasSize(4).noneMatch(row -> row.contains("R=10"));

        left(join, 2, 104, 3);
        assertThat(join.watermark()).isEqualTo(103);
        assertThat(rows).last().isEqualTo(row(1, 100, JoinResultHandler.LEFT_NULL, 0, 10));
    }

    @Test
    void shouldSendEventsBeyondAllowedLatenessToLateOutputAndJoinThoseWithin()
    {
        final IntervalJoinOperator join = interval(JoinType.LEFT, 0, 5, 3);
        left(join, 1, 100, 1);
        right(join, 1, 100, 10);
        left(join, 1, 97, 2);
        right(join, 1, 98, 11);
        assertThat(late).isEmpty();
        left(join, 1, 96, 3);
        right(join, 1, 96, 12);
        assertThat(late).containsExactly("0:96@99", "1:96@99");
        assertThat(join.lateEvents()).isEqualTo(2);
        assertThat(rows).contains(row(1, 98, 0, 2, 11), row(1, 100, 0, 2, 10));
    }

    @Test
    void shouldHoldUnmatchedRowsUntilAllowedLatenessHasPassed()
    {
        final IntervalJoinOperator join = interval(JoinType.LEFT, 0, 5, 3);
        left(join, 1, 100, 1);
        right(join, 2, 106, 10);
        left(join, 2, 106, 2);
        assertThat(join.watermark()).isEqualTo(105);
        assertThat(rows).containsExactly(row(2, 106, 0, 2, 10));
        right(join, 1, 104, 11);
        assertThat(rows).containsExactly(row(2, 106, 0, 2, 10), row(1, 104, 0, 1, 11));
        join.endOfInput();
        assertThat(join.unmatchedEmitted()).isZero();
        assertThat(join.stateEntries()).isZero();
    }

    @Test
    void shouldEmitAnUnmatchedRowAtOnceWhenItsIntervalIsAlreadyComplete()
    {
        final IntervalJoinOperator join = interval(JoinType.LEFT, -10, -5, 0);
        left(join, 7, 200, 9);
        right(join, 7, 98, 10);
        assertThat(join.watermark()).isEqualTo(97);
        left(join, 1, 100, 1);
        assertThat(rows).containsExactly(row(1, 100, JoinResultHandler.RIGHT_NULL, 1, 0));
        assertThat(join.stateEntries(JoinResultHandler.LEFT)).isEqualTo(1);
    }

    @Test
    void shouldTakeTheMinimumOfBothSidesWatermarks()
    {
        final IntervalJoinOperator join = new JoinOperatorContext()
            .joinType(JoinType.INNER).interval(0, 1).leftRecordLength(LEFT_LENGTH).rightRecordLength(RIGHT_LENGTH)
            .leftWatermarks(Watermarks.boundedOutOfOrderness(10))
            .rightWatermarks(Watermarks.boundedOutOfOrderness(2))
            .resultHandler((key, timestamp, flags, l, lo, r, ro) -> {})
            .buildIntervalJoin();
        assertThat(join.watermark()).isEqualTo(Long.MIN_VALUE);
        left(join, 1, 100, 1);
        assertThat(join.watermark()).isEqualTo(Long.MIN_VALUE);
        right(join, 1, 100, 2);
        assertThat(join.watermark()).isEqualTo(89);
        join.advanceWatermarkTo(JoinResultHandler.LEFT, 95);
        assertThat(join.watermark()).isEqualTo(95);
    }

    @Test
    void shouldRejectInvalidConfigurationAtBuildTime()
    {
        assertThatThrownBy(() -> new JoinOperatorContext().interval(5, 4).leftRecordLength(8).rightRecordLength(8)
            .resultHandler((key, timestamp, flags, l, lo, r, ro) -> {}).buildIntervalJoin())
            .hasMessageContaining("lower must be <= upper");
        assertThatThrownBy(() -> new JoinOperatorContext().joinType(JoinType.OUTER).leftRecordLength(8)
            .rightRecordLength(8).resultHandler((key, timestamp, flags, l, lo, r, ro) -> {}).buildStreamTableJoin())
            .hasMessageContaining("INNER or LEFT");
        assertThatThrownBy(() -> new JoinOperatorContext().interval(0, 1).leftRecordLength(8).rightRecordLength(8)
            .buildIntervalJoin())
            .hasMessageContaining("resultHandler");
    }

    private TableTableJoinOperator tableTable(final JoinType type)
    {
        return new JoinOperatorContext().joinType(type).leftRecordLength(LEFT_LENGTH).rightRecordLength(RIGHT_LENGTH)
            .resultHandler(JoinTestRecords.capture(rows, LEFT_LENGTH, RIGHT_LENGTH)).buildTableTableJoin();
    }

    @Test
    void shouldPropagateTombstonesThroughInnerTableTableJoin()
    {
        final TableTableJoinOperator join = tableTable(JoinType.INNER);
        join.onLeftUpsert(1, 10, record(LEFT_LENGTH, 1), 8);
        join.onRightDelete(1, 11);
        assertThat(rows).isEmpty();
        join.onRightUpsert(1, 12, record(RIGHT_LENGTH, 2), 8);
        join.onLeftUpsert(1, 9, record(LEFT_LENGTH, 3), 8);
        join.onRightDelete(1, 13);
        join.onLeftDelete(1, 14);
        assertThat(rows).containsExactly(
            row(1, 12, 0, 1, 2), row(1, 12, 0, 3, 2), row(1, 13, JoinResultHandler.TOMBSTONE, 0, 0));
        assertThat(join.stateEntries()).isZero();
    }

    @Test
    void shouldEmitNullPaddedRowOrTombstoneInLeftAndOuterTableTableJoins()
    {
        final TableTableJoinOperator leftJoin = tableTable(JoinType.LEFT);
        leftJoin.onRightUpsert(1, 1, record(RIGHT_LENGTH, 2), 8);
        leftJoin.onLeftUpsert(1, 2, record(LEFT_LENGTH, 1), 8);
        leftJoin.onRightDelete(1, 3);
        leftJoin.onLeftDelete(1, 4);
        assertThat(rows).containsExactly(
            row(1, 2, 0, 1, 2), row(1, 3, JoinResultHandler.RIGHT_NULL, 1, 0), row(1, 4, JoinResultHandler.TOMBSTONE, 0, 0));

        rows.clear();
        final TableTableJoinOperator outer = tableTable(JoinType.OUTER);
        outer.onRightUpsert(1, 1, record(RIGHT_LENGTH, 2), 8);
        outer.onLeftUpsert(1, 2, record(LEFT_LENGTH, 1), 8);
        outer.onLeftDelete(1, 3);
        outer.onRightDelete(1, 4);
        outer.onRightDelete(1, 5);
        assertThat(rows).containsExactly(
            row(1, 1, JoinResultHandler.LEFT_NULL, 0, 2), row(1, 2, 0, 1, 2),
            row(1, 3, JoinResultHandler.LEFT_NULL, 0, 2), row(1, 4, JoinResultHandler.TOMBSTONE, 0, 0));
    }

    @Test
    void shouldEnrichWithValueCurrentAtTheEventsPositionInProcessedOrder()
    {
        final StreamTableJoinOperator join = new JoinOperatorContext().joinType(JoinType.LEFT)
            .leftRecordLength(LEFT_LENGTH).rightRecordLength(RIGHT_LENGTH)
            .resultHandler(JoinTestRecords.capture(rows, LEFT_LENGTH, RIGHT_LENGTH)).buildStreamTableJoin();
        final UnsafeBuffer event = record(LEFT_LENGTH, 1);
        join.onStreamEvent(1, 100, event, 8);
        join.onTableUpsert(1, 500, record(RIGHT_LENGTH, 7), 8);
        join.onStreamEvent(1, 100, event, 8);
        join.onTableDelete(1, 50);
        join.onStreamEvent(1, 100, event, 8);
        assertThat(rows).containsExactly(
            row(1, 100, JoinResultHandler.RIGHT_NULL, 1, 0), row(1, 100, 0, 1, 7),
            row(1, 100, JoinResultHandler.RIGHT_NULL, 1, 0));
    }

    @Test
    void shouldLookUpVersionAsOfEventTimeAndCountMissesBeyondTheBoundedHistory()
    {
        final StreamTableJoinOperator join = new JoinOperatorContext().joinType(JoinType.LEFT).versionedHistory(2)
            .leftRecordLength(LEFT_LENGTH).rightRecordLength(RIGHT_LENGTH)
            .resultHandler(JoinTestRecords.capture(rows, LEFT_LENGTH, RIGHT_LENGTH)).buildStreamTableJoin();
        final UnsafeBuffer event = record(LEFT_LENGTH, 1);
        join.onTableUpsert(1, 10, record(RIGHT_LENGTH, 10), 8);
        join.onTableUpsert(1, 30, record(RIGHT_LENGTH, 30), 8);
        join.onStreamEvent(1, 5, event, 8);
        join.onStreamEvent(1, 10, event, 8);
        join.onStreamEvent(1, 29, event, 8);
        join.onTableUpsert(1, 20, record(RIGHT_LENGTH, 20), 8);
        join.onStreamEvent(1, 15, event, 8);
        join.onStreamEvent(1, 25, event, 8);
        join.onTableDelete(1, 40);
        join.onStreamEvent(1, 45, event, 8);
        join.onStreamEvent(1, 35, event, 8);

        assertThat(rows).containsExactly(
            row(1, 5, JoinResultHandler.RIGHT_NULL, 1, 0), row(1, 10, 0, 1, 10), row(1, 29, 0, 1, 10),
            row(1, 15, JoinResultHandler.RIGHT_NULL, 1, 0), row(1, 25, 0, 1, 20),
            row(1, 45, JoinResultHandler.RIGHT_NULL, 1, 0), row(1, 35, 0, 1, 30));
        assertThat(join.historyMisses()).isEqualTo(1);
        assertThat(join.versionsDropped()).isEqualTo(2);
        assertThat(join.stateEntries()).isEqualTo(2);
    }
}
