package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Naive oracle for the window operators: enumerates every window an event belongs to, keeps
 * one accumulator object per (key, window) or session in maps, and fires by scanning everything
 * when the watermark advances. Written for obviousness, not speed; shares no code with the
 * operators under test except the text rendering.
 */
final class ReferenceWindowOperator
{
    private static final long NONE = Long.MIN_VALUE;

    private final boolean session;
    private final long size;
    private final long hop;
    private final long offset;
    private final long gap;
    private final long lateness;
    private final long bound;
    private final boolean early;
    private final List<String> out;
    private final List<Window> windows = new ArrayList<>();
    private final Map<String, Window> byKeyAndStart = new HashMap<>();
    private long maxSeen = Long.MIN_VALUE;
    private long watermark = NONE;
    long late;
    long unassigned;
    long fired;

    static ReferenceWindowOperator aligned(
        final long size, final long hop, final long offset, final long lateness, final long bound, final boolean early,
        final List<String> out)
    {
        return new ReferenceWindowOperator(false, size, hop, offset, 0, lateness, bound, early, out);
    }

    static ReferenceWindowOperator session(
        final long gap, final long lateness, final long bound, final boolean early, final List<String> out)
    {
        return new ReferenceWindowOperator(true, 0, 0, 0, gap, lateness, bound, early, out);
    }

    private ReferenceWindowOperator(
        final boolean session, final long size, final long hop, final long offset, final long gap, final long lateness,
        final long bound, final boolean early, final List<String> out)
    {
        this.session = session;
        this.size = size;
        this.hop = hop;
        this.offset = offset;
        this.gap = gap;
        this.lateness = lateness;
        this.bound = bound;
        this.early = early;
        this.out = out;
    }

    void onEvent(final long key, final long t, final long l, final double d)
    {
        if (session)
        {
            onSessionEvent(key, t, l, d);
        }
        else
        {
            onAlignedEvent(key, t, l, d);
        }
        if (t > maxSeen)
        {
            maxSeen = t;
            advanceTo(t - bound - 1);
        }
    }

    private boolean live(final long end)
    {
        return watermark == NONE || end - 1 + lateness > watermark;
    }

    private boolean firedAlready(final long end)
    {
        return watermark != NONE && end - 1 <= watermark;
    }

    private void onAlignedEvent(final long key, final long t, final long l, final double d)
    {
        final List<Long> starts = new ArrayList<>();
        // Every start s = offset (mod hop) with s <= t < s + size, by brute force from the largest.
        for (long s = t - Math.floorMod(t - offset, hop); s + size > t; s -= hop)
        {
            starts.add(0, s);
        }
        if (starts.isEmpty())
        {
            unassigned++;
            return;
        }
        boolean anyLive = false;
        for (final long s : starts)
        {
            anyLive |= live(s + size);
        }
        if (!anyLive)
        {
            late++;
            out.add(TestAggregates.late(key, t, watermark));
            return;
        }
        for (final long s : starts)
        {
            if (live(s + size))
            {
                final Window window = find(key, s, s + size);
                window.acc.add(t, l, d);
            }
        }
        for (final long s : starts)
        {
            if (!live(s + size))
            {
                continue;
            }
            if (firedAlready(s + size))
            {
                emit(find(key, s, s + size), WindowResultHandler.UPDATE);
            }
            else if (early)
            {
                emit(find(key, s, s + size), WindowResultHandler.EARLY);
            }
        }
    }

    private void onSessionEvent(final long key, final long t, final long l, final double d)
    {
        final List<Window> touching = new ArrayList<>();
        long start = t;
        long end = t + gap;
        boolean changed = true;
        while (changed)
        {
            changed = false;
            for (final Window w : windows)
            {
                if (w.key == key && !touching.contains(w) && w.start <= end && start <= w.end)
                {
                    touching.add(w);
                    start = Math.min(start, w.start);
                    end = Math.max(end, w.end);
                    changed = true;
                }
            }
        }
        if (touching.isEmpty() && !live(t + gap))
        {
            late++;
            out.add(TestAggregates.late(key, t, watermark));
            return;
        }
        final Window merged = new Window(key, start, end);
        for (final Window w : touching)
        {
            merged.acc.merge(w.acc);
            windows.remove(w);
        }
        merged.acc.add(t, l, d);
        windows.add(merged);
        if (firedAlready(end))
        {
            emit(merged, WindowResultHandler.UPDATE);
        }
        else if (early)
        {
            emit(merged, WindowResultHandler.EARLY);
        }
    }

