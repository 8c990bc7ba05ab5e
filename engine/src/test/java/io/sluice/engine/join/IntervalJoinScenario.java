package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.time.Watermarks;

/**
 * A seeded random interval-join input: both sides interleaved, out of order within each side's
 * bound, a few keys (so many duplicates), a sprinkle of events beyond the bound (late or not,
 * depending on lateness), a tick-free run ended by end of input. The keys mix small ones, which the
 * operator's key index finds directly, with negative and huge ones, which it hashes.
 */
final class IntervalJoinScenario
{
    static final int LEFT = 0;
    static final int RIGHT = 1;
    static final int END = 2;

    final long seed;
    final JoinType type;
    final long lower;
    final long upper;
    final long lateness;
    final long leftBound;
    final long rightBound;
    final List<long[]> steps = new ArrayList<>();
    /** Small keys (found directly), a negative and two huge keys (hashed). */
    private static final long[] KEY_SPACE = {1, -3, 1L << 40, 2, Long.MIN_VALUE + 5, 6};
    int evictionSlice = JoinOperatorContext.EVICTION_SLICE_UNBOUNDED;

    IntervalJoinScenario(final long seed, final JoinType type)
    {
        this.seed = seed;
        this.type = type;
        final Random random = new Random(seed);
        lower = random.nextInt(31) - 20;
        upper = lower + random.nextInt(31);
        lateness = random.nextInt(3) == 0 ? random.nextInt(8) : 0;
        leftBound = new long[] {0, 3, 10}[random.nextInt(3)];
        rightBound = new long[] {0, 2, 7}[random.nextInt(3)];
        final int keys = 1 + random.nextInt(6);
        final int events = 1500 + random.nextInt(1000);
        long clock = 1000 + random.nextInt(100) - 50;
        long id = 1;
        for (int i = 0; i < events; i++)
        {
            clock += random.nextInt(3);
            final int side = random.nextInt(100) < 45 + random.nextInt(10) ? LEFT : RIGHT;
            final long bound = side == LEFT ? leftBound : rightBound;
            long timestamp = clock - (bound == 0 ? 0 : random.nextInt((int)bound + 1));
            if (random.nextInt(100) < 3)
            {
                timestamp = clock - bound - 1 - random.nextInt(30);
            }
            steps.add(new long[] {side, KEY_SPACE[random.nextInt(keys)], timestamp, id++});
        }
        steps.add(new long[] {END, 0, 0, 0});
    }

    IntervalJoinOperator newOperator(final List<String> rows, final List<String> late)
    {
        return new JoinOperatorContext()
            .joinType(type)
            .interval(lower, upper)
            .allowedLateness(lateness)
            .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
            .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
            .leftWatermarks(Watermarks.boundedOutOfOrderness(leftBound))
            .rightWatermarks(Watermarks.boundedOutOfOrderness(rightBound))
            .resultHandler(JoinTestRecords.capture(rows, JoinTestRecords.LEFT_LENGTH, JoinTestRecords.RIGHT_LENGTH))
            .lateEventHandler((side, key, timestamp, watermark, buffer, offset) ->
                late.add(side + ":" + key + ":" + timestamp + ":" + buffer.getLong(offset) + "@" + watermark))
            .expectedEntries(4)
            .evictionSlice(evictionSlice)
            .buildIntervalJoin();
    }

    void replay(final IntervalJoinOperator operator, final int from, final int to)
    {
        final UnsafeBuffer left = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer right = new UnsafeBuffer(new byte[64]);
        for (int i = from; i < to; i++)
        {
            final long[] step = steps.get(i);
            if (step[0] == LEFT)
            {
                JoinTestRecords.fill(left, 5, JoinTestRecords.LEFT_LENGTH, step[3]);
                operator.onLeft(step[1], step[2], left, 5);
            }
            else if (step[0] == RIGHT)
            {
                JoinTestRecords.fill(right, 3, JoinTestRecords.RIGHT_LENGTH, step[3]);
                operator.onRight(step[1], step[2], right, 3);
            }
            else
            {
                operator.endOfInput();
            }
        }
    }

    ReferenceIntervalJoin reference()
    {
        final ReferenceIntervalJoin reference = new ReferenceIntervalJoin(type, lower, upper, lateness, leftBound, rightBound);
        for (final long[] step : steps)
        {
            if (step[0] == END)
            {
                reference.endOfInput();
            }
            else
            {
                reference.onEvent((int)step[0], step[1], step[2], step[3]);
            }
        }
        return reference;
    }

    @Override
    public String toString()
    {
        return type + (evictionSlice == JoinOperatorContext.EVICTION_SLICE_UNBOUNDED ? "" : " slice=" + evictionSlice) +
            " seed=" + seed + " [" + lower + ", " + upper + "] lateness=" + lateness + " bounds=" +
            leftBound + "/" + rightBound + " (rerun with -Dsluice.test.seed=" + seed + ")";
    }
}
