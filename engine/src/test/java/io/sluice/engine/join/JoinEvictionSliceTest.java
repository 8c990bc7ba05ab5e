package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static io.sluice.engine.join.JoinTestRecords.LEFT_LENGTH;
import static io.sluice.engine.join.JoinTestRecords.RIGHT_LENGTH;
import static io.sluice.engine.join.JoinTestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incremental eviction of the interval join: a watermark step that completes thousands of
 * unmatched records emits their null-padded rows a bounded number per event, in the order of
 * unsliced eviction, and a snapshot taken half way resumes the same rows.
 */
class JoinEvictionSliceTest
{
    private static final int KEYS = 5_000;
    private static final int SLICE = 16;

    @Test
    void shouldSpreadNullPaddingOverTheFollowingEventsInTheSameOrder()
    {
        final List<String> whole = new ArrayList<>();
        final IntervalJoinOperator reference = join(JoinOperatorContext.EVICTION_SLICE_UNBOUNDED, whole);
        final List<String> inSlices = new ArrayList<>();
        final IntervalJoinOperator operator = join(SLICE, inSlices);

        fill(reference);
        fill(operator);
        final int before = whole.size();
        step(reference, 0);
        // The step's own left and right match each other: one row besides the null-padded ones.
        assertThat(whole.size() - before).as("unsliced: one event null-pads every left record").isEqualTo(KEYS + 1);

        int mostPerEvent = 0;
        int events = 0;
        while (nullPadded(inSlices).size() < KEYS && events < KEYS)
        {
            final int emitted = inSlices.size();
            step(operator, events++);
            mostPerEvent = Math.max(mostPerEvent, inSlices.size() - emitted);
        }
        // A step is two events, each evicting at most SLICE records (the KEYS lefts, null-padded,
        // and the KEYS rights, unmatched but not kept by a left join); the first step's left event
        // completes nothing (the right side's watermark still holds the join's back).
        assertThat(mostPerEvent).as("rows of one step").isEqualTo(2 * SLICE + 1);
        assertThat(events).as("steps").isEqualTo(1 + (2 * KEYS - SLICE + 2 * SLICE - 1) / (2 * SLICE));
        assertThat(nullPadded(inSlices)).hasSize(KEYS).isEqualTo(nullPadded(whole));
    }

    private static List<String> nullPadded(final List<String> rows)
    {
        final List<String> selected = new ArrayList<>();
        for (final String row : rows)
        {
            if (!row.contains(" f=" + JoinResultHandler.MATCH + " "))
            {
                selected.add(row);
            }
        }
        return selected;
    }

    @Test
    void shouldEvictOneSlicePerTickAndFinishOnContinuationTicks()
    {
        final List<String> whole = new ArrayList<>();
        final IntervalJoinOperator reference = join(JoinOperatorContext.EVICTION_SLICE_UNBOUNDED, whole);
        final List<String> inSlices = new ArrayList<>();
        final IntervalJoinOperator operator = join(SLICE, inSlices);
        fill(reference);
        fill(operator);
        step(reference, 0);
        step(operator, 0);
        assertThat(operator.evictionPending()).isTrue();
        assertThat(reference.evictionPending()).isFalse();

        final int before = nullPadded(inSlices).size();
        operator.onProcessingTime(123_456);
        assertThat(nullPadded(inSlices).size() - before).as("a tick evicts one slice, no longer the whole rest")
            .isLessThanOrEqualTo(SLICE);
        int continuations = 0;
        int mostPerTick = 0;
        while (operator.evictionPending())
        {
            final int emitted = inSlices.size();
            operator.onProcessingTime(io.sluice.engine.time.WatermarkGenerator.CONTINUATION);
            mostPerTick = Math.max(mostPerTick, inSlices.size() - emitted);
            continuations++;
            assertThat(continuations).isLessThan(10 * KEYS);
        }
        // KEYS lefts null-padded and KEYS unmatched rights (not kept by a left join) evicted, SLICE records a tick.
        assertThat(continuations).isGreaterThanOrEqualTo((2 * KEYS - 3 * SLICE) / SLICE);
        assertThat(mostPerTick).as("rows of one continuation tick").isLessThanOrEqualTo(SLICE).isPositive();
        assertThat(operator.watermark()).as("a continuation tick carries no time").isEqualTo(reference.watermark());
        assertThat(nullPadded(inSlices)).hasSize(KEYS).isEqualTo(nullPadded(whole));
        assertThat(operator.stateEntries()).isEqualTo(reference.stateEntries());
    }

    @Test
    void shouldResumeAHalfDoneEvictionAfterSnapshotAndRestore()
    {
        final List<String> uninterrupted = new ArrayList<>();
        final IntervalJoinOperator reference = join(SLICE, uninterrupted);
        fill(reference);
        for (int i = 0; i < 400; i++)
        {
            step(reference, i);
        }

        final List<String> rows = new ArrayList<>();
        final IntervalJoinOperator first = join(SLICE, rows);
        fill(first);
        for (int i = 0; i < 100; i++)
        {
            step(first, i);
        }
        assertThat(nullPadded(rows).size()).as("eviction is half done").isBetween(1, KEYS - 1);
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[first.snapshotLength() + 8]);
        first.snapshotTo(snapshot, 8);

        final List<String> tail = new ArrayList<>();
        final IntervalJoinOperator second = join(SLICE, tail);
        second.restoreFrom(snapshot, 8);
        for (int i = 100; i < 400; i++)
        {
            step(second, i);
        }
        rows.addAll(tail);
        assertThat(rows).isEqualTo(uninterrupted);
    }

    /** One unmatched left record per key, all complete at the same watermark. */
    private static void fill(final IntervalJoinOperator join)
    {
        for (int key = 0; key < KEYS; key++)
        {
            join.onLeft(key, 1_000 + (key & 7), record(LEFT_LENGTH, key + 1), 8);
            join.onRight(key + KEYS, 1_000, record(RIGHT_LENGTH, key + 1), 8);
        }
    }

    /** An event of a key with no partners, far enough ahead to complete every filled record. */
    private static void step(final IntervalJoinOperator join, final int i)
    {
        join.onLeft(3 * KEYS + i, 10_000 + i, record(LEFT_LENGTH, 100_000 + i), 8);
        join.onRight(3 * KEYS + i, 10_000 + i, record(RIGHT_LENGTH, 100_000 + i), 8);
    }

    private static IntervalJoinOperator join(final int slice, final List<String> rows)
    {
        return new JoinOperatorContext()
            .joinType(JoinType.LEFT)
            .interval(-10, 10)
            .leftRecordLength(LEFT_LENGTH)
            .rightRecordLength(RIGHT_LENGTH)
            .leftWatermarks(Watermarks.boundedOutOfOrderness(0))
            .rightWatermarks(Watermarks.boundedOutOfOrderness(0))
            .resultHandler(JoinTestRecords.capture(rows, LEFT_LENGTH, RIGHT_LENGTH))
            .expectedEntries(16)
            .evictionSlice(slice)
            .buildIntervalJoin();
    }
}
