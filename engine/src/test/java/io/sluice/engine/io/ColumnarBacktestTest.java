package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * {@link Backtest#replayColumns} against {@link Backtest#replayEvents} without the columnar kernel
 * ({@link BacktestOptions#columnarWindows}) over the same seeded events: every output
 * (partition, sequence, key, time, fields) in the same global order and the same counts, for pipelines the columnar
 * window kernel runs (checked: the results come from it) and for those it does not (read event by event); with 1
 * and 3 partitions, late events, negative times, more keys than the kernel's first table; a sink failing under
 * HALT; input files read into columns, also up to a malformed line. {@code -Dsluice.test.seed=} replays a run.
 */
class ColumnarBacktestTest
{
    private static final Schema ORDER = Schema.builder("order").longField("key").longField("value").timestampField("ts").build();
    private static final long BOUND = 40;

    @TempDir
    Path dir;

    @Test
    void shouldGiveTheOutputsOfTheEventByEventBacktest()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int round = 0; round < 8; round++)
        {
            final Events events = Events.generate(random, 20_000, round % 2 == 0 ? 3_000 : 7);
            final int partitions = round % 4 < 2 ? 1 : 3;
            for (final Shape shape : Shape.values())
            {
                final String what = "seed " + seed + " round " + round + " " + shape + " partitions " + partitions;
                final Capture expected = new Capture();
                final BacktestSummary eventSummary = Backtest.replayEvents(List.of(shape.pipeline(expected)),
                    Map.of("orders", events.source()), new BacktestOptions().partitions(partitions).columnarWindows(false));
                final Capture actual = new Capture();
                final BacktestSummary columnSummary = Backtest.replayColumns(List.of(shape.pipeline(actual)),
                    Map.of("orders", events.columns(random)), new BacktestOptions().partitions(partitions));

                assertThat(actual.lines).as(what).isEqualTo(expected.lines);
                assertThat(columnSummary.pipelines()).as(what).isEqualTo(eventSummary.pipelines());
                assertThat(expected.lines.size()).as(what).isGreaterThan(100);
                assertThat(actual.byKernel).as(what).isEqualTo(shape.kernel);
                assertThat(expected.byKernel).as(what).isFalse();
                // Events one at a time reach the kernel too, by default: read into columns.
                final Capture oneByOne = new Capture();
                final BacktestSummary oneByOneSummary = Backtest.replayEvents(List.of(shape.pipeline(oneByOne)),
                    Map.of("orders", events.source()), new BacktestOptions().partitions(partitions));
                assertThat(oneByOne.lines).as(what).isEqualTo(expected.lines);
                assertThat(oneByOneSummary.pipelines()).as(what).isEqualTo(eventSummary.pipelines());
                assertThat(oneByOne.byKernel).as(what).isEqualTo(shape.kernel);
                if (shape == Shape.TUMBLING)
                {
                    assertThat(eventSummary.pipelines().get(0).lateEvents()).as(what).isPositive();
                }
            }
        }
    }

    @Test
    void shouldStopAtTheSameResultWhenTheSinkHaltsThePipeline()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Events events = Events.generate(random, 20_000, 500);
        for (final int failAt : new int[]{0, 1, 77, 1_000, 2_345})
        {
            final Shape shape = failAt % 2 == 0 ? Shape.TUMBLING : Shape.SLIDING;
            final Capture expected = new Capture().failingAt(failAt);
            final BacktestSummary eventSummary = Backtest.replayEvents(List.of(shape.pipeline(expected)),
                Map.of("orders", events.source()), new BacktestOptions().partitions(1).columnarWindows(false));
            final Capture actual = new Capture().failingAt(failAt);
            final BacktestSummary columnSummary = Backtest.replayColumns(List.of(shape.pipeline(actual)),
                Map.of("orders", ColumnarEventSource.of(ORDER, events.count, events.key, events.value, events.time)),
                new BacktestOptions().partitions(1));
            final String what = "seed " + seed + " " + shape + " failing at output " + failAt;
            assertThat(actual.lines).as(what).isEqualTo(expected.lines).isNotEmpty();
            assertThat(columnSummary.pipelines()).as(what).isEqualTo(eventSummary.pipelines());
            assertThat(columnSummary.pipelines().get(0).haltedPartitions()).as(what).isEqualTo(1);
            assertThat(actual.byKernel).as(what).isTrue();
        }
    }

    @Test
    void shouldReadInputFilesIntoTheKernelAsTheEventLoopReadsThem() throws Exception
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Events events = Events.generate(new Random(seed), 20_000, 2_000);
        final StringBuilder csv = new StringBuilder("key,value,ts\n");
        for (int i = 0; i < events.count; i++)
        {
            csv.append(events.key[i]).append(',').append(events.value[i]).append(',').append(events.time[i]).append('\n');
            if (i == 15_000)
            {
                csv.append("1,lots,2\n");
            }
        }
        final Path input = dir.resolve("orders.csv");
        Files.writeString(input, csv, StandardCharsets.UTF_8);
        final String what = "seed " + seed;

        final Capture expected = new Capture();
        final BacktestSummary eventSummary = Backtest.replay(List.of(Shape.TUMBLING.pipeline(expected)),
            List.of(input), new BacktestOptions().partitions(1).malformedInput(MalformedInputPolicy.SKIP).columnarWindows(false));
        final Capture actual = new Capture();
        final BacktestSummary columnSummary = Backtest.replay(List.of(Shape.TUMBLING.pipeline(actual)), List.of(input),
            new BacktestOptions().partitions(1).malformedInput(MalformedInputPolicy.SKIP));
        assertThat(actual.lines).as(what).isEqualTo(expected.lines).hasSizeGreaterThan(100);
        assertThat(columnSummary.pipelines()).as(what).isEqualTo(eventSummary.pipelines());
        assertThat(columnSummary.inputs()).as(what).isEqualTo(eventSummary.inputs());
        assertThat(columnSummary.malformed()).as(what).isEqualTo(1);
        assertThat(actual.byKernel).as(what).isTrue();

        // Stopping at the malformed line: every event before it processed, nothing after, no end of input.
        final Capture stoppedExpected = new Capture();
        assertThatThrownBy(() -> Backtest.replay(List.of(Shape.TUMBLING.pipeline(stoppedExpected)),
            List.of(input), new BacktestOptions().partitions(1).columnarWindows(false))).isInstanceOf(MalformedInputException.class);
        final Capture stopped = new Capture();
        assertThatThrownBy(() -> Backtest.replay(List.of(Shape.TUMBLING.pipeline(stopped)), List.of(input),
            new BacktestOptions().partitions(1))).isInstanceOf(MalformedInputException.class).hasMessageContaining("line 15003");
        assertThat(stopped.lines).as(what).isEqualTo(stoppedExpected.lines).hasSizeGreaterThan(100).hasSizeLessThan(expected.lines.size());
        assertThat(stopped.byKernel).as(what).isTrue();
    }

    @Test
    void shouldNameWhatColumnsCannotHold()
    {
        final Schema withDouble = Schema.builder("quote").longField("key").doubleField("price").timestampField("ts").build();
        assertThatThrownBy(() -> new EventColumns(withDouble, 16)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("field 'price' is DOUBLE");
        final Pipeline pipeline = Pipeline.from("quotes", withDouble).partitionKey("key").eventTime("ts", BOUND)
            .window(w -> w.tumbling(10).count("n")).sink("none", (p, s, k, t, e) -> { }).build();
        assertThatThrownBy(() -> Backtest.replayColumns(List.of(pipeline), Map.of("quotes", columns -> 0), new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("topic 'quotes' cannot be read as columns")
            .hasMessageContaining("'price'");
        assertThatThrownBy(() -> Backtest.replayColumns(List.of(Shape.TUMBLING.pipeline(new Capture())),
            Map.of("orders", columns -> columns.capacity() + 1), new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("returned 513 events for columns of 512");
        assertThatThrownBy(() -> ColumnarEventSource.of(ORDER, 10, new long[10], new long[9], new long[10]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 'value' holds 9 values, 10 events given");
    }

    /** The pipelines compared; {@code kernel}: whether the columnar kernel runs it. */
    enum Shape
    {
        TUMBLING(true, w -> w.tumbling(100).count("n").sum("total", "value")),
        HOPPING_WITH_GAPS(true, w -> w.hopping(60, 150).offset(-20).max("hi", "value").min("lo", "value").avg("mean", "value")
            .sum("total", "value").expectedEntries(4)),
        SLIDING(true, w -> w.sliding(100, 50).count("n").sum("total", "value")),
        SLIDING_BY_PANES(true, w -> w.sliding(90, 20).offset(7).min("lo", "value").max("hi", "value").avg("mean", "value")
            .expectedEntries(4)),
        SLIDING_OVER_16_PANES(false, w -> w.sliding(170, 10).count("n").sum("total", "value")),
        FILTER_FIRST(false, null);

        final boolean kernel;
        final Consumer<WindowSpec> window;

        Shape(final boolean kernel, final Consumer<WindowSpec> window)
        {
            this.kernel = kernel;
            this.window = window;
        }

        Pipeline pipeline(final EventSink sink)
        {
            final Pipeline.Builder builder = Pipeline.from("orders", ORDER).name(name().toLowerCase()).partitionKey("key").eventTime("ts", BOUND)
                .onError(ErrorPolicy.HALT);
            if (window == null)
            {
                return builder.filter("odd values", e -> (e.getLong(1) & 1) == 1)
                    .window(w -> w.tumbling(100).count("n").sum("total", "value")).sink("rows", sink).build();
            }
            return builder.window(window).sink("rows", sink).build();
        }
    }

    /** Every output in the order the sinks got them, across partitions; and whether the kernel emitted them. */
    static final class Capture implements EventSink
    {
        final List<String> lines = new ArrayList<>();
        boolean byKernel;
        private int failAt = -1;

        Capture failingAt(final int output)
        {
            this.failAt = output;
            return this;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            if (lines.isEmpty())
            {
                byKernel = Arrays.stream(new Throwable().getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith(".ColumnarWindowOperator"));
            }
            final StringBuilder line = new StringBuilder().append(partition).append(' ').append(sequence).append(' ').append(key)
                .append(' ').append(timestamp);
            for (int i = 0; i < event.schema().fieldCount(); i++)
            {
                line.append(' ').append(event.schema().field(i).name()).append('=').append(event.longValue(i));
                if (event.schema().field(i).type() == io.sluice.schema.FieldType.DOUBLE)
                {
                    line.append('/').append(Double.doubleToRawLongBits(event.getDouble(i)));
                }
            }
            lines.add(line.toString());
            if (lines.size() - 1 == failAt)
            {
                throw new IllegalStateException("sink fails at output " + failAt);
            }
        }
    }

    /** Seeded orders: keys from a pool (negative ones too), times from below 0, some late and some jumps. */
    static final class Events
    {
        final long[] key;
        final long[] value;
        final long[] time;
        final int count;

        private Events(final int count)
        {
            this.key = new long[count];
            this.value = new long[count];
            this.time = new long[count];
            this.count = count;
        }

        static Events generate(final Random random, final int count, final int keys)
        {
            final long[] pool = new long[keys];
            for (int k = 0; k < keys; k++)
            {
                pool[k] = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(4 * keys) - 2 * keys;
            }
            final Events events = new Events(count);
            long clock = -1_000;
            for (int i = 0; i < count; i++)
            {
                final int roll = random.nextInt(1000);
                clock += roll < 3 ? 1_000 : random.nextInt(2);
                events.key[i] = pool[random.nextInt(keys)];
                events.value[i] = random.nextInt(50) == 0 ? random.nextLong() : random.nextInt(1_000);
                events.time[i] = clock - (roll > 970 ? BOUND + 1 + random.nextInt(200) : random.nextInt((int)BOUND + 1));
            }
            return events;
        }

        EventSource source()
        {
            final int[] next = {0};
            return event ->
            {
                if (next[0] == count)
                {
                    return false;
                }
                final int i = next[0]++;
                event.putLong(0, key[i]).putLong(1, value[i]).putLong(2, time[i]);
                return true;
            };
        }

        /** The same events as columns, in batches of random sizes (the source may give fewer than the capacity). */
        ColumnarEventSource columns(final Random random)
        {
            final long batchSeed = random.nextLong();
            return new ColumnarEventSource()
            {
                private final Random sizes = new Random(batchSeed);
                private int next;

                @Override
                public int fill(final EventColumns columns)
                {
                    final int size = Math.min(count - next, 1 + sizes.nextInt(columns.capacity()));
                    for (int f = 0; f < 3; f++)
                    {
                        System.arraycopy(f == 0 ? key : f == 1 ? value : time, next, columns.column(f), 0, size);
                    }
                    next += size;
                    return size;
                }
            };
        }
    }
}
