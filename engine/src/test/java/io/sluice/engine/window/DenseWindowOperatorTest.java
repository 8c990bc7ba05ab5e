package io.sluice.engine.window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DenseWindowOperator} against {@link AlignedWindowOperator} (linked rows, {@code denseSlots(false)}) over the same
 * seeded random signals: events (late ones, ones late for some of their windows while those still fire, jumps of the
 * watermark, negative times), journaled ticks (with and without an idle timeout) and explicit watermarks; every
 * result (key, window, flags, every aggregate) in the same order after the same signal, under firing slices and
 * firing paces, the same late side output, counters and whether a firing is in progress after each signal. Then
 * checkpoints: a snapshot of either operator, taken at once or in slices while the operator goes on, restored into
 * either continues exactly as the uninterrupted run; old snapshot versions (3: no pace; 2: the gcd grid; 1: no firing
 * cursor) restore into the dense operator. {@code -Dsluice.test.seed=} replays a run.
 */
class DenseWindowOperatorTest
{
    /** Size, hop, offset, watermark bound: tumbling, hopping with gaps, sliding (size a multiple of the hop or not). */
    private static final long[][] WINDOWS = {{10, 10, 0, 5}, {7, 7, 3, 0}, {6, 10, 0, 3}, {3, 7, -3, 2}, {100, 100, 0, 40},
        {5, 40, 12, 9}, {6, 2, 0, 3}, {10, 4, 1, 5}, {12, 3, -5, 8}, {9, 3, 2, 0}, {48, 3, 0, 30}};
    private static final int[] SLICES = {1, 3, 64, WindowOperatorContext.FIRING_SLICE_UNBOUNDED};
    private static final int[] PACES = {WindowOperatorContext.FIRING_PACE_UNPACED, 1, 2, 5};

