package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

class EngineJoinTest
{
    static final Schema ORDER = Schema.builder("order").longField("order_id").doubleField("amount").timestampField("ts").build();
    static final Schema PAYMENT = Schema.builder("payment").longField("order_id").doubleField("paid").timestampField("ts").build();
    static final Schema ACCOUNT = Schema.builder("account").longField("account_id").longField("limit").booleanField("deleted")
        .timestampField("ts").build();

    @TempDir
    Path dir;

    private EngineContext context(final Path data)
    {
        return new EngineContext().directory(data).partitions(3).ringSize(1024).journalSegmentLength(4 * 1024 * 1024);
    }

    private static Pipeline unpaid(final io.sluice.engine.pipeline.EventSink sink)
    {
        return Pipeline.join("orders-payments",
                Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 100),
                Source.stream("payments", PAYMENT).partitionKey("order_id").eventTime("ts", 100))
            .interval(0, 2_000).type(JoinType.LEFT)
            .then()
            .sink("text", sink)
            .build();
    }

    /** Orders 0..n-1 at t = 10 i; order i is paid at +500 if i % 3 == 0, at +2000 (inclusive bound) if i % 3 == 1, at +2001 (too late) else. */
    private static void publishOrdersAndPayments(final Engine engine, final int from, final int to)
    {
        final EventPublisher orders = engine.publisher("orders");
        final EventPublisher payments = engine.publisher("payments");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        final EventFlyweight order = new EventFlyweight(ORDER).wrapForWrite(buffer, 0);
        final EventFlyweight payment = new EventFlyweight(PAYMENT).wrapForWrite(buffer, 0);
        for (int i = from; i < to; i++)
        {
            order.putLong(0, i).putDouble(1, i * 1.5).putLong(2, i * 10L);
            orders.publish(buffer, 0);
            final long delay = i % 3 == 0 ? 500 : i % 3 == 1 ? 2_000 : 2_001;
            payment.putLong(0, i).putDouble(1, i * 1.5).putLong(2, i * 10L + delay);
            payments.publish(buffer, 0);
        }
    }

    private static TreeMap<Long, String> expected(final int n)
    {
        final TreeMap<Long, String> rows = new TreeMap<>();
        for (long i = 0; i < n; i++)
        {
            rows.put(i, i % 3 == 2 ? "unpaid" : "paid");
        }
        return rows;
    }

    private static TreeMap<Long, String> actual(final List<String> lines)
    {
        final TreeMap<Long, String> rows = new TreeMap<>();
        for (final String line : lines)
        {
            final String[] f = line.split(" ");
            final long key = Long.parseLong(f[2]);
            final int flags = Integer.parseInt(f[5].substring("join_flags=".length()));
            // The right-null row of an unpaid order; a matched row of a paid one; never both, never twice.
            final String previous = rows.put(key, flags == JoinResultHandler.RIGHT_NULL ? "unpaid" : flags == JoinResultHandler.MATCH ? "paid" : "?");
            assertThat(previous).as("order %d emitted twice", key).isNull();
        }
        return rows;
    }

    @Test
    void shouldJoinOrdersToPaymentsWithinTheIntervalBothBoundsInclusive()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir), List.of(unpaid(sink))))
        {
            assertThat(engine.journalTopicOf("orders")).isEqualTo("orders.payments");
            publishOrdersAndPayments(engine, 0, 3_000);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            // Join state (records waiting for their interval to pass) is published per partition.
            final long[] stateBytes = {0};
            engine.context().countersManager().forEach((value, id, label) ->
            {
                if (label.startsWith("state-bytes: orders.payments/"))
                {
                    stateBytes[0] += value;
                }
            });
            assertThat(stateBytes[0]).isPositive();
            engine.endOfInput("orders");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(actual(sink.lines())).isEqualTo(expected(3_000));
        assertThat(sink.lines().get(0)).contains("orders_order_id=").contains("payments_paid=");
    }

    @Test
    void shouldEmitTheRestOfANullPaddingSliceWhenTheInputGoesQuiet()
    {
        // 500 unpaid orders complete at once: the completing payment null-pads one eviction slice (64 by
        // default); the rest used to wait for an event that an unbounded source may not send. A journaled tick
        // and the continuation ticks behind it emit the rest, and replay of the journal gives the same lines.
        final int orders = 500;
        final EngineContext onePartition = context(dir).partitions(1).waitStrategy(WaitStrategyKind.SLEEP).tickIntervalMillis(20);
        final TestEvents.TextSink live = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(onePartition, List.of(unpaid(live))))
        {
            final EventPublisher orderPublisher = engine.publisher("orders");
            final EventPublisher paymentPublisher = engine.publisher("payments");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
            final EventFlyweight order = new EventFlyweight(ORDER).wrapForWrite(buffer, 0);
            final EventFlyweight payment = new EventFlyweight(PAYMENT).wrapForWrite(buffer, 0);
            for (int i = 0; i < orders; i++)
            {
                order.putLong(0, i).putDouble(1, i).putLong(2, i);
                orderPublisher.publish(buffer, 0);
            }
            // One paid order far ahead moves both sides' watermarks past every earlier order's interval.
            order.putLong(0, orders).putDouble(1, 1).putLong(2, 100_000);
            orderPublisher.publish(buffer, 0);
            payment.putLong(0, orders).putDouble(1, 1).putLong(2, 100_000);
            paymentPublisher.publish(buffer, 0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (live.lines().size() < orders + 1 && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            final TreeMap<Long, String> rows = actual(live.lines());
            final long unpaid = rows.values().stream().filter("unpaid"::equals).count();
            assertThat(unpaid).as("every unpaid order's null-padded row, with no event after the completing one").isEqualTo(orders);
            assertThat(rows).containsEntry((long)orders, "paid").hasSize(orders + 1);
        }
        final TestEvents.TextSink replayed = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(onePartition.checkpoints(false), List.of(unpaid(replayed))))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (replayed.lines().size() < orders + 1 && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(replayed.lines()).isEqualTo(live.lines().subList(0, orders + 1));
            assertThat(engine.partitionCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldRestoreJoinStateFromCheckpointAndEmitEachRowOnce() throws Exception
    {
        final TestEvents.TextSink whole = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("whole")).checkpoints(false), List.of(unpaid(whole))))
        {
            publishOrdersAndPayments(engine, 0, 3_000);
            engine.endOfInput("orders");
        }
        final TestEvents.TextSink before = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(unpaid(before))))
        {
            publishOrdersAndPayments(engine, 0, 1_500);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
        }
        final TestEvents.TextSink after = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(unpaid(after))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).startsWith("loaded checkpoint"));
            publishOrdersAndPayments(engine, 1_500, 3_000);
            engine.endOfInput("orders");
        }
        final List<String> all = new ArrayList<>(before.lines());
        all.addAll(after.lines());
        assertThat(new TreeSet<>(all)).isEqualTo(new TreeSet<>(whole.lines()));
        assertThat(all).hasSize(whole.lines().size());
    }

    @Test
    void shouldEnrichStreamEventsWithTheTableRowAsOfTheirPositionAndHonourDeletes()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Pipeline enrich = Pipeline.join("enrich",
                Source.stream("trades", TestEvents.TRADE).partitionKey("account").eventTime("ts", 0),
                Source.table("accounts", ACCOUNT).partitionKey("account_id").deleteFlag("deleted").eventTime("ts", 0))
            .lookup().type(JoinType.LEFT)
            .then()
            .sink("text", sink)
            .build();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final EventFlyweight account = new EventFlyweight(ACCOUNT).wrapForWrite(buffer, 0);
        try (Engine engine = Engine.launch(context(dir), List.of(enrich)))
        {
            final EventPublisher trades = engine.publisher("trades");
            final EventPublisher accounts = engine.publisher("accounts");
            // Publishing from one thread keeps each key's order: the partition sees upsert, trade, delete, trade.
            account.putLong(0, 7).putLong(1, 1_000).putBoolean(2, false).putLong(3, 1);
            accounts.publish(buffer, 0);
            trades.publish(TestEvents.trade(buffer, 7, 10, 1, 2), 0);
            account.clear().putLong(0, 7).putLong(1, 0).putBoolean(2, true).putLong(3, 3);
            accounts.publish(buffer, 0);
            trades.publish(TestEvents.trade(buffer, 7, 20, 1, 4), 0);
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sink.lines()).hasSize(2);
        assertThat(sink.lines().get(0)).contains("join_flags=0").contains("accounts_limit=1000");
        assertThat(sink.lines().get(1)).contains("join_flags=" + JoinResultHandler.RIGHT_NULL).contains("accounts_limit=0");
    }

    @Test
    void shouldRefuseJoinsWhoseInputsAreNotCoPartitioned()
    {
        final Schema symbolKeyed = Schema.builder("p").symbolField("order_id", 8).timestampField("ts").build();
        assertThatThrownBy(() -> Pipeline.join("bad",
                Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 0),
                Source.stream("payments", symbolKeyed).partitionKey("order_id").eventTime("ts", 0))
            .interval(0, 1).then())
            .isInstanceOf(SchemaException.class)
            .hasMessageContaining("not co-partitioned").hasMessageContaining("LONG").hasMessageContaining("SYMBOL");
        assertThatThrownBy(() -> Pipeline.join("bad",
                Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 0),
                Source.stream("payments", PAYMENT).partitionKey("order_id").eventTime("ts", 0))
            .lookup().then())
            .hasMessageContaining("a stream on the left and a table on the right");
    }

    @Test
    void shouldRefuseSchemasPaddedBetweenOrAfterTheirFields()
    {
        final Schema padded = Schema.builder("padded").longField("order_id").timestampField("ts").alignTo(64).build();
        assertThatThrownBy(() -> Pipeline.join("padded",
                Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 0),
                Source.stream("payments", padded).partitionKey("order_id").eventTime("ts", 0))
            .interval(0, 1).then())
            .isInstanceOf(SchemaException.class)
            .hasMessageContaining("join 'padded'").hasMessageContaining("right schema 'padded' is padded to 64 bytes");
        final Schema gapped = Schema.builder("gapped").longField("order_id").alignTo(32).timestampField("ts").build();
        assertThatThrownBy(() -> Pipeline.join("gapped",
                Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 0),
                Source.stream("payments", gapped).partitionKey("order_id").eventTime("ts", 0))
            .interval(0, 1).then())
            .isInstanceOf(SchemaException.class)
            .hasMessageContaining("join 'gapped'").hasMessageContaining("field 'ts' of schema 'gapped' follows padding");
    }

    @Test
    void shouldEndAJoinGroupOnceWhicheverOfItsTopicsEndsAndRefuseLaterEvents()
    {
        final int[] ends = new int[3];
        final TestEvents.TextSink text = new TestEvents.TextSink();
        final io.sluice.engine.pipeline.EventSink sink = new io.sluice.engine.pipeline.EventSink()
        {
            @Override
            public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
            {
                text.onEvent(partition, sequence, key, timestamp, event);
            }

            @Override
            public void onEndOfInput(final int partition)
            {
                ends[partition]++;
            }
        };
        try (Engine engine = Engine.launch(context(dir), List.of(unpaid(sink))))
        {
            publishOrdersAndPayments(engine, 0, 300);
            engine.endOfInput("orders");
            engine.endOfInput("payments");
            engine.endOfInput("orders");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ends).as("end of input reaches each partition once").containsExactly(1, 1, 1);

            final EventPublisher payments = engine.publisher("payments");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
            new EventFlyweight(PAYMENT).wrapForWrite(buffer, 0).putLong(0, 7).putDouble(1, 1.0).putLong(2, 5_000);
            assertThatThrownBy(() -> payments.publish(buffer, 0))
                .isInstanceOf(EngineException.class).hasMessageContaining("'payments'").hasMessageContaining("has ended");
            assertThatThrownBy(() -> engine.batchingPublisher("orders", 4).publish(buffer, 0))
                .isInstanceOf(EngineException.class).hasMessageContaining("'orders'").hasMessageContaining("has ended");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(actual(text.lines())).isEqualTo(expected(300));
    }
}
