package io.sluice.engine.join;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Naive interval join: keeps every accepted event forever, matches by scanning all of them, and
 * on each watermark advance scans everything pending. It shares no code with the operator; it
 * restates the documented semantics (lateness, completion, order) as plainly as possible.
 */
final class ReferenceIntervalJoin
{
    private static final class Event
    {
        final int side;
        final long key;
        final long timestamp;
        final long id;
        final long sequence;
        final long completion;
        boolean matched;
        boolean done;

        Event(final int side, final long key, final long timestamp, final long id, final long sequence, final long completion)
        {
            this.side = side;
            this.key = key;
            this.timestamp = timestamp;
            this.id = id;
            this.sequence = sequence;
            this.completion = completion;
        }
    }

    private final JoinType type;
    private final long lower;
    private final long upper;
    private final long lateness;
    private final long[] bounds;
    private final long[] maxTime = {Long.MIN_VALUE, Long.MIN_VALUE};
    private final List<Event> accepted = new ArrayList<>();
    private final List<Event> pending = new ArrayList<>();
    final List<String> rows = new ArrayList<>();
    final List<String> late = new ArrayList<>();
    private boolean ended;
    private long sequence;
    long matches;
    long unmatched;

    ReferenceIntervalJoin(
        final JoinType type, final long lower, final long upper, final long lateness, final long leftBound,
        final long rightBound)
    {
        this.type = type;
        this.lower = lower;
        this.upper = upper;
        this.lateness = lateness;
        this.bounds = new long[] {leftBound, rightBound};
    }

    long watermark()
    {
        if (ended)
        {
            return Long.MAX_VALUE;
        }
        final long left = maxTime[0] == Long.MIN_VALUE ? Long.MIN_VALUE : maxTime[0] - bounds[0] - 1;
        final long right = maxTime[1] == Long.MIN_VALUE ? Long.MIN_VALUE : maxTime[1] - bounds[1] - 1;
        return Math.min(left, right);
    }

    void onEvent(final int side, final long key, final long timestamp, final long id)
    {
        final long before = watermark();
        if (before != Long.MIN_VALUE && timestamp <= before - lateness)
        {
            late.add(side + ":" + key + ":" + timestamp + ":" + id + "@" + before);
        }
        else
        {
            boolean matched = false;
            for (final Event other : accepted)
            {
                if (other.side == side || other.key != key)
                {
                    continue;
                }
                final long leftTime = side == 0 ? timestamp : other.timestamp;
                final long rightTime = side == 0 ? other.timestamp : timestamp;
                if (rightTime >= leftTime + lower && rightTime <= leftTime + upper)
                {
                    matched = true;
                    other.matched = true;
                    matches++;
                    rows.add(JoinTestRecords.row(key, Math.max(leftTime, rightTime), JoinResultHandler.MATCH,
                        side == 0 ? id : other.id, side == 0 ? other.id : id));
                }
            }
            final long completion = (side == 0 ? timestamp + upper : timestamp - lower) + lateness;
            final Event event = new Event(side, key, timestamp, id, sequence++, completion);
            event.matched = matched;
            accepted.add(event);
            if (before != Long.MIN_VALUE && completion <= before)
            {
                event.done = true;
                emitIfUnmatched(event);
            }
            else
            {
                pending.add(event);
            }
        }
        maxTime[side] = Math.max(maxTime[side], timestamp);
        advance(before);
    }

    void endOfInput()
    {
        final long before = watermark();
        ended = true;
        advance(before);
    }

    private void advance(final long before)
    {
        final long now = watermark();
        if (now <= before)
        {
            return;
        }
        final List<Event> due = new ArrayList<>();
        for (final Event event : pending)
        {
            if (event.completion <= now)
            {
                due.add(event);
            }
        }
        pending.removeAll(due);
        due.sort(Comparator.comparingLong((Event e) -> e.completion).thenComparingLong(e -> e.sequence));
        for (final Event event : due)
        {
            event.done = true;
            emitIfUnmatched(event);
        }
    }

    private void emitIfUnmatched(final Event event)
    {
        if (event.matched || !type.keeps(event.side))
        {
            return;
        }
        unmatched++;
        if (event.side == 0)
        {
            rows.add(JoinTestRecords.row(event.key, event.timestamp, JoinResultHandler.RIGHT_NULL, event.id, 0));
        }
        else
        {
            rows.add(JoinTestRecords.row(event.key, event.timestamp, JoinResultHandler.LEFT_NULL, 0, event.id));
        }
    }
}
