package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * {@link ColumnarMerge}: {@link Backtest#replayColumns} over several topics against {@link Backtest#replayEvents} (the
 * event loop's merge, {@link ReplayLoop}) over the same seeded events: every output's bytes, partition, sequence, key
 * and time in the same global order, and the same counts. Inputs with many ties of event time across topics (ties go
 * to the topic given first), times out of order within a topic, batches of random sizes (a topic's batch ending in the
 * middle of a run), 1 and 3 partitions, a schema whose fields leave bytes between them (zero in the joined rows), and
 * three topics read by two pipelines. {@code -Dsluice.test.seed=} replays a run.
 */
class ColumnarMergeTest
{
    private static final Schema ORDER = Schema.builder("order").longField("key").longField("value").timestampField("ts").build();
    private static final Schema PAYMENT = Schema.builder("payment").longField("ref").timestampField("ts").longField("key")
        .longField("amount").build();
    /** A gap of 8 bytes after {@code ts}: the merge must zero it, as a decoded event has it. */
    private static final Schema QUOTE = Schema.builder("quote").timestampField("ts").alignTo(16).longField("key").build();
    private static final long BOUND = 30;

    @Test
    void shouldMergeColumnsInTheOrderOfTheEventLoop()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        assertThat(QUOTE.length()).isEqualTo(24);
        for (int round = 0; round < 8; round++)
        {
            final int partitions = round % 2 == 0 ? 1 : 3;
            final boolean quotes = round >= 4;
            final int keys = round % 4 < 2 ? 50 : 2_000;
            final Topic orders = Topic.generate(random, ORDER, 0, 2, 1, 6_000, keys);
            final Topic payments = Topic.generate(random, PAYMENT, 2, 1, 3, 3_000, keys);
            final Topic quoted = Topic.generate(random, QUOTE, 1, 0, -1, 2_500, keys);
            final String what = "seed " + seed + " round " + round + " partitions " + partitions + (quotes ? " with quotes" : "");

            final Capture expected = new Capture();
            final Map<String, EventSource> events = new LinkedHashMap<>();
            events.put("orders", orders.events());
            events.put("payments", payments.events());
            if (quotes)
            {
                events.put("quotes", quoted.events());
            }
            final BacktestSummary eventSummary = Backtest.replayEvents(pipelines(expected, quotes), events,
                new BacktestOptions().partitions(partitions));

            final Capture actual = new Capture();
            final Map<String, ColumnarEventSource> columns = new LinkedHashMap<>();
            columns.put("orders", orders.columns(random));
            columns.put("payments", payments.columns(random));
            if (quotes)
            {
                columns.put("quotes", quoted.columns(random));
            }
            final BacktestSummary columnSummary = Backtest.replayColumns(pipelines(actual, quotes), columns,
                new BacktestOptions().partitions(partitions));

            assertThat(actual.lines).as(what).hasSize(expected.lines.size());
            for (int i = 0; i < expected.lines.size(); i++)
            {
                assertThat(actual.lines.get(i)).as(what + " output " + i).isEqualTo(expected.lines.get(i));
            }
            assertThat(columnSummary.pipelines()).as(what).isEqualTo(eventSummary.pipelines());
            assertThat(actual.merged).as(what).isTrue();
            assertThat(expected.merged).as(what).isFalse();
            assertThat(expected.matches).as(what).isGreaterThan(100);
            assertThat(expected.unmatched).as(what).isGreaterThan(10);
            if (quotes)
            {
                assertThat(expected.quotes).as(what).isEqualTo(quoted.count);
            }
        }
    }

    @Test
    void shouldDispatchWhatWasReadBeforeASourceFails()
    {
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Topic orders = Topic.generate(new Random(seed), ORDER, 0, 2, 1, 2_000, 20);
        final Topic payments = Topic.generate(new Random(seed + 1), PAYMENT, 2, 1, 3, 1_000, 20);
        final Capture actual = new Capture();
        final ColumnarEventSource good = orders.columns(new Random(seed));
        final ColumnarEventSource paid = payments.columns(new Random(seed));
        final int[] calls = {0};
        final ColumnarEventSource failing = columns -> ++calls[0] == 3 ? columns.capacity() + 1 : paid.fill(columns);
        final Map<String, ColumnarEventSource> columns = new LinkedHashMap<>();
        columns.put("orders", good);
        columns.put("payments", failing);
        assertThatThrownBy(() -> Backtest.replayColumns(pipelines(actual, false), columns, new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("topic 'payments' returned 513 events for columns of 512");
        // The events of the first two batches of payments, and the orders merged with them, reached the join.
        assertThat(actual.matches).as("seed " + seed).isPositive();
    }

    private static List<Pipeline> pipelines(final Capture sink, final boolean quotes)
    {
        final List<Pipeline> pipelines = new ArrayList<>();
        pipelines.add(Pipeline.join("pays",
                Source.stream("orders", ORDER).partitionKey("key").eventTime("ts", BOUND),
                Source.stream("payments", PAYMENT).partitionKey("key").eventTime("ts", BOUND))
            .interval(-20, 15).type(JoinType.OUTER).prefixes("o", "p").expectedEntries(64)
            .then().sink("rows", sink).build());
        if (quotes)
        {
            // The quotes as they are: their bytes reach the sink, gap included.
            pipelines.add(Pipeline.from("quotes", QUOTE).name("quoted").partitionKey("key").eventTime("ts", BOUND)
                .sink("quotes", sink).build());
        }
        return pipelines;
    }

    /** Every output's bytes in the order the sinks got them; whether the merge of columns fed them. */
    static final class Capture implements EventSink
    {
        final List<String> lines = new ArrayList<>();
        boolean merged;
        int matches;
        int unmatched;
        int quotes;

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            if (lines.isEmpty())
            {
                merged = Arrays.stream(new Throwable().getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith(".ColumnarMerge"));
            }
            final Schema schema = event.schema();
            final byte[] bytes = new byte[event.length()];
            event.buffer().getBytes(event.offset(), bytes);
            lines.add(partition + " " + sequence + " " + key + " " + timestamp + " " + schema.name() + " " +
                HexFormat.of().formatHex(bytes));
            if (!schema.hasField(JoinSpec.FLAGS))
            {
                quotes++;
            }
            else if (event.getInt(schema.indexOf(JoinSpec.FLAGS)) == JoinResultHandler.MATCH)
            {
                matches++;
            }
            else
            {
                unmatched++;
            }
        }
    }

    /** Seeded events of one topic: times that tie often with the other topics' and run up to 40 behind. */
    static final class Topic
    {
        private final Schema schema;
        private final long[][] fields;
        private final int count;

        private Topic(final Schema schema, final int count)
        {
            this.schema = schema;
            this.fields = new long[schema.fieldCount()][count];
            this.count = count;
        }

        /**
         * @param keyField   index of the key.
         * @param timeField  index of the time.
         * @param valueField index of a random value, or -1.
         */
        static Topic generate(
            final Random random, final Schema schema, final int keyField, final int timeField, final int valueField, final int count,
            final int keys)
        {
            final Topic topic = new Topic(schema, count);
            long clock = -500;
            for (int i = 0; i < count; i++)
            {
                // Every topic spans about 500 time units, so the topics interleave and tie all along.
                clock += random.nextInt(count / 500) == 0 ? 1 : 0;
                for (int f = 0; f < schema.fieldCount(); f++)
                {
                    topic.fields[f][i] = f == keyField ? random.nextInt(keys) - keys / 4 :
                        f == timeField ? clock - (random.nextInt(10) == 0 ? random.nextInt(40) : 0) :
                        f == valueField ? random.nextLong() : i;
                }
            }
            return topic;
        }

        EventSource events()
        {
            final int[] next = {0};
            return event ->
            {
                if (next[0] == count)
                {
                    return false;
                }
                final int i = next[0]++;
                for (int f = 0; f < fields.length; f++)
                {
                    event.putLong(f, fields[f][i]);
                }
                return true;
            };
        }

        /** The same events as columns, in batches of random sizes. */
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
                    final int size = Math.min(count - next, 1 + sizes.nextInt(sizes.nextBoolean() ? 8 : columns.capacity()));
                    for (int f = 0; f < fields.length; f++)
                    {
                        System.arraycopy(fields[f], next, columns.column(f), 0, size);
                    }
                    next += size;
                    return size;
                }
            };
        }
    }
}
