package io.sluice.engine.window;

import io.sluice.engine.time.Watermarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random input (events, explicit watermark jumps, end of input) and one window
 * configuration, replayable into both the operator under test and the oracle.
 */
final class WindowTestScenario
{
    static final int EVENT = 0;
    static final int ADVANCE = 1;
    static final int END = 2;

    final String name;
    final boolean session;
    final long size;
    final long hop;
    final long offset;
    final long gap;
    final long lateness;
    final long bound;
    final boolean early;
    final long seed;
    final List<long[]> steps = new ArrayList<>();
    int firingSlice = WindowOperatorContext.FIRING_SLICE_UNBOUNDED;

    WindowTestScenario(
        final String name, final boolean session, final long size, final long hop, final long offset, final long gap,
        final long lateness, final long bound, final boolean early, final long seed)
    {
        this.name = name;
        this.session = session;
        this.size = size;
        this.hop = hop;
        this.offset = offset;
        this.gap = gap;
        this.lateness = lateness;
        this.bound = bound;
        this.early = early;
        this.seed = seed;
    }

    /**
     * Events over a base time that walks forward from below zero; each event's time lags the base
     * by up to {@code 2 * bound + scale} so some are out of order within the bound and some
     * beyond it (late). Doubles are multiples of 0.25 so every sum is exact in any order.
     */
    WindowTestScenario generate(final int events, final int keys, final long step)
    {
        final Random random = new Random(seed);
        final long scale = session ? gap : size;
        long base = -random.nextInt(20) * scale - random.nextInt((int)Math.min(scale, 1000) + 1);
        final long maxLag = 2 * bound + scale + 1;
        for (int i = 0; i < events; i++)
        {
            base += (long)(random.nextDouble() * random.nextDouble() * step * 2);
            if (random.nextInt(300) == 0)
            {
                // A quiet stretch: many empty windows for the fire loop to skip.
                base += scale * (5 + random.nextInt(50));
            }
            final int dice = random.nextInt(100);
            long t = base;
            if (dice < 30)
            {
                t -= (long)(random.nextDouble() * Math.max(1, bound));
            }
            else if (dice < 40)
            {
                t -= (long)(random.nextDouble() * maxLag);
            }
            final long key = random.nextInt(keys) - keys / 2;
            steps.add(new long[]{EVENT, key, t, random.nextInt(2001) - 1000, random.nextInt(801) - 400});
            if (random.nextInt(200) == 0)
            {
                steps.add(new long[]{ADVANCE, base - bound - 1 + random.nextInt((int)Math.min(scale, 1000) + 1)});
            }
        }
        steps.add(new long[]{END});
        return this;
    }

    /**
     * The same scenario, same steps, with aligned windows fired at most {@code slice} results per
     * event.
     */
    WindowTestScenario sliced(final int slice)
    {
        final WindowTestScenario copy = new WindowTestScenario(
            name + " slice=" + slice, session, size, hop, offset, gap, lateness, bound, early, seed);
        copy.steps.addAll(steps);
        copy.firingSlice = slice;
        return copy;
    }

    WindowOperator newOperator(final List<String> out)
    {
        return newOperator(out, false);
    }

    /**
     * @param deferSizing whether the operator's state is sized by a restore or {@link WindowOperator#presize()}
     *                    ({@link WindowOperatorContext#deferSizing}).
     */
    WindowOperator newOperator(final List<String> out, final boolean deferSizing)
    {
        final WindowOperatorContext context = new WindowOperatorContext()
            .deferSizing(deferSizing)
            .allowedLateness(lateness)
            .earlyOnUpdate(early)
            .watermarks(Watermarks.boundedOutOfOrderness(bound))
            .aggregators(TestAggregates.all())
            .expectedEntries(4)
            .firingSlice(firingSlice)
            .resultHandler((key, start, end, flags, result) ->
                out.add(TestAggregates.render(key, start, end, flags, result)))
            .lateEventHandler((key, timestamp, watermark, values) ->
                out.add(TestAggregates.late(key, timestamp, watermark)));
        if (session)
        {
            context.session(gap);
        }
        else
        {
            context.hopping(size, hop).offset(offset);
        }
        return context.build();
    }

    ReferenceWindowOperator newOracle(final List<String> out)
    {
        return session ?
            ReferenceWindowOperator.session(gap, lateness, bound, early, out) :
            ReferenceWindowOperator.aligned(size, hop, Math.floorMod(offset, hop), lateness, bound, early, out);
    }

    /**
     * Apply steps {@code [from, to)} to the operator.
     */
    void replay(final WindowOperator operator, final int from, final int to)
    {
        final TestEvent event = new TestEvent();
        for (int i = from; i < to; i++)
        {
            final long[] step = steps.get(i);
            switch ((int)step[0])
            {
                case EVENT:
                    operator.onEvent(step[1], step[2], event.set(step[3], step[4] * 0.25));
                    break;
                case ADVANCE:
                    operator.advanceWatermarkTo(step[1]);
                    break;
                default:
                    operator.endOfInput();
            }
        }
    }

    void replay(final ReferenceWindowOperator oracle)
    {
        for (final long[] step : steps)
        {
            switch ((int)step[0])
            {
                case EVENT:
                    oracle.onEvent(step[1], step[2], step[3], step[4] * 0.25);
                    break;
                case ADVANCE:
                    oracle.advanceTo(step[1]);
                    break;
                default:
                    oracle.endOfInput();
            }
        }
    }

    @Override
    public String toString()
    {
        return name + (session ? " gap=" + gap : " size=" + size + " hop=" + hop + " offset=" + offset) +
            " lateness=" + lateness + " bound=" + bound + " early=" + early + " seed=" + seed;
    }
}