    @Test
    void shouldEmitWhatTheLinkedRowsOperatorEmitsAfterTheSameSignals()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        long handOvers = 0;
        long handBacks = 0;
        for (int round = 0; round < 88; round++)
        {
            final Run run = Run.random(random, round, seed);
            final List<String> expected = new ArrayList<>();
            final List<String> actual = new ArrayList<>();
            final int[] at = {0};
            final WindowOperator reference = run.context(expected, at).denseSlots(false).build();
            final WindowOperator dense = run.context(actual, at).build();
            assertThat(reference).isInstanceOf(AlignedWindowOperator.class);
            assertThat(dense).as(run.what).isInstanceOf(AdaptiveWindowOperator.class);
            assertThat(((AdaptiveWindowOperator)dense).current()).as(run.what).isInstanceOf(DenseWindowOperator.class);
            for (int i = 0; i < run.signals(); i++)
            {
                at[0] = i;
                run.apply(reference, i);
                run.apply(dense, i);
                assertThat(dense.firingInProgress()).as(run.what + " firing after signal " + i).isEqualTo(reference.firingInProgress());
            }
            at[0] = -1;
            reference.endOfInput();
            dense.endOfInput();

            assertSameOutputs(actual, expected, run.what);
            assertThat(dense.lateEventsDropped()).as(run.what).isEqualTo(reference.lateEventsDropped());
            assertThat(dense.unassignedEvents()).as(run.what).isEqualTo(reference.unassignedEvents());
            assertThat(dense.windowsFired()).as(run.what).isEqualTo(reference.windowsFired());
            assertThat(dense.watermark()).as(run.what).isEqualTo(reference.watermark());
            assertThat(dense.stateEntries()).as(run.what).isZero();
            assertThat(expected).as(run.what).anyMatch(line -> line.contains("FINAL"));
            handOvers += ((AdaptiveWindowOperator)dense).handOvers();
            handBacks += ((AdaptiveWindowOperator)dense).handBacks();
        }
        // Runs with a small floor moved their state between dense slots and linked rows on the way, both ways.
        assertThat(handOvers).as("seed " + seed + ": hand-overs to linked rows").isPositive();
        assertThat(handBacks).as("seed " + seed + ": hand-backs to dense slots").isPositive();
    }

    @Test
    void shouldRestoreEitherOperatorsSnapshotsIntoEither()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < 66; round++)
        {
            final Run run = Run.random(random, round, seed);
            final List<String> expected = new ArrayList<>();
            final int[] at = {0};
            final WindowOperator uninterrupted = run.context(expected, at).denseSlots(false).build();
            run.replay(uninterrupted, at, 0, run.signals());
            at[0] = -1;
            uninterrupted.endOfInput();

            final int cut = random.nextInt(run.signals());
            final boolean fromDense = random.nextBoolean();
            final boolean intoDense = !fromDense || random.nextBoolean();
            final int budget = random.nextBoolean() ? 1 + random.nextInt(5) : Integer.MAX_VALUE;
            final String what = run.what + " cut " + cut + (fromDense ? " dense" : " linked") + " -> " + (intoDense ? "dense" : "linked") +
                " budget " + budget;

            // The snapshot of the first `cut` signals, its rows copied in slices while the operator goes on.
            final List<String> live = new ArrayList<>();
            final WindowOperator snapshotted = run.context(live, at).denseSlots(fromDense).build();
            run.replay(snapshotted, at, 0, cut);
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[snapshotted.snapshotLength() + 8]);
            final int length = snapshotted.beginSnapshot(snapshot, 8);
            for (int i = cut; i < run.signals() && !snapshotted.continueSnapshot(budget); i++)
            {
                run.replay(snapshotted, at, i, i + 1);
            }
            assertThat(snapshotted.continueSnapshot(Integer.MAX_VALUE)).as(what).isTrue();

            final List<String> resumed = new ArrayList<>();
            final WindowOperator restored = run.context(resumed, at).denseSlots(intoDense).build();
            assertThat(restored.restoreFrom(snapshot, 8)).as(what).isEqualTo(length);
            run.replay(restored, at, cut, run.signals());
            at[0] = -1;
            restored.endOfInput();
            final List<String> after = suffix(expected, cut);
            assertSameOutputs(resumed, after, what);
            assertThat(restored.windowsFired()).as(what).isEqualTo(uninterrupted.windowsFired());
            assertThat(restored.lateEventsDropped()).as(what).isEqualTo(uninterrupted.lateEventsDropped());
            assertThat(restored.unassignedEvents()).as(what).isEqualTo(uninterrupted.unassignedEvents());
        }
    }

    @Test
    void shouldHoldTheSameRowsWhenTheSnapshotIsCopiedInSlices()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < 44; round++)
        {
            final Run run = Run.random(random, round, seed);
            final int cut = random.nextInt(run.signals());
            final int[] at = {0};
            final WindowOperator atOnce = run.context(new ArrayList<>(), at).build();
            run.replay(atOnce, at, 0, cut);
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[atOnce.snapshotLength()]);
            final int expectedLength = atOnce.snapshotTo(expected, 0);

            final WindowOperator sliced = run.context(new ArrayList<>(), at).build();
            run.replay(sliced, at, 0, cut);
            final UnsafeBuffer actual = new UnsafeBuffer(new byte[sliced.snapshotLength()]);
            final int length = sliced.beginSnapshot(actual, 0);
            for (int i = cut; i < run.signals() && !sliced.continueSnapshot(1); i++)
            {
                run.replay(sliced, at, i, i + 1);
            }
            assertThat(sliced.continueSnapshot(Integer.MAX_VALUE)).isTrue();
            final String what = run.what + " cut " + cut;
            assertThat(length).as(what).isEqualTo(expectedLength);
            final int rowLength = PaneSnapshot.rowLength(expected.getInt(AlignedSnapshotHeader.STRIDE_OFFSET, WindowSnapshotRows.ORDER));
            final int rows = expected.getInt(AlignedSnapshotHeader.ROW_COUNT_OFFSET, WindowSnapshotRows.ORDER);
            final int rowsStart = length - rows * rowLength;
            assertThat(Arrays.copyOf(actual.byteArray(), rowsStart)).as("header, " + what)
                .isEqualTo(Arrays.copyOf(expected.byteArray(), rowsStart));
            assertThat(rowSet(actual, rowsStart, rows, rowLength)).as("rows, " + what).isEqualTo(rowSet(expected, rowsStart, rows, rowLength));
        }
    }

    @Test
    void shouldRestoreOlderSnapshotVersions()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        int versionOnes = 0;
        for (int round = 0; round < 66; round++)
        {
            final Run run = Run.random(random, round, seed);
            final int cut = random.nextInt(run.signals());
            final List<String> expected = new ArrayList<>();
            final int[] at = {0};
            // Version 2 rows are on the gcd grid: written by linked rows cut that way (one pane per window did not exist).
            final boolean gcdGrid = run.window[1] > run.window[0] && random.nextBoolean();
            final WindowOperator old = gcdGrid ? run.gcdGridOperator(expected, at) : run.context(expected, at).denseSlots(false).build();
            run.replay(old, at, 0, cut);
            final UnsafeBuffer current = new UnsafeBuffer(new byte[old.snapshotLength()]);
            old.snapshotTo(current, 0);
            final int idle = current.getInt(AlignedSnapshotHeader.FIRING_STATE_OFFSET, WindowSnapshotRows.ORDER);
            final int version = gcdGrid ? AlignedSnapshotHeader.VERSION_GCD_PANES :
                idle == AlignedSnapshotHeader.IDLE && random.nextBoolean() ? AlignedSnapshotHeader.VERSION_WITHOUT_CURSOR :
                AlignedSnapshotHeader.VERSION_WITHOUT_PACE;
            // Without the pace, and for version 1 without the firing cursor either (only a snapshot with no firing).
            final int headerEnd = version == AlignedSnapshotHeader.VERSION_WITHOUT_CURSOR ?
                AlignedSnapshotHeader.FIRING_STATE_OFFSET : AlignedSnapshotHeader.PACE_OFFSET;
            final int tail = current.capacity() - AlignedSnapshotHeader.HEADER_LENGTH;
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[headerEnd + tail]);
            snapshot.putBytes(0, current, 0, headerEnd);
            snapshot.putBytes(headerEnd, current, AlignedSnapshotHeader.HEADER_LENGTH, tail);
            snapshot.putInt(WindowSnapshotRows.VERSION_OFFSET, version, WindowSnapshotRows.ORDER);
            versionOnes += version == AlignedSnapshotHeader.VERSION_WITHOUT_CURSOR ? 1 : 0;

            // The old operator restored from the same bytes is the reference: an old snapshot holds no pace.
            final List<String> referenceOut = new ArrayList<>();
            final WindowOperator reference = gcdGrid ? run.gcdGridOperator(referenceOut, at) : run.context(referenceOut, at).denseSlots(false).build();
            reference.restoreFrom(snapshot, 0);
            final List<String> actual = new ArrayList<>();
            final WindowOperator dense = run.context(actual, at).build();
            assertThat(dense.restoreFrom(snapshot, 0)).isEqualTo(snapshot.capacity());
            run.replay(reference, at, cut, run.signals());
            run.replay(dense, at, cut, run.signals());
            at[0] = -1;
            reference.endOfInput();
            dense.endOfInput();
            final String what = run.what + " cut " + cut + " version " + version;
            assertSameOutputs(actual, referenceOut, what);
            assertThat(dense.windowsFired()).as(what).isEqualTo(reference.windowsFired());
        }
        assertThat(versionOnes).as("seed " + seed + ": version 1 snapshots tried").isPositive();
    }

    @Test
    void shouldReuseTheSlotsOfKeysThatWentAway()
    {
        final List<String> out = new ArrayList<>();
        final AdaptiveWindowOperator operator = (AdaptiveWindowOperator)new WindowOperatorContext().denseSlots(true).tumbling(10)
            .aggregators(Aggregators.count(), Aggregators.sumLong(0)).expectedEntries(4)
            .resultHandler((key, start, end, flags, result) -> out.add(key + "@" + start)).build();
        final TestEvent event = new TestEvent().set(1, 0);
        // Every window 1,000 keys never seen before: 200,000 keys over 200 windows.
        for (int window = 0; window < 200; window++)
        {
            for (int k = 0; k < 1000; k++)
            {
                operator.onEvent(window * 1000L + k, window * 10L + k % 10, event);
            }
        }
        operator.endOfInput();
        assertThat(out).hasSize(200_000);
        assertThat(operator.stateEntries()).isZero();
        // Slots follow the keys in use (a window's and the idle ones kept for a while), not every key seen.
        assertThat(operator.handOvers()).isZero();
        assertThat(((DenseWindowOperator)operator.current()).keySlots()).isLessThanOrEqualTo(1 << 15);
    }

    @Test
    void shouldBeBuiltWhereItGivesTheLinkedRowsResults()
    {
        final WindowResultHandler none = (key, start, end, flags, result) -> { };
        assertThat(new WindowOperatorContext().denseSlots(true).tumbling(10).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AdaptiveWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).hopping(6, 10).aggregators(Aggregators.count(), Aggregators.sumLong(0)).resultHandler(none)
            .build()).isInstanceOf(AdaptiveWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).sliding(16, 1).aggregators(Aggregators.maxLong(0)).resultHandler(none).build())
            .isInstanceOf(AdaptiveWindowOperator.class);
        // More than 16 panes, lateness, early results, double or first/last aggregates, or not asked for: linked rows.
        assertThat(new WindowOperatorContext().denseSlots(true).sliding(17, 1).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).tumbling(10).allowedLateness(5).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).tumbling(10).earlyOnUpdate(true).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).tumbling(10).aggregators(Aggregators.sumDouble(1)).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        assertThat(new WindowOperatorContext().denseSlots(true).tumbling(10).aggregators(Aggregators.firstLong(0)).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        assertThat(new WindowOperatorContext().tumbling(10).denseSlots(false).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AlignedWindowOperator.class);
        // Not turned off: dense slots, bounded (see WindowOperatorContext.denseSlots).
        assertThat(new WindowOperatorContext().tumbling(10).aggregators(Aggregators.count()).resultHandler(none).build())
            .isInstanceOf(AdaptiveWindowOperator.class);
    }

    /** The outputs equal, line for line; else the first that differs, named with its neighbours. */
    private static void assertSameOutputs(final List<String> actual, final List<String> expected, final String what)
    {
        int first = 0;
        while (first < Math.min(actual.size(), expected.size()) && actual.get(first).equals(expected.get(first)))
        {
            first++;
        }
        if (first < Math.max(actual.size(), expected.size()))
        {
            final int from = Math.max(0, first - 3);
            assertThat(actual.subList(from, Math.min(actual.size(), first + 3)))
                .as(what + ": outputs differ from line " + first + " of " + expected.size())
                .isEqualTo(expected.subList(from, Math.min(expected.size(), first + 3)));
        }
    }

    /** The uninterrupted run's outputs of the signals from {@code cut} on (each tagged with its signal, or -1 at the end). */
    private static List<String> suffix(final List<String> outputs, final int cut)
    {
        final List<String> after = new ArrayList<>();
        for (final String line : outputs)
        {
            final int signal = Integer.parseInt(line.substring(0, line.indexOf(' ')));
            if (signal >= cut || signal < 0)
            {
                after.add(line);
            }
        }
        return after;
    }

    private static java.util.Set<String> rowSet(final UnsafeBuffer buffer, final int from, final int rows, final int rowLength)
    {
        final java.util.Set<String> set = new java.util.HashSet<>();
        for (int r = 0; r < rows; r++)
        {
            final byte[] row = new byte[rowLength];
            buffer.getBytes(from + r * rowLength, row);
            assertThat(set.add(Arrays.toString(row))).as("row " + r + " once").isTrue();
        }
        return set;
    }

    /** A seeded run: a window, aggregators, slice and pace, and signals: events, ticks and explicit watermarks. */
    private static final class Run
    {
        private static final int EVENT = 0;
        private static final int TICK = 1;
        private static final int WATERMARK = 2;

        final long[] window;
        final PrimitiveAggregator[] aggregators;
        final int slice;
        final int pace;
        final long idleTimeout;
        /** The dense layout's floor: small in some runs, so that the state moves between dense slots and linked rows. */
        final long floorCells;
        final String what;
        private final ColumnarWindowOperatorTest.Events events;
        private final int[] kind;
        private final long[] argument;
        private final TestEvent event = new TestEvent();

        private Run(
            final long[] window, final PrimitiveAggregator[] aggregators, final int slice, final int pace, final long idleTimeout,
            final long floorCells, final ColumnarWindowOperatorTest.Events events, final Random random, final String what)
        {
            this.floorCells = floorCells;
            this.window = window;
            this.aggregators = aggregators;
            this.slice = slice;
            this.pace = pace;
            this.idleTimeout = idleTimeout;
            this.events = events;
            this.what = what;
            this.kind = new int[events.count];
            this.argument = new long[events.count];
            long processingTime = 0;
            for (int i = 0; i < events.count; i++)
            {
                final int roll = random.nextInt(100);
                processingTime += random.nextInt(3);
                kind[i] = roll < 6 ? TICK : roll < 8 ? WATERMARK : EVENT;
                argument[i] = kind[i] == TICK ? processingTime : events.time[i] - window[3] - random.nextInt(3);
            }
        }

        static Run random(final Random random, final int round, final long seed)
        {
            final long[] window = WINDOWS[round % WINDOWS.length];
            final PrimitiveAggregator[] aggregators = ColumnarWindowOperatorTest.aggregators(round / WINDOWS.length % 6);
            final int slice = SLICES[random.nextInt(SLICES.length)];
            final int pace = PACES[random.nextInt(PACES.length)];
            final long idleTimeout = random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 0;
            final long floorCells = random.nextBoolean() ? DenseBound.MIN_CELLS : 1 + random.nextInt(256);
            final int keys = random.nextBoolean() ? 1 + random.nextInt(8) : 300 + random.nextInt(2000);
            final ColumnarWindowOperatorTest.Events events =
                ColumnarWindowOperatorTest.Events.generate(random, 1000 + random.nextInt(3000), keys, window[0], window[3]);
            return new Run(window, aggregators, slice, pace, idleTimeout, floorCells, events, random, "seed " + seed + " round " + round +
                " window " + Arrays.toString(window) + " slice " + slice + " pace " + pace + " idle " + idleTimeout + " keys " + keys +
                " floor " + floorCells);
        }

        int signals()
        {
            return events.count;
        }

        void apply(final WindowOperator operator, final int i)
        {
            switch (kind[i])
            {
                case TICK -> operator.onProcessingTime(argument[i]);
                case WATERMARK -> operator.advanceWatermarkTo(argument[i]);
                default -> operator.onEvent(events.key[i], events.time[i], event.set(events.value[i], 0));
            }
        }

        void replay(final WindowOperator operator, final int[] at, final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                at[0] = i;
                apply(operator, i);
            }
        }

        WindowOperatorContext context(final List<String> out, final int[] at)
        {
            final WindowOperatorContext context = new WindowOperatorContext()
                .denseSlots(true)
                .denseFloorCells(floorCells)
                .offset(window[2])
                .watermarks(idleTimeout > 0 ? Watermarks.boundedOutOfOrderness(window[3], idleTimeout) : Watermarks.boundedOutOfOrderness(window[3]))
                .aggregators(aggregators)
                .expectedEntries(4)
                .firingSlice(slice)
                .firingPace(pace)
                .resultHandler((key, start, end, flags, result) -> out.add(render(at[0], key, start, end, flags, result)))
                .lateEventHandler((key, timestamp, watermark, values) -> out.add(
                    at[0] + " " + TestAggregates.late(key, timestamp, watermark) + " value=" + values.longValue(0)));
            return window[0] == window[1] ? context.tumbling(window[0]) : context.hopping(window[0], window[1]);
        }

        /** Linked rows on the gcd grid, as every operator cut windows with gaps before one pane per window. */
        WindowOperator gcdGridOperator(final List<String> out, final int[] at)
        {
            return new AlignedWindowOperator(new AlignedWindows(window[0], window[1], window[2], 0, false), new WindowSettings(false,
                idleTimeout > 0 ? Watermarks.boundedOutOfOrderness(window[3], idleTimeout) : Watermarks.boundedOutOfOrderness(window[3]),
                new AggregateLayout(aggregators),
                (key, start, end, flags, result) -> out.add(render(at[0], key, start, end, flags, result)),
                (key, timestamp, watermark, values) -> out.add(
                    at[0] + " " + TestAggregates.late(key, timestamp, watermark) + " value=" + values.longValue(0)),
                4, slice, pace));
        }

        private static String render(final int at, final long key, final long start, final long end, final int flags, final WindowResult result)
        {
            final StringBuilder text = new StringBuilder().append(at).append(' ').append(TestAggregates.flagName(flags))
                .append(" key=").append(key).append(" [").append(start).append(',').append(end).append(") ");
            for (int i = 0; i < result.aggregateCount(); i++)
            {
                text.append(result.longValue(i)).append('/').append(result.doubleValue(i)).append(' ');
            }
            return text.toString();
        }
    }
}
