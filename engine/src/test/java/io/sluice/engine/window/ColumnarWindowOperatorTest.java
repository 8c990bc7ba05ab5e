package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The columnar kernel against {@link AlignedWindowOperator} over the same seeded random events: the same results
 * (key, window, flags, every aggregate) in the same order, each emitted after the same event (the firing slices), the
 * same late side output and counters. Inputs mix tumbling windows, hopping windows with gaps and sliding windows
 * (of up to 16 panes, the hop dividing the size or not), offsets, counts, sums, minima, maxima and averages (with and
 * without a count), late events and events late for some of their windows only (while those still fire), jumps of the
 * watermark, negative times and windows starting before 0, and more keys than the kernel's initial table holds. {@code -Dsluice.test.seed=}
 * replays a run.
 */
class ColumnarWindowOperatorTest
{
    /** Size, hop, offset, watermark bound: tumbling, hopping with gaps, sliding (size a multiple of the hop or not). */
    private static final long[][] WINDOWS = {{10, 10, 0, 5}, {7, 7, 3, 0}, {6, 10, 0, 3}, {3, 7, -3, 2}, {100, 100, 0, 40},
        {5, 40, 12, 9}, {6, 2, 0, 3}, {10, 4, 1, 5}, {12, 3, -5, 8}, {9, 3, 2, 0}, {48, 3, 0, 30}};
    private static final int[] SLICES = {1, 3, 64, WindowOperatorContext.FIRING_SLICE_UNBOUNDED};

