package io.sluice.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * A checkpoint barrier fixes the suppression state in O(1) and its rows are copied in slices between
 * the events that follow: the finished snapshot must hold exactly the state at the barrier (the same
 * header and rows, in any order, as a snapshot written all at once there), snapshotting must not change
 * the live outputs, and a restore from it must go on exactly as the uninterrupted run, byte for byte.
 * Without copy on write, a key whose row changes after the barrier and before its slice would be
 * copied as it is later, and this fails. Snapshots of version 1 (before slicing) are still restored.
 */
class IncrementalSuppressionSnapshotTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long BASE_SEED = Long.getLong("sluice.test.seed", System.nanoTime() & 0xFFFFFFL);
    private static final int EVENTS = 6_000;
    private static final int KEYS = 300;
    /** Where the suppression state starts in a snapshot of an instance without window or join. */
    private static final int SUPPRESSION_OFFSET = 16;
    private static final String PIPELINE = String.join("\n",
        "schemas:",
        "  trade: {account: LONG, amount: DOUBLE, qty: LONG, ts: TIMESTAMP}",
        "pipelines:",
        "  - name: alerts",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    select: [account, qty]",
        "    suppress: %s",
        "    sink: alerts",
        "");

    private final UnsafeBuffer event = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
    private final StageErrorHandler errors = (pipeline, stage, policy, e, key, ts, error) ->
    {
        throw new AssertionError(stage + ": " + error);
    };

    static Stream<Arguments> scenarios()
    {
        System.out.println("IncrementalSuppressionSnapshotTest base seed " + BASE_SEED);
        final List<Arguments> scenarios = new ArrayList<>();
        for (final String mode : new String[] {"{cooldown: 2s}", "on_change"})
        {
            for (int i = 0; i < 3; i++)
            {
                for (final int budget : new int[] {1, 7, 256})
                {
                    scenarios.add(Arguments.of(mode, BASE_SEED + i, budget));
                }
            }
        }
        return scenarios.stream();
    }

    @ParameterizedTest(name = "{0} seed {1} budget {2}")
    @MethodSource("scenarios")
    void shouldHoldExactlyTheSuppressionStateAtTheBarrierWhileKeysKeepChanging(final String mode, final long seed, final int budget)
    {
        final String name = mode + " seed " + seed + " budget " + budget;
        final long[][] events = events(new Random(seed));
        final int cut = EVENTS / 4 + new Random(seed ^ budget).nextInt(EVENTS / 2);

        final TestEvents.TextSink whole = new TestEvents.TextSink();
        final PipelineInstance uninterrupted = PipelineInstance.create(pipeline(mode, whole), 0, errors);
        feed(uninterrupted, events, 0, EVENTS);
        assertThat(uninterrupted.suppressedOutputs()).as(name).isPositive();

        final PipelineInstance atOnce = PipelineInstance.create(pipeline(mode, new TestEvents.TextSink()), 0, errors);
        feed(atOnce, events, 0, cut);
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[atOnce.snapshotLength()]);
        final int expectedLength = atOnce.snapshotTo(expected, 0);

        final TestEvents.TextSink live = new TestEvents.TextSink();
        final PipelineInstance sliced = PipelineInstance.create(pipeline(mode, live), 0, errors);
        feed(sliced, events, 0, cut);
        final UnsafeBuffer actual = new UnsafeBuffer(new byte[sliced.snapshotLength() + 8]);
        final int length = sliced.beginSnapshot(actual, 8);
        assertThat(length).as(name).isEqualTo(expectedLength);
        assertThat(rows(expected, 0)).as(name).hasSizeGreaterThan(KEYS / 2);
        // The barrier copied no row: it only fixed the image (the partition thread does not pause per key).
        assertThat(zeroBytes(actual, 8 + SUPPRESSION_OFFSET + SuppressStage.HEADER_LENGTH, length - SUPPRESSION_OFFSET -
            SuppressStage.HEADER_LENGTH)).as(name).isTrue();
        boolean complete = false;
        for (int i = cut; i < EVENTS; i++)
        {
            feed(sliced, events, i, i + 1);
            complete = sliced.continueSnapshot(budget);
        }
        complete = complete || sliced.continueSnapshot(Integer.MAX_VALUE);
        assertThat(complete).as(name).isTrue();
        assertThat(state(actual, 8)).as(name).isEqualTo(state(expected, 0));
        assertThat(live.lines()).as("snapshotting changes no output, %s", name).isEqualTo(whole.lines());

        final TestEvents.TextSink before = new TestEvents.TextSink();
        feed(PipelineInstance.create(pipeline(mode, before), 0, errors), events, 0, cut);
        final TestEvents.TextSink after = new TestEvents.TextSink();
        final PipelineInstance restored = PipelineInstance.create(pipeline(mode, after), 0, errors);
        assertThat(restored.restoreFrom(actual, 8)).as(name).isEqualTo(length);
        feed(restored, events, cut, EVENTS);
        final List<String> resumed = new ArrayList<>(before.lines());
        resumed.addAll(after.lines());
        assertThat(resumed).as("restored from the sliced snapshot, %s", name).isEqualTo(whole.lines());
    }

    @Test
    void shouldRestoreAVersionOneSnapshotWrittenBeforeSlicing()
    {
        for (final String mode : new String[] {"{cooldown: 2s}", "on_change"})
        {
            final long[][] events = events(new Random(BASE_SEED));
            final int cut = EVENTS / 2;
            final TestEvents.TextSink whole = new TestEvents.TextSink();
            feed(PipelineInstance.create(pipeline(mode, whole), 0, errors), events, 0, EVENTS);

            final TestEvents.TextSink before = new TestEvents.TextSink();
            final PipelineInstance first = PipelineInstance.create(pipeline(mode, before), 0, errors);
            feed(first, events, 0, cut);
            final UnsafeBuffer current = new UnsafeBuffer(new byte[first.snapshotLength()]);
            final int length = first.snapshotTo(current, 0);
            // Version 1, as the engine wrote it before: no magic and version, then row count, value length and the rows.
            final int dropped = SuppressStage.HEADER_LENGTH - SuppressStage.V1_HEADER_LENGTH;
            final UnsafeBuffer v1 = new UnsafeBuffer(new byte[length - dropped]);
            v1.putBytes(0, current, 0, SUPPRESSION_OFFSET);
            v1.putBytes(SUPPRESSION_OFFSET, current, SUPPRESSION_OFFSET + dropped, length - SUPPRESSION_OFFSET - dropped);
            assertThat(v1.getInt(SUPPRESSION_OFFSET, ORDER)).isEqualTo(rows(current, 0).size());

            final TestEvents.TextSink after = new TestEvents.TextSink();
            final PipelineInstance restored = PipelineInstance.create(pipeline(mode, after), 0, errors);
            assertThat(restored.restoreFrom(v1, 0)).as(mode).isEqualTo(v1.capacity());
            feed(restored, events, cut, EVENTS);
            final List<String> resumed = new ArrayList<>(before.lines());
            resumed.addAll(after.lines());
            assertThat(resumed).as("%s, seed %d", mode, BASE_SEED).isEqualTo(whole.lines());
        }
    }

    private Pipeline pipeline(final String suppress, final TestEvents.TextSink sink)
    {
        return PipelineConfig.parse(String.format(PIPELINE, suppress), "alerts.yaml").build(d -> sink).get(0);
    }

    private void feed(final PipelineInstance instance, final long[][] events, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final long[] e = events[i];
            TestEvents.trade(event, e[0], 1.0, e[2], e[1]);
            instance.onEvent(event, 0, e[0], e[1]);
        }
    }

    /** Account, time and qty (1 to 3, so that on change suppresses a repeat) on {@value #KEYS} accounts. */
    private static long[][] events(final Random random)
    {
        final long[][] events = new long[EVENTS][];
        long ts = 0;
        for (int i = 0; i < EVENTS; i++)
        {
            ts += random.nextInt(20);
            events[i] = new long[] {random.nextInt(KEYS), ts, 1 + random.nextInt(3)};
        }
        return events;
    }

    /** The snapshot in a canonical form: the instance's 16 bytes and the suppression header, then the rows sorted. */
    private static List<String> state(final DirectBuffer buffer, final int offset)
    {
        final List<String> state = new ArrayList<>();
        state.add(hex(buffer, offset, SUPPRESSION_OFFSET + SuppressStage.HEADER_LENGTH));
        state.addAll(rows(buffer, offset).stream().sorted().toList());
        return state;
    }

    private static List<String> rows(final DirectBuffer buffer, final int offset)
    {
        final int header = offset + SUPPRESSION_OFFSET;
        assertThat(buffer.getInt(header + SuppressStage.MAGIC_OFFSET, ORDER)).isEqualTo(SuppressStage.MAGIC);
        assertThat(buffer.getInt(header + SuppressStage.VERSION_OFFSET, ORDER)).isEqualTo(SuppressStage.VERSION);
        final int count = buffer.getInt(header + SuppressStage.ROW_COUNT_OFFSET, ORDER);
        final int rowLength = 8 + buffer.getInt(header + SuppressStage.VALUE_LENGTH_OFFSET, ORDER);
        final List<String> rows = new ArrayList<>();
        for (int r = 0; r < count; r++)
        {
            rows.add(hex(buffer, header + SuppressStage.HEADER_LENGTH + r * rowLength, rowLength));
        }
        return rows;
    }

    private static String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder text = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++)
        {
            text.append(String.format("%02x", buffer.getByte(offset + i)));
        }
        return text.toString();
    }

    private static boolean zeroBytes(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
