package io.sluice.engine.window;

import io.sluice.engine.time.Watermarks;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import io.sluice.schema.EventValues;

/**
 * After warm-up, millions of events through an operator must allocate nothing on the calling
 * thread, measured with {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}
 * around the loop. No timing is asserted.
 *
 * <p>A round of millions of events may still see a few hundred bytes once: the JIT deoptimising a
 * method whose allocations escape analysis had removed re-creates those objects in the interpreter
 * (seen under load, when compilation runs late beside other tests). That happens once per
 * recompilation, whereas an allocation of the operator's own happens per event or per window, in every
 * round. So the test measures up to {@value #ROUNDS} rounds and requires one of them to allocate
 * nothing at all; a failure lists every round.
 */
class WindowAllocationTest
{
    private static final int ROUNDS = 5;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private final ChecksumHandler handler = new ChecksumHandler();
    private final CountingLateHandler lateHandler = new CountingLateHandler();
    private final TestEvent event = new TestEvent();

    @Test
    void shouldNotAllocatePerEventForTumblingWindowsWithLateUpdates()
    {
        final WindowOperator operator = context(1000).tumbling(1000).allowedLateness(2000)
            .watermarks(Watermarks.boundedOutOfOrderness(100)).build();

        assertZeroAllocation(operator, 1000, 10, 1_000_000, 3_000_000);
        assertThat(handler.updates).isPositive();
    }

    @Test
    void shouldNotAllocatePerEventForSlidingWindowsWithLateUpdates()
    {
        final WindowOperator operator = context(100).sliding(60_000, 1000).allowedLateness(2000)
            .watermarks(Watermarks.boundedOutOfOrderness(100)).build();

        assertZeroAllocation(operator, 100, 1, 500_000, 3_000_000);
        assertThat(handler.updates).isPositive();
    }

    @Test
    void shouldNotAllocatePerEventForSlidingHourBySecondWindows()
    {
        final WindowOperator operator = context(10).sliding(3_600_000, 1000)
            .watermarks(Watermarks.boundedOutOfOrderness(100)).build();

        assertZeroAllocation(operator, 4, 1, 3_700_000, 1_000_000);
    }

    @Test
    void shouldNotAllocatePerEventForSessionWindows()
    {
        final WindowOperator operator = context(1000).session(500).allowedLateness(200)
            .watermarks(Watermarks.boundedOutOfOrderness(100)).build();

        assertZeroAllocation(operator, 1000, 1, 1_000_000, 3_000_000);
    }

    private WindowOperatorContext context(final int keys)
    {
        return new WindowOperatorContext()
            .aggregators(
                Aggregators.count(), Aggregators.sumDouble(1), Aggregators.minLong(0), Aggregators.maxDouble(1),
                Aggregators.avgLong(0), Aggregators.firstLong(0), Aggregators.lastDouble(1))
            .resultHandler(handler)
            .lateEventHandler(lateHandler)
            .expectedEntries(keys * 4);
    }

    private void assertZeroAllocation(
        final WindowOperator operator, final int keys, final int eventsPerMilli, final int warmUp, final int measured)
    {
        run(operator, keys, eventsPerMilli, 0, warmUp);
        run(operator, keys, eventsPerMilli, warmUp, 1000);
        final long resultsBefore = handler.results;

        final long[] allocatedPerRound = new long[ROUNDS];
        long from = warmUp + 1000;
        int round = 0;
        do
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            run(operator, keys, eventsPerMilli, from, measured);
            allocatedPerRound[round] = THREADS.getCurrentThreadAllocatedBytes() - before;
            from += measured;
        }
        while (allocatedPerRound[round] != 0 && ++round < ROUNDS);

        assertThat(handler.results).isGreaterThan(resultsBefore);
        assertThat(lateHandler.count).isEqualTo(operator.lateEventsDropped());
        assertThat(allocatedPerRound)
            .as("bytes allocated per round of %d events (one round of zero needed)", measured)
            .contains(0L);
    }

    private void run(
        final WindowOperator operator, final int keys, final int eventsPerMilli, final long from, final int count)
    {
        for (long i = from, end = from + count; i < end; i++)
        {
            long timestamp = i / eventsPerMilli - (i * 31) % 50;
            if (i % 1000 == 999)
            {
                timestamp -= 1500;
            }
            operator.onEvent((i * 7) % keys, timestamp, event.set(i & 1023, (i & 255) * 0.5));
        }
    }

    private static final class ChecksumHandler implements WindowResultHandler
    {
        long results;
        long updates;
        long checksum;

        @Override
        public void onResult(
            final long key, final long windowStart, final long windowEnd, final int flags, final WindowResult result)
        {
            results++;
            if (flags == UPDATE)
            {
                updates++;
            }
            checksum += key ^ windowEnd ^ result.longValue(0) ^ Double.doubleToRawLongBits(result.doubleValue(1));
        }
    }

    private static final class CountingLateHandler implements LateEventHandler
    {
        long count;

        @Override
        public void onLateEvent(final long key, final long timestamp, final long watermark, final EventValues values)
        {
            count++;
        }
    }
}