    @Test
    void shouldEmitWhatTheAlignedOperatorEmitsAfterTheSameEvents()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < 66; round++)
        {
            final long[] window = WINDOWS[round % WINDOWS.length];
            final PrimitiveAggregator[] aggregators = aggregators(round / WINDOWS.length % 6);
            final int slice = SLICES[random.nextInt(SLICES.length)];
            final int keys = random.nextBoolean() ? 1 + random.nextInt(8) : 500 + random.nextInt(3000);
            final Events events = Events.generate(random, 1000 + random.nextInt(4000), keys, window[0], window[3]);
            final String what = "seed " + seed + " round " + round + " window " + java.util.Arrays.toString(window) + " slice " + slice +
                " keys " + keys;

            final List<String> expected = new ArrayList<>();
            final List<String> expectedLate = new ArrayList<>();
            final int[] at = {0};
            final WindowOperator reference = context(window, aggregators, slice, expected, expectedLate, at).build();
            for (int i = 0; i < events.count; i++)
            {
                at[0] = i;
                reference.onEvent(events.key[i], events.time[i], new TestEvent().set(events.value[i], 0));
            }
            at[0] = -1;
            reference.endOfInput();

            final List<String> actual = new ArrayList<>();
            final List<String> actualLate = new ArrayList<>();
            final ColumnarWindowOperator kernel = context(window, aggregators, slice, actual, actualLate, at).buildColumnar();
            assertThat(kernel).as(what).isNotNull();
            final long[][] columns = {events.value};
            int next = 0;
            while (next < events.count)
            {
                final int to = Math.min(events.count, next + 1 + random.nextInt(300));
                while (next < to)
                {
                    // Results emitted in this call come from its last event: the kernel stops after an event that emits.
                    at[0] = Integer.MIN_VALUE;
                    final int processed = kernel.onColumns(events.key, events.time, columns, next, to);
                    assertThat(processed).as(what).isGreaterThan(next).isLessThanOrEqualTo(to);
                    tag(actual, processed - 1);
                    next = processed;
                }
            }
            at[0] = -1;
            kernel.endOfInput();

            assertThat(actual).as(what).isEqualTo(expected);
            assertThat(actualLate).as(what).isEqualTo(expectedLate);
            assertThat(kernel.lateEventsDropped()).as(what).isEqualTo(reference.lateEventsDropped());
            assertThat(kernel.unassignedEvents()).as(what).isEqualTo(reference.unassignedEvents());
            assertThat(kernel.windowsFired()).as(what).isEqualTo(reference.windowsFired()).isEqualTo(expected.size());
            assertThat(kernel.watermark()).as(what).isEqualTo(reference.watermark());
            assertThat(kernel.stateEntries()).as(what).isZero();
            assertThat(expected).as(what).isNotEmpty();
        }
    }

    @Test
    void shouldTakeEventsOneAtATimeAsWell()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < 22; round++)
        {
            final long[] window = WINDOWS[round % WINDOWS.length];
            final PrimitiveAggregator[] aggregators = aggregators(round % 6);
            final Events events = Events.generate(random, 2000, 700, window[0], window[3]);
            final List<String> expected = new ArrayList<>();
            final List<String> actual = new ArrayList<>();
            final int[] at = {0};
            final WindowOperator reference = context(window, aggregators, 2, expected, expected, at).build();
            final WindowOperator kernel = context(window, aggregators, 2, actual, actual, at).buildColumnar();
            for (int i = 0; i < events.count; i++)
            {
                at[0] = i;
                reference.onEvent(events.key[i], events.time[i], new TestEvent().set(events.value[i], 0));
                kernel.onEvent(events.key[i], events.time[i], new TestEvent().set(events.value[i], 0));
            }
            at[0] = -1;
            reference.endOfInput();
            kernel.endOfInput();
            assertThat(actual).as("seed " + seed + " round " + round).isEqualTo(expected).isNotEmpty();
        }
    }

    @Test
    void shouldBeBuiltOnlyWhereItGivesTheAlignedOperatorsResults()
    {
        final WindowResultHandler none = (key, start, end, flags, result) -> { };
        assertThat(new WindowOperatorContext().tumbling(10).aggregators(Aggregators.count()).resultHandler(none).buildColumnar()).isNotNull();
        assertThat(new WindowOperatorContext().hopping(5, 10).aggregators(Aggregators.maxLong(0)).resultHandler(none).buildColumnar())
            .isNotNull();
        assertThat(new WindowOperatorContext().sliding(10, 5).aggregators(Aggregators.count()).resultHandler(none).buildColumnar())
            .isNotNull();
        assertThat(new WindowOperatorContext().sliding(16, 1).aggregators(Aggregators.count()).resultHandler(none).buildColumnar())
            .isNotNull();
        // Windows of more than 16 panes, lateness, early results and double or first/last aggregates: not the kernel.
        assertThat(new WindowOperatorContext().sliding(17, 1).aggregators(Aggregators.count()).resultHandler(none).buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().sliding(3_600_000, 1_000).aggregators(Aggregators.count()).resultHandler(none)
            .buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().tumbling(10).allowedLateness(5).aggregators(Aggregators.count()).resultHandler(none)
            .buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().tumbling(10).earlyOnUpdate(true).aggregators(Aggregators.count()).resultHandler(none)
            .buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().tumbling(10).aggregators(Aggregators.count(), Aggregators.sumDouble(1)).resultHandler(none)
            .buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().tumbling(10).aggregators(Aggregators.firstLong(0)).resultHandler(none).buildColumnar()).isNull();
        assertThat(new WindowOperatorContext().session(10).aggregators(Aggregators.count()).resultHandler(none).buildColumnar()).isNull();
    }

    /** Marks the results not yet tagged with the event that emitted them. */
    private static void tag(final List<String> results, final int event)
    {
        for (int i = results.size() - 1; i >= 0 && results.get(i).startsWith("?"); i--)
        {
            results.set(i, "after " + event + results.get(i).substring(1));
        }
    }

    private static WindowOperatorContext context(
        final long[] window, final PrimitiveAggregator[] aggregators, final int slice, final List<String> out, final List<String> late,
        final int[] at)
    {
        final WindowOperatorContext context = new WindowOperatorContext()
            .offset(window[2])
            .watermarks(Watermarks.boundedOutOfOrderness(window[3]))
            .aggregators(aggregators)
            .expectedEntries(4)
            .firingSlice(slice)
            .resultHandler((key, start, end, flags, result) -> out.add(
                (at[0] == Integer.MIN_VALUE ? "?" : "after " + at[0]) + " " + TestAggregates.flagName(flags) + " key=" + key + " [" +
                    start + ',' + end + ") " + values(result)))
            .lateEventHandler((key, timestamp, watermark, values) -> late.add(
                TestAggregates.late(key, timestamp, watermark) + " value=" + values.longValue(0)));
        return window[0] == window[1] ? context.tumbling(window[0]) : context.hopping(window[0], window[1]);
    }

    private static String values(final WindowResult result)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < result.aggregateCount(); i++)
        {
            text.append(result.longValue(i)).append('/').append(result.doubleValue(i)).append(' ');
        }
        return text.toString();
    }

    static PrimitiveAggregator[] aggregators(final int set)
    {
        switch (set)
        {
            case 0:
                return new PrimitiveAggregator[]{Aggregators.count(), Aggregators.sumLong(0)};
            case 1:
                return new PrimitiveAggregator[]{Aggregators.sumLong(0), Aggregators.count()};
            case 2:
                return new PrimitiveAggregator[]{
                    Aggregators.count(), Aggregators.sumLong(0), Aggregators.minLong(0), Aggregators.maxLong(0), Aggregators.avgLong(0)};
            case 3:
                return new PrimitiveAggregator[]{Aggregators.minLong(0), Aggregators.maxLong(0)};
            case 4:
                return new PrimitiveAggregator[]{Aggregators.sumLong(0)};
            default:
                return new PrimitiveAggregator[]{Aggregators.avgLong(0), Aggregators.count(), Aggregators.count()};
        }
    }

    /** Seeded events: keys drawn from a pool of random longs, times mostly within the bound, some late, some jumps. */
    static final class Events
    {
        final long[] key;
        final long[] time;
        final long[] value;
        final int count;

        private Events(final int count)
        {
            this.key = new long[count];
            this.time = new long[count];
            this.value = new long[count];
            this.count = count;
        }

        static Events generate(final Random random, final int count, final int keys, final long size, final long bound)
        {
            final long[] pool = new long[keys];
            for (int k = 0; k < keys; k++)
            {
                pool[k] = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(2 * keys) - keys;
            }
            final Events events = new Events(count);
            // Windows starting before 0 and negative times: the clock starts below 0.
            long clock = -3 * size - random.nextInt((int)size * 3 + 1);
            for (int i = 0; i < count; i++)
            {
                final int roll = random.nextInt(100);
                if (roll < 2)
                {
                    clock += size * (2 + random.nextInt(5)); // a jump: windows fire on one event
                }
                else if (random.nextInt(3) == 0)
                {
                    clock++;
                }
                long time = clock - random.nextInt((int)bound + 1);
                if (roll >= 95)
                {
                    time = clock - bound - 1 - random.nextInt((int)(2 * size)); // late or nearly
                }
                events.key[i] = pool[random.nextInt(keys)];
                events.time[i] = time;
                events.value[i] = random.nextInt(20) == 0 ? random.nextLong() : random.nextInt(2001) - 1000;
            }
            return events;
        }
    }
}
