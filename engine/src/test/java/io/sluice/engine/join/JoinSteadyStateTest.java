package io.sluice.engine.join;

import java.lang.management.ManagementFactory;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady-state properties over long runs: interval join state stays within a bound computed from
 * rate x interval (it does not grow with the run), and no join allocates per event once warm
 * (measured with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}).
 */
class JoinSteadyStateTest
{
    private static final int KEYS = 1000;
    private static final long LOWER = -100;
    private static final long UPPER = 100;
    private static final long BOUND = 20;
    private static final long LATENESS = 10;

    private final CountingHandler handler = new CountingHandler();
    private final UnsafeBuffer left = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer right = new UnsafeBuffer(new byte[64]);
    private long seed = 0x1234_5678L;

    /**
     * Sums what it reads so the JIT cannot drop the row; allocates nothing.
     */
    static final class CountingHandler implements JoinResultHandler
    {
        long rows;
        long checksum;

        @Override
        public void onJoin(
            final long key, final long timestamp, final int flags, final DirectBuffer leftBuffer, final int leftOffset,
            final DirectBuffer rightBuffer, final int rightOffset)
        {
            rows++;
            checksum += key ^ timestamp ^ flags ^ leftBuffer.getLong(leftOffset) ^ rightBuffer.getLong(rightOffset);
        }
    }

    private long nextRandom()
    {
        seed ^= seed << 13;
        seed ^= seed >>> 7;
        seed ^= seed << 17;
        return seed & Long.MAX_VALUE;
    }

    private IntervalJoinOperator intervalJoin()
    {
        return new JoinOperatorContext()
            .joinType(JoinType.OUTER)
            .interval(LOWER, UPPER)
            .allowedLateness(LATENESS)
            .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
            .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
            .leftWatermarks(Watermarks.boundedOutOfOrderness(BOUND))
            .rightWatermarks(Watermarks.boundedOutOfOrderness(BOUND))
            .resultHandler(handler)
            .expectedEntries(64)
            .buildIntervalJoin();
    }

    /**
     * One left and one right event per time unit, each up to {@link #BOUND} out of order.
     */
    private void runInterval(final IntervalJoinOperator join, final long fromTime, final long toTime, final int[] maxState)
    {
        for (long time = fromTime; time < toTime; time++)
        {
            left.putLong(0, time);
            join.onLeft(1 + nextRandom() % KEYS, time - nextRandom() % (BOUND + 1), left, 0);
            right.putLong(0, time);
            join.onRight(1 + nextRandom() % KEYS, time - nextRandom() % (BOUND + 1), right, 0);
            if (maxState != null)
            {
                maxState[0] = Math.max(maxState[0], join.stateEntries());
            }
        }
    }

    @Test
    void shouldKeepIntervalJoinStateBoundedByRateTimesIntervalOverMillionEventRun()
    {
        final IntervalJoinOperator join = intervalJoin();
        final int[] firstHalf = new int[1];
        final int[] secondHalf = new int[1];
        runInterval(join, 0, 250_000, firstHalf);
        runInterval(join, 250_000, 500_000, secondHalf);

        // Per side one event per time unit. A left record lives while W < t + upper + L and a
        // right one while W < t - lower + L, with W about maxTime - bound - 1 and arrivals up to
        // bound late: each side holds at most (span + 2 * (bound + 1)) records.
        final long ratePerSide = 1;
        final long bound = ratePerSide * ((UPPER + LATENESS + 2 * (BOUND + 1)) + (-LOWER + LATENESS + 2 * (BOUND + 1)));
        System.out.println("interval join state: max " + firstHalf[0] + " (first 500k events), " + secondHalf[0] +
            " (next 500k), bound " + bound + ", unmatched " + join.unmatchedEmitted() + ", matches " + join.matches());
        assertThat(join.lateEvents()).isZero();
        assertThat(firstHalf[0]).isLessThanOrEqualTo((int)bound);
        assertThat(secondHalf[0]).isLessThanOrEqualTo((int)bound);
        assertThat(join.stateBytes()).isLessThanOrEqualTo(bound * JoinTestRecords.RIGHT_LENGTH);
        assertThat(join.unmatchedEmitted()).isPositive();
        assertThat(join.matches()).isPositive();
        join.endOfInput();
        assertThat(join.stateEntries()).isZero();
    }

    @Test
    void shouldNotAllocateInSteadyStateIntervalJoin()
    {
        final IntervalJoinOperator join = intervalJoin();
        runInterval(join, 0, 200_000, null);
        final long allocated = allocatedDuring(() -> runInterval(join, 200_000, 700_000, null));
        assertThat(allocated).as("bytes allocated by 1M interval join events").isZero();
        assertThat(handler.rows).isPositive();
    }

    @Test
    void shouldNotAllocateInSteadyStateStreamTableJoins()
    {
        for (final int versions : new int[] {0, 4})
        {
            final StreamTableJoinOperator join = new JoinOperatorContext()
                .joinType(JoinType.LEFT)
                .versionedHistory(versions)
                .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
                .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
                .resultHandler(handler)
                .expectedEntries(KEYS)
                .buildStreamTableJoin();
            final Runnable run = () ->
            {
                for (int i = 0; i < 500_000; i++)
                {
                    final long key = 1 + nextRandom() % KEYS;
                    final long roll = nextRandom() % 10;
                    if (roll < 3)
                    {
                        join.onTableUpsert(key, i - nextRandom() % 50, right, 0);
                    }
                    else if (roll < 4)
                    {
                        join.onTableDelete(key, i);
                    }
                    else
                    {
                        join.onStreamEvent(key, i - nextRandom() % 50, left, 0);
                    }
                }
            };
            run.run();
            assertThat(allocatedDuring(run)).as("bytes allocated, versions=" + versions).isZero();
        }
    }

    @Test
    void shouldNotAllocateInSteadyStateTableTableJoin()
    {
        final TableTableJoinOperator join = new JoinOperatorContext()
            .joinType(JoinType.OUTER)
            .leftRecordLength(JoinTestRecords.LEFT_LENGTH)
            .rightRecordLength(JoinTestRecords.RIGHT_LENGTH)
            .resultHandler(handler)
            .expectedEntries(KEYS)
            .buildTableTableJoin();
        final Runnable run = () ->
        {
            for (int i = 0; i < 500_000; i++)
            {
                final long key = 1 + nextRandom() % KEYS;
                switch ((int)(nextRandom() % 4))
                {
                    case 0:
                        join.onLeftUpsert(key, i, left, 0);
                        break;
                    case 1:
                        join.onRightUpsert(key, i, right, 0);
                        break;
                    case 2:
                        join.onLeftDelete(key, i);
                        break;
                    default:
                        join.onRightDelete(key, i);
                        break;
                }
            }
        };
        run.run();
        assertThat(allocatedDuring(run)).isZero();
        assertThat(join.tombstones()).isPositive();
    }

    private static long allocatedDuring(final Runnable work)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final long calibrationBefore = threads.getThreadAllocatedBytes(thread);
        final long calibrationAfter = threads.getThreadAllocatedBytes(thread);
        final long overhead = calibrationAfter - calibrationBefore;
        final long before = threads.getThreadAllocatedBytes(thread);
        work.run();
        final long after = threads.getThreadAllocatedBytes(thread);
        return Math.max(0, after - before - overhead);
    }
}