    void advanceTo(final long newWatermark)
    {
        if (newWatermark <= watermark)
        {
            return;
        }
        final long previous = watermark;
        watermark = newWatermark;
        final List<Window> due = new ArrayList<>();
        for (final Window w : windows)
        {
            if (w.end - 1 <= newWatermark && (previous == NONE || w.end - 1 > previous))
            {
                due.add(w);
            }
        }
        due.sort(Comparator.comparingLong((Window w) -> w.end).thenComparingLong(w -> w.key)
            .thenComparingLong(w -> w.start));
        for (final Window w : due)
        {
            fired++;
            emit(w, WindowResultHandler.FINAL);
        }
        windows.removeIf(w -> !live(w.end));
        byKeyAndStart.values().removeIf(w -> !live(w.end));
    }

    void endOfInput()
    {
        advanceTo(Long.MAX_VALUE);
    }

    int stateEntries()
    {
        return windows.size();
    }

    private Window find(final long key, final long start, final long end)
    {
        final String id = key + "@" + start;
        Window w = byKeyAndStart.get(id);
        if (w == null)
        {
            w = new Window(key, start, end);
            windows.add(w);
            byKeyAndStart.put(id, w);
        }
        return w;
    }

    private void emit(final Window w, final int flags)
    {
        out.add(TestAggregates.render(w.key, w.start, w.end, flags, w.acc));
    }

    private static final class Window
    {
        final long key;
        final long start;
        final long end;
        final Acc acc = new Acc();

        Window(final long key, final long start, final long end)
        {
            this.key = key;
            this.start = start;
            this.end = end;
        }
    }

    /**
     * Plain incremental accumulator with one field per aggregate.
     */
    private static final class Acc implements WindowResult
    {
        long count;
        long sumLong;
        double sumDouble;
        long minLong = Long.MAX_VALUE;
        long maxLong = Long.MIN_VALUE;
        double minDouble = Double.POSITIVE_INFINITY;
        double maxDouble = Double.NEGATIVE_INFINITY;
        long firstTime = Long.MAX_VALUE;
        long firstLong;
        double firstDouble;
        long lastTime = Long.MIN_VALUE;
        long lastLong;
        double lastDouble;

        void add(final long t, final long l, final double d)
        {
            count++;
            sumLong += l;
            sumDouble += d;
            minLong = Math.min(minLong, l);
            maxLong = Math.max(maxLong, l);
            minDouble = Math.min(minDouble, d);
            maxDouble = Math.max(maxDouble, d);
            if (t < firstTime)
            {
                firstTime = t;
                firstLong = l;
                firstDouble = d;
            }
            if (t >= lastTime)
            {
                lastTime = t;
                lastLong = l;
                lastDouble = d;
            }
        }

        void merge(final Acc other)
        {
            count += other.count;
            sumLong += other.sumLong;
            sumDouble += other.sumDouble;
            minLong = Math.min(minLong, other.minLong);
            maxLong = Math.max(maxLong, other.maxLong);
            minDouble = Math.min(minDouble, other.minDouble);
            maxDouble = Math.max(maxDouble, other.maxDouble);
            if (other.firstTime < firstTime)
            {
                firstTime = other.firstTime;
                firstLong = other.firstLong;
                firstDouble = other.firstDouble;
            }
            if (other.lastTime > lastTime)
            {
                lastTime = other.lastTime;
                lastLong = other.lastLong;
                lastDouble = other.lastDouble;
            }
        }

        @Override
        public int aggregateCount()
        {
            return TestAggregates.AGGREGATES;
        }

        @Override
        public long longValue(final int aggregate)
        {
            switch (aggregate)
            {
                case 0: return count;
                case 1: return sumLong;
                case 3: return minLong;
                case 4: return maxLong;
                case 9: return firstLong;
                case 10: return lastLong;
                default: throw new IllegalArgumentException("not a long aggregate " + aggregate);
            }
        }

        @Override
        public double doubleValue(final int aggregate)
        {
            switch (aggregate)
            {
                case 2: return sumDouble;
                case 5: return minDouble;
                case 6: return maxDouble;
                case 7: return (double)sumLong / count;
                case 8: return sumDouble / count;
                case 11: return firstDouble;
                case 12: return lastDouble;
                default: throw new IllegalArgumentException("not a double aggregate " + aggregate);
            }
        }
    }
}
