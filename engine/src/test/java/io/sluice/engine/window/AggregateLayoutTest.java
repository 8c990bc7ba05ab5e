package io.sluice.engine.window;

import java.util.Random;

import io.sluice.schema.Decimals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layout folds, merges and reads the built-in aggregators inline ({@link Aggregators#kindOf}): the oracle is
 * each aggregator's own {@link PrimitiveAggregator} methods over its own slots, on seeded random values (with NaN,
 * infinities and DECIMAL overflow), compared bit for bit.
 */
class AggregateLayoutTest
{
    private static final PrimitiveAggregator[] BUILT_INS = {
        Aggregators.count(),
        Aggregators.sumLong(0), Aggregators.sumDouble(1),
        Aggregators.minLong(0), Aggregators.maxLong(0), Aggregators.minDouble(1), Aggregators.maxDouble(1),
        Aggregators.avgLong(0), Aggregators.avgDouble(1),
        Aggregators.sumDecimal(0, "d"), Aggregators.avgDecimal(0, "d", 2),
        Aggregators.firstLong(0), Aggregators.lastDouble(1),
    };

    @Test
    void shouldInlineEveryBuiltInKindButFirstAndLast()
    {
        for (int i = 0; i < BUILT_INS.length; i++)
        {
            final boolean firstOrLast = i >= BUILT_INS.length - 2;
            assertEquals(firstOrLast, Aggregators.kindOf(BUILT_INS[i]) == Aggregators.GENERIC, "aggregator " + i);
        }
    }

    @Test
    void shouldFoldMergeAndReadBuiltInsExactlyAsTheirAggregators()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final AggregateLayout layout = new AggregateLayout(BUILT_INS);
        final int stride = layout.stride();
        final TestEvent event = new TestEvent();
        for (int trial = 0; trial < 200; trial++)
        {
            // Two partial rows, each folded from its own events, then merged: layout against reference.
            final long[] layoutRows = new long[2 * stride];
            final long[] referenceRows = new long[2 * stride];
            layout.reset(layoutRows, 0);
            layout.reset(layoutRows, stride);
            resetReference(referenceRows, 0);
            resetReference(referenceRows, stride);
            for (int row = 0; row < 2; row++)
            {
                final int events = random.nextInt(6);
                for (int e = 0; e < events; e++)
                {
                    event.set(randomLong(random), randomDouble(random));
                    final long timestamp = random.nextInt(100);
                    layout.accumulate(layoutRows, row * stride, timestamp, event);
                    accumulateReference(referenceRows, row * stride, timestamp, event);
                }
            }
            assertRowsEqual(referenceRows, layoutRows, "seed " + seed + ", trial " + trial + ", folded");
            layout.merge(layoutRows, 0, layoutRows, stride);
            mergeReference(referenceRows, 0, referenceRows, stride);
            assertRowsEqual(referenceRows, layoutRows, "seed " + seed + ", trial " + trial + ", merged");
            assertResultsEqual(layout, referenceRows, layoutRows, "seed " + seed + ", trial " + trial);
        }
    }

    @Test
    void shouldFoldACountAndALongSumInEitherOrderExactlyAsTheirAggregators()
    {
        // The layout's shortcut for the commonest pair, one count and one LONG sum, checked in both orders.
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final TestEvent event = new TestEvent();
        final PrimitiveAggregator[][] pairs = {
            {Aggregators.count(), Aggregators.sumLong(0)},
            {Aggregators.sumLong(0), Aggregators.count()},
        };
        for (final PrimitiveAggregator[] pair : pairs)
        {
            final AggregateLayout layout = new AggregateLayout(pair);
            final long[] rows = new long[3 * layout.stride()];
            final long[] reference = new long[3 * layout.stride()];
            final int base = layout.stride(); // a row between two others: neither neighbour may change
            layout.reset(rows, base);
            final SlotFlyweight slots = new SlotFlyweight();
            pair[0].reset(slots.wrap(reference, base));
            pair[1].reset(slots.wrap(reference, base + pair[0].slots()));
            for (int e = 0; e < 1_000; e++)
            {
                event.set(randomLong(random), randomDouble(random));
                layout.accumulate(rows, base, e, event);
                pair[0].accumulate(slots.wrap(reference, base), e, event);
                pair[1].accumulate(slots.wrap(reference, base + pair[0].slots()), e, event);
            }
            for (int i = 0; i < rows.length; i++)
            {
                assertEquals(reference[i], rows[i], "seed " + seed + ", " + Aggregators.kindOf(pair[0]) + " first: slot " + i);
            }
        }
    }

    private static long randomLong(final Random random)
    {
        switch (random.nextInt(8))
        {
            case 0:
                return Decimals.MAX_UNSCALED - random.nextInt(3); // DECIMAL sums overflow
            case 1:
                return Long.MIN_VALUE + random.nextInt(3);
            default:
                return random.nextInt(2001) - 1000;
        }
    }

    private static double randomDouble(final Random random)
    {
        switch (random.nextInt(10))
        {
            case 0:
                return Double.NaN;
            case 1:
                return random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 2:
                return -0.0;
            default:
                return (random.nextDouble() - 0.5) * 1e6;
        }
    }

    private static void resetReference(final long[] rows, final int base)
    {
        final SlotFlyweight slots = new SlotFlyweight();
        int offset = base;
        for (final PrimitiveAggregator aggregator : BUILT_INS)
        {
            aggregator.reset(slots.wrap(rows, offset));
            offset += aggregator.slots();
        }
    }

    private static void accumulateReference(final long[] rows, final int base, final long timestamp, final TestEvent event)
    {
        final SlotFlyweight slots = new SlotFlyweight();
        int offset = base;
        for (final PrimitiveAggregator aggregator : BUILT_INS)
        {
            aggregator.accumulate(slots.wrap(rows, offset), timestamp, event);
            offset += aggregator.slots();
        }
    }

    private static void mergeReference(final long[] into, final int intoBase, final long[] from, final int fromBase)
    {
        final SlotFlyweight to = new SlotFlyweight();
        final SlotFlyweight source = new SlotFlyweight();
        int offset = 0;
        for (final PrimitiveAggregator aggregator : BUILT_INS)
        {
            aggregator.merge(to.wrap(into, intoBase + offset), source.wrap(from, fromBase + offset));
            offset += aggregator.slots();
        }
    }

    private static void assertRowsEqual(final long[] expected, final long[] actual, final String what)
    {
        final int stride = expected.length / 2;
        for (int i = 0; i < expected.length; i++)
        {
            if (isDoubleSlot(i % stride) && Double.isNaN(Double.longBitsToDouble(expected[i])))
            {
                assertEquals(true, Double.isNaN(Double.longBitsToDouble(actual[i])), what + ": slot " + i + " NaN");
                continue;
            }
            assertEquals(expected[i], actual[i], what + ": slot " + i);
        }
    }

    /**
     * The slots of {@link #BUILT_INS} that hold a double (sumDouble, minDouble, maxDouble, avgDouble's sum,
     * lastDouble's value). A NaN there is compared as NaN: which NaN (its sign) an addition of two NaNs gives
     * follows the operand order the JIT picks, in the aggregators' own code as well.
     */
    private static boolean isDoubleSlot(final int slot)
    {
        return slot == 2 || slot == 5 || slot == 6 || slot == 9 || slot == 17;
    }

    private static void assertResultsEqual(final AggregateLayout layout, final long[] reference, final long[] rows, final String what)
    {
        final WindowResult result = layout.wrapResult(rows, 0);
        final SlotFlyweight slots = new SlotFlyweight();
        int offset = 0;
        for (int i = 0; i < BUILT_INS.length; i++)
        {
            slots.wrap(reference, offset);
            assertEquals(BUILT_INS[i].resultAsLong(slots), result.longValue(i), what + ": long result of aggregator " + i);
            // Bits, but any NaN for a NaN (see isDoubleSlot).
            assertEquals(Double.doubleToLongBits(BUILT_INS[i].resultAsDouble(slots)), Double.doubleToLongBits(result.doubleValue(i)),
                what + ": double result of aggregator " + i);
            offset += BUILT_INS[i].slots();
        }
    }
}
