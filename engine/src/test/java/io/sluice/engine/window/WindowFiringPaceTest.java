package io.sluice.engine.window;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Firing paced by event time ({@link WindowOperatorContext#firingPace(int)}): the results per event follow the
 * events' density in their own timestamps, the results are those of firing whole in the same order, and a
 * snapshot taken while a paced firing is half done resumes the same slices at the same events.
 */
class WindowFiringPaceTest
{
    private static final int KEYS = 10_000;
    private static final int SLICE = 64;
    private static final int PACE = 200;

    @Test
    void shouldShareThePaceOutOverTheEventsOfEachMillisecondAndEmitTheUnpacedResults()
    {
        // events per millisecond of event time -> results per event at a pace of 200 per millisecond
        final int[][] densities = {{100, 2}, {1_000, 1}, {30, 7}, {2, SLICE}};
        for (final String kind : new String[] {"tumbling", "sliding", "hopping"})
        {
            for (final int[] density : densities)
            {
                final int perMs = density[0];
                final List<String> whole = new ArrayList<>();
                final WindowOperator reference = operator(kind, WindowOperatorContext.FIRING_SLICE_UNBOUNDED,
                    WindowOperatorContext.FIRING_PACE_UNPACED, whole);
                final List<String> paced = new ArrayList<>();
                final WindowOperator operator = operator(kind, SLICE, PACE, paced);
                final TestEvent event = new TestEvent();
                int mostPerEvent = 0;
                final int events = 300 * perMs;
                for (int i = 0; i < events; i++)
                {
                    final long key = (i * 7919L) % KEYS;
                    final long timestamp = i / perMs;
                    reference.onEvent(key, timestamp, event.set(i, i * 0.25));
                    final int before = paced.size();
                    operator.onEvent(key, timestamp, event.set(i, i * 0.25));
                    mostPerEvent = Math.max(mostPerEvent, paced.size() - before);
                }
                reference.endOfInput();
                operator.endOfInput();

                final String what = kind + ", " + perMs + " events per ms";
                assertThat(operator.windowsFired()).as("%s: windows fired", what).isPositive().isEqualTo(reference.windowsFired());
                assertThat(mostPerEvent).as("%s: results emitted by one event", what).isEqualTo(density[1]);
                assertThat(paced).as(what).isEqualTo(whole);
            }
        }
    }

    @Test
    void shouldResumeAHalfDonePacedFiringAtTheSameEventsAfterSnapshotAndRestore()
    {
        for (final String kind : new String[] {"tumbling", "sliding", "hopping"})
        {
            final int events = 40_000;
            final List<String> uninterrupted = new ArrayList<>();
            final int[] position = new int[1];
            final WindowOperator reference = operator(kind, SLICE, PACE, uninterrupted, position);
            replay(reference, 0, events, position);

            final List<String> resumed = new ArrayList<>();
            final WindowOperator first = operator(kind, SLICE, PACE, resumed, position);
            int halfDoneCuts = 0;
            for (int cut = 0; cut < events; cut += 997)
            {
                final int next = Math.min(events, cut + 997);
                replay(first, cut, next, position);
                if (!first.firingInProgress())
                {
                    continue;
                }
                halfDoneCuts++;
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[first.snapshotLength() + 16]);
                first.snapshotTo(buffer, 8);
                final List<String> tail = new ArrayList<>();
                final WindowOperator second = operator(kind, SLICE, PACE, tail, position);
                second.restoreFrom(buffer, 8);
                replay(second, next, events, position);
                final List<String> combined = new ArrayList<>(resumed);
                combined.addAll(tail);
                // Each line carries the index of the event that emitted it: the same slices at the same events.
                assertThat(combined).as("%s, restored after event %d", kind, next - 1).isEqualTo(uninterrupted);
            }
            assertThat(halfDoneCuts).as("%s: snapshots taken while a paced firing was half done", kind).isGreaterThan(2);
        }
    }

    @Test
    void shouldRefuseAPaceBelowOneAndAPaceForSessionWindows()
    {
        assertThatThrownBy(() -> new WindowOperatorContext().tumbling(1_000).aggregators(TestAggregates.all())
            .resultHandler((key, start, end, flags, result) -> { }).firingPace(0).conclude())
            .isInstanceOf(IllegalStateException.class).hasMessage("firingPace must be >= 1: 0");
        assertThatThrownBy(() -> new WindowOperatorContext().session(1_000).aggregators(TestAggregates.all())
            .resultHandler((key, start, end, flags, result) -> { }).firingPace(100).conclude())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("firingPace applies to tumbling, sliding and hopping windows, not sessions: 100");
    }

    /** Events at 100 per millisecond, each key in turn. */
    private static void replay(final WindowOperator operator, final int from, final int to, final int[] position)
    {
        final TestEvent event = new TestEvent();
        for (int i = from; i < to; i++)
        {
            position[0] = i;
            operator.onEvent((i * 7919L) % KEYS, i / 100, event.set(i, i * 0.25));
        }
    }

    private static WindowOperator operator(final String kind, final int slice, final int pace, final List<String> out)
    {
        return operator(kind, slice, pace, out, null);
    }

    private static WindowOperator operator(
        final String kind, final int slice, final int pace, final List<String> out, final int[] position)
    {
        final WindowOperatorContext context = new WindowOperatorContext()
            .watermarks(Watermarks.boundedOutOfOrderness(5))
            .aggregators(TestAggregates.all())
            .expectedEntries(1 << 16)
            .firingSlice(slice)
            .firingPace(pace)
            .resultHandler((key, start, end, flags, result) -> out.add(
                (position == null ? "" : position[0] + ": ") + TestAggregates.render(key, start, end, flags, result)));
        switch (kind)
        {
            case "tumbling":
                context.tumbling(50);
                break;
            case "sliding":
                context.sliding(150, 50);
                break;
            default:
                context.hopping(50, 100);
                break;
        }
        return context.build();
    }
}
