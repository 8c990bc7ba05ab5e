package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AdaptiveWindowOperator} under a firing backlog of many keys, the input that ran dense columns out of memory
 * (a column per queued window, a row per key slot in each): the dense layout stays within its {@link DenseBound} (the
 * state moves to linked rows), the results are the linked rows operator's after the same signals, and the state comes
 * back to dense slots once the backlog is out. {@link DenseWindowOperatorTest} compares the two over seeded random
 * signals with small bounds, so that the state moves both ways often.
 */
class AdaptiveWindowOperatorTest
{
    /** Keys of the first window; the key table's 32,768 slots are the rows of every dense column. */
    private static final int KEYS = 20_000;
    /** Events after the first window, each in a window of its own, one result emitted per event: the queue grows. */
    private static final int BACKLOG = 20_000;
    private static final long SIZE = 10;

    @Test
    void shouldBoundTheDenseColumnsUnderAFiringBacklogOfManyKeys()
    {
        final List<String> expected = new ArrayList<>();
        final List<String> actual = new ArrayList<>();
        final AlignedWindowOperator reference = (AlignedWindowOperator)context(expected).denseSlots(false).build();
        final AdaptiveWindowOperator adaptive = (AdaptiveWindowOperator)context(actual).build();
        final TestEvent event = new TestEvent();
        long maxRows = 0;
        int maxPanes = 0;
        for (int i = 0; i < KEYS + BACKLOG; i++)
        {
            final long key = i % KEYS;
            final long timestamp = i < KEYS ? i % SIZE : (i - KEYS + 1) * SIZE;
            event.set(i, 0);
            reference.onEvent(key, timestamp, event);
            adaptive.onEvent(key, timestamp, event);
            maxRows = Math.max(maxRows, adaptive.stateEntries());
            maxPanes = Math.max(maxPanes, reference.panesHeld());
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(adaptive.firingInProgress()).isTrue();
        // The queue was real: thousands of windows held at once, as many dense columns of 32,768 slots unbounded.
        assertThat(maxPanes).isGreaterThan(BACKLOG / 2);
        assertThat(adaptive.handOvers()).isPositive();
        assertThat(adaptive.current()).isInstanceOf(AlignedWindowOperator.class);
        // At most one doubling past the bound, against maxPanes x 32,768 cells without it.
        final long bound = adaptive.bound().cells(maxRows + KEYS);
        assertThat(adaptive.peakDenseCells()).isLessThanOrEqualTo(2 * bound).isLessThan((long)maxPanes * (1 << 15) / 100);

        // The explicit watermark emits the queue; windows of many keys each follow: the state is back on dense slots
        // once one of them is out, and goes on alike.
        reference.advanceWatermarkTo((BACKLOG + 1) * SIZE);
        adaptive.advanceWatermarkTo((BACKLOG + 1) * SIZE);
        for (int i = 0; i < 3 * KEYS; i++)
        {
            final long timestamp = (BACKLOG + 2) * SIZE + i / 1000;
            event.set(i, 0);
            reference.onEvent(i % KEYS, timestamp, event);
            adaptive.onEvent(i % KEYS, timestamp, event);
        }
        assertThat(adaptive.handBacks()).isPositive();
        assertThat(adaptive.current()).isInstanceOf(DenseWindowOperator.class);
        reference.endOfInput();
        adaptive.endOfInput();
        assertThat(actual).isEqualTo(expected);
        assertThat(adaptive.windowsFired()).isEqualTo(reference.windowsFired());
        assertThat(adaptive.stateEntries()).isZero();
    }

    @Test
    void shouldRestoreABacklogIntoLinkedRowsWithinTheBound()
    {
        final List<String> expected = new ArrayList<>();
        final AlignedWindowOperator reference = (AlignedWindowOperator)context(expected).denseSlots(false).build();
        final TestEvent event = new TestEvent();
        final int cut = KEYS + BACKLOG / 2;
        final int end = KEYS + BACKLOG;
        UnsafeBuffer snapshot = null;
        for (int i = 0; i < end; i++)
        {
            if (i == cut)
            {
                snapshot = new UnsafeBuffer(new byte[reference.snapshotLength()]);
                reference.snapshotTo(snapshot, 0);
                expected.clear();
            }
            reference.onEvent(i % KEYS, i < KEYS ? i % SIZE : (i - KEYS + 1) * SIZE, event.set(i, 0));
        }
        reference.endOfInput();

        final List<String> actual = new ArrayList<>();
        final AdaptiveWindowOperator restored = (AdaptiveWindowOperator)context(actual).build();
        assertThat(restored.restoreFrom(snapshot, 0)).isEqualTo(snapshot.capacity());
        assertThat(restored.current()).isInstanceOf(AlignedWindowOperator.class);
        assertThat(restored.peakDenseCells()).isLessThanOrEqualTo(2 * restored.bound().cells(2L * (KEYS + BACKLOG)));
        for (int i = cut; i < end; i++)
        {
            restored.onEvent(i % KEYS, (i - KEYS + 1) * SIZE, event.set(i, 0));
        }
        restored.endOfInput();
        assertThat(actual).isEqualTo(expected);
        assertThat(restored.windowsFired()).isEqualTo(reference.windowsFired());
    }

    /** Tumbling windows of 10 with no out-of-orderness, count and sum, one result per signal. */
    private static WindowOperatorContext context(final List<String> out)
    {
        return new WindowOperatorContext()
            .tumbling(SIZE)
            .watermarks(Watermarks.boundedOutOfOrderness(0))
            .aggregators(Aggregators.count(), Aggregators.sumLong(0))
            .expectedEntries(4)
            .firingSlice(1)
            .resultHandler((key, start, end, flags, result) ->
                out.add(key + " [" + start + "," + end + ") " + flags + " " + result.longValue(0) + " " + result.longValue(1)));
    }
}
