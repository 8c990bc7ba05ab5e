package io.sluice.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.io.BacktestSummary;
import io.sluice.engine.io.ColumnarEventSource;
import io.sluice.engine.io.EventColumns;
import io.sluice.engine.io.EventSource;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Sluice through its public API: the live engine ({@link Engine}, journal on, JOURNALED, one {@link EventPublisher}
 * per topic on the calling thread handed runs of up to 256 consecutive events of its topic, YIELD) with 1 or 2 partitions,
 * or the backtest ({@link Backtest#replayColumns} over the workload's arrays, one thread, no journal, no ring). Live: timed
 * from the first publish to the moment every partition has signalled
 * the end of input (all results emitted); the engine's launch and close are not timed. Backtest: from the first
 * event read to the return of the replay.
 */
final class SluicePeer implements PeerSystem
{
    /** Order schema: 24 bytes. */
    static final Schema ORDER = Schema.builder("order").longField("key").longField("value").timestampField("ts").build();
    /** Payment schema: 24 bytes. */
    static final Schema PAYMENT = Schema.builder("payment").longField("key").longField("value").timestampField("ts").build();
    private static final int KEY = 0;
    private static final int VALUE = 1;
    private static final int TS = 2;
    /** The floor's hop ({@link #floorCpuNanosPerEvent}): its one window a millisecond long, far past every event. */
    private static final long FLOOR_HOP = 1L << 40;
    /** Events the live runs hand to the engine at once ({@link EventPublisher#publishAll}). */
    private static final int RUN = EventPublisher.RUN_LIMIT;

    private final int partitions;
    private final boolean backtest;
    private final Path scratch;

    private SluicePeer(final int partitions, final boolean backtest, final Path scratch)
    {
        this.partitions = partitions;
        this.backtest = backtest;
        this.scratch = scratch;
    }

    /**
     * The live engine.
     *
     * @param partitions of each topic.
     * @param scratch    directory for the journals (each run's own, deleted after).
     * @return the system.
     */
    static SluicePeer live(final int partitions, final Path scratch)
    {
        return new SluicePeer(partitions, false, scratch);
    }

    /**
     * The backtest path.
     *
     * @return the system.
     */
    static SluicePeer backtest()
    {
        return new SluicePeer(1, true, null);
    }

    @Override
    public String name()
    {
        return backtest ? "Sluice backtest (1 thread, no journal)" : "Sluice live p=" + partitions + " (journal on)";
    }

    @Override
    public PeerRun run(final Query query, final Workload workload) throws Exception
    {
        final RowSink sink = new RowSink(partitions, query, workload);
        final Pipeline pipeline = pipeline(query, sink);
        return backtest ? runBacktest(pipeline, query, workload, sink) : runLive(pipeline, query, workload, sink);
    }

    static Pipeline pipeline(final Query query, final EventSink sink)
    {
        if (query.isJoin())
        {
            return Pipeline.join("j1",
                    Source.stream("orders", ORDER).partitionKey("key").eventTime("ts", Workload.BOUND_MS),
                    Source.stream("payments", PAYMENT).partitionKey("key").eventTime("ts", Workload.BOUND_MS))
                .interval(-query.size, query.size).type(JoinType.INNER).prefixes("o", "p").expectedEntries(1 << 16)
                .then().sink("rows", sink).build();
        }
        return Pipeline.from("orders", ORDER).name(query.name().toLowerCase()).partitionKey("key").eventTime("ts", Workload.BOUND_MS)
            .window(w ->
            {
                switch (query)
                {
                    case W1 -> w.tumbling(query.size);
                    case W2 -> w.sliding(query.size, query.hop);
                    default -> w.hopping(query.size, query.hop);
                }
                w.count("n").sum("total", "value").expectedEntries(2 * Workload.KEYS);
            })
            .sink("rows", sink).build();
    }

    private PeerRun runLive(final Pipeline pipeline, final Query query, final Workload w, final RowSink sink) throws Exception
    {
        final Path dir = Files.createTempDirectory(scratch, "sluice-live-");
        try (Engine engine = Engine.launch(new EngineContext().directory(dir).partitions(partitions).waitStrategy(WaitStrategyKind.YIELD)
            .maxEventLength(64), List.of(pipeline)))
        {
            final EventPublisher orders = engine.publisher("orders");
            final EventPublisher payments = query.isJoin() ? engine.publisher("payments") : null;
            final long start = System.nanoTime();
            publish(w, orders, payments, true);
            engine.endOfInput("orders");
            sink.awaitEnd(engine);
            return new PeerRun(sink.endNanos() - start, sink.parts());
        }
        finally
        {
            deleteRecursively(dir);
        }
    }

    /**
     * Publishes the workload's events in order, orders to {@code orders} and payments to {@code payments}: in runs
     * ({@link EventPublisher#publishAll}, up to {@link #RUN} consecutive events of one topic at a time, as a source
     * that polls its input in blocks hands them over), or one {@link EventPublisher#publish} per event.
     *
     * @param w        the events.
     * @param orders   publisher of the orders' topic.
     * @param payments publisher of the payments' topic, null if the workload has none.
     * @param runs     whether to publish in runs.
     */
    static void publish(final Workload w, final EventPublisher orders, final EventPublisher payments, final boolean runs)
    {
        final int length = ORDER.length();
        final int capacity = runs ? RUN : 1;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[capacity * length]);
        final EventFlyweight event = new EventFlyweight(ORDER);
        final byte[] type = w.type;
        final long[] key = w.key;
        final long[] value = w.value;
        final long[] ts = w.ts;
        EventPublisher staging = orders;
        int staged = 0;
        for (int i = 0, n = w.count; i < n; i++)
        {
            final EventPublisher to = type[i] == Workload.ORDER ? orders : payments;
            if (to != staging || staged == capacity)
            {
                publish(staging, buffer, staged);
                staging = to;
                staged = 0;
            }
            event.wrapForWrite(buffer, staged++ * length).putLong(KEY, key[i]).putLong(VALUE, value[i]).putLong(TS, ts[i]);
        }
        publish(staging, buffer, staged);
    }

    private static void publish(final EventPublisher publisher, final UnsafeBuffer buffer, final int count)
    {
        if (count == 1)
        {
            publisher.publish(buffer, 0);
        }
        else if (count > 1)
        {
            publisher.publishAll(buffer, 0, count);
        }
    }

    private PeerRun runBacktest(final Pipeline pipeline, final Query query, final Workload w, final RowSink sink)
    {
        final AtomicLong start = new AtomicLong();
        final AtomicLong cpuStart = new AtomicLong();
        // As a user with the events in arrays would: columns, which a leading window takes whole (Backtest.replayColumns).
        final Map<String, ColumnarEventSource> sources = new LinkedHashMap<>();
        sources.put("orders", columns(w, Workload.ORDER, start, cpuStart));
        if (query.isJoin())
        {
            sources.put("payments", columns(w, Workload.PAYMENT, start, cpuStart));
        }
        Backtest.replayColumns(List.of(pipeline), sources, new BacktestOptions().partitions(1));
        final long end = System.nanoTime();
        final long cpuEnd = PeerRun.threadCpuNanos();
        if (sink.ended.get() != partitions)
        {
            throw new IllegalStateException("backtest returned before the end of input reached its sink");
        }
        return new PeerRun(end - start.get(), sink.parts(), cpuEnd - cpuStart.get());
    }

    /**
     * The backtest through the live engine's own window operator: {@link Backtest#replayEvents} hands the query's
     * pipeline the events one row at a time, in runs, as the live engine's processing thread hands it the ring's runs
     * ({@code PipelineInstance.onEvents}: the run's key prefetch, then each event to {@code AlignedWindowOperator}), with
     * no ring, no journal and one thread; {@link #backtest()}'s columnar kernel is another operator. What the live
     * processing thread costs per event beyond this is the live path around the operator (ring, journal, waits, and the
     * cache the two partitions and the streaming journal take from the operator's state).
     *
     * @param query a window query.
     * @param w     its orders.
     * @return the run: rows, wall time and the calling thread's CPU time, both from the first event read.
     */
    static PeerRun rowBacktest(final Query query, final Workload w)
    {
        final RowSink sink = new RowSink(1, query, w);
        final AtomicLong start = new AtomicLong();
        final AtomicLong cpuStart = new AtomicLong();
        // Not the columnar kernel, which replayEvents runs by default for the window queries it takes.
        Backtest.replayEvents(List.of(pipeline(query, sink)), Map.of("orders", source(w, Workload.ORDER, start, cpuStart)),
            new BacktestOptions().partitions(1).columnarWindows(false));
        final long end = System.nanoTime();
        final long cpuEnd = PeerRun.threadCpuNanos();
        return new PeerRun(end - start.get(), sink.parts(), cpuEnd - cpuStart.get());
    }

    /**
     * The path before the window's state, alone: the backtest of {@link #backtest()} as users run it
     * ({@link Backtest#replayColumns} over the same columns, batches and columnar window kernel) with a window that holds
     * no event: hopping windows of 1 ms every 2^40 ms starting at 2^39 ms, so every event of the workload falls in the gap
     * before the first one. Each event still costs the kernel's own loop (its time against the cached pane, the
     * watermark's move), as the source's fill and the dispatch do; no row, firing or result. What a window query's
     * backtest costs beyond this is the window's own work (state, firing, results).
     *
     * @param w orders (a window query's workload).
     * @return CPU time of the calling thread over the span {@link #run} times for the backtest, per event.
     */
    static double floorCpuNanosPerEvent(final Workload w)
    {
        final long[] outputs = new long[1];
        final Pipeline pipeline = Pipeline.from("orders", ORDER).name("floor").partitionKey("key").eventTime("ts", Workload.BOUND_MS)
            .window(window -> window.hopping(1, FLOOR_HOP).offset(FLOOR_HOP / 2).count("n").sum("total", "value"))
            .sink("none", (partition, sequence, key, timestamp, e) -> outputs[0]++)
            .build();
        final AtomicLong start = new AtomicLong();
        final AtomicLong cpuStart = new AtomicLong();
        final BacktestSummary summary = Backtest.replayColumns(List.of(pipeline), Map.of("orders", columns(w, Workload.ORDER, start, cpuStart)),
            new BacktestOptions().partitions(1));
        final long cpuEnd = PeerRun.threadCpuNanos();
        final BacktestSummary.PipelineCounts counts = summary.pipelines().get(0);
        if (counts.eventsIn() != w.count || counts.unassignedEvents() != w.count || outputs[0] != 0)
        {
            throw new IllegalStateException("the floor pipeline took " + counts.eventsIn() + " of " + w.count + " events, " +
                counts.unassignedEvents() + " of them in no window, and emitted " + outputs[0]);
        }
        return (double)(cpuEnd - cpuStart.get()) / w.count;
    }

    /**
     * The events of one type, in workload order, a batch of columns at a time; the first batch stamps the start (wall
     * clock and thread CPU time).
     */
    private static ColumnarEventSource columns(final Workload w, final byte type, final AtomicLong start, final AtomicLong cpuStart)
    {
        return new ColumnarEventSource()
        {
            private int next;

            @Override
            public int fill(final EventColumns columns)
            {
                if (start.get() == 0)
                {
                    cpuStart.set(PeerRun.threadCpuNanos());
                    start.set(System.nanoTime());
                }
                final byte[] types = w.type;
                final long[] keyOf = w.key;
                final long[] valueOf = w.value;
                final long[] tsOf = w.ts;
                final long[] key = columns.column(KEY);
                final long[] value = columns.column(VALUE);
                final long[] ts = columns.column(TS);
                final int capacity = columns.capacity();
                final int count = w.count;
                int size = 0;
                int i = next;
                for (; i < count && size < capacity; i++)
                {
                    if (types[i] == type)
                    {
                        key[size] = keyOf[i];
                        value[size] = valueOf[i];
                        ts[size] = tsOf[i];
                        size++;
                    }
                }
                next = i;
                return size;
            }
        };
    }

    /** The events of one type, in workload order; the first read stamps the start (wall clock and thread CPU time). */
    private static EventSource source(final Workload w, final byte type, final AtomicLong start, final AtomicLong cpuStart)
    {
        return new EventSource()
        {
            private int next;

            @Override
            public boolean next(final EventFlyweight event)
            {
                final byte[] types = w.type;
                int i = next;
                while (i < w.count && types[i] != type)
                {
                    i++;
                }
                if (i == w.count)
                {
                    next = i;
                    return false;
                }
                if (start.get() == 0)
                {
                    cpuStart.set(PeerRun.threadCpuNanos());
                    start.set(System.nanoTime());
                }
                event.putLong(KEY, w.key[i]).putLong(VALUE, w.value[i]).putLong(TS, w.ts[i]);
                next = i + 1;
                return true;
            }
        };
    }

    /**
     * Collects the rows of each partition on its own thread; the end of input of every partition stamps the end.
     */
    static final class RowSink implements EventSink
    {
        private final Rows[] rows;
        private final boolean join;
        private final AtomicInteger ended = new AtomicInteger();
        private final AtomicLong endNanos = new AtomicLong();
        // The joined row's fields, found before the run: found at the first row, the lookup was a branch taken once per
        // run, which the JIT compiled out of the processing thread's event path (this call is inlined into it) and took
        // back at the first row of every later run (a deoptimisation of the whole path, perf/README.md section 128).
        private final int oTs;
        private final int pTs;
        private final int oValue;
        private final int pValue;

        RowSink(final int partitions, final Query query, final Workload w)
        {
            this.rows = new Rows[partitions];
            for (int p = 0; p < partitions; p++)
            {
                rows[p] = new Rows((query.isJoin() ? w.count * 3 : w.count / 2) / partitions);
            }
            this.join = query.isJoin();
            final Schema schema = pipeline(query, (partition, sequence, key, timestamp, e) -> { }).outputSchema();
            this.oTs = join ? schema.indexOf("o_ts") : -1;
            this.pTs = join ? schema.indexOf("p_ts") : -1;
            this.oValue = join ? schema.indexOf("o_value") : -1;
            this.pValue = join ? schema.indexOf("p_value") : -1;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight e)
        {
            if (join)
            {
                rows[partition].add(key, e.getLong(oTs), e.getLong(pTs), e.getLong(oValue), e.getLong(pValue));
            }
            else
            {
                // key, window_start, window_end, flags, n, total
                rows[partition].add(key, e.getLong(1), e.getLong(2), e.getLong(4), e.getLong(5));
            }
        }

        @Override
        public void onEndOfInput(final int partition)
        {
            final long now = System.nanoTime();
            endNanos.accumulateAndGet(now, Math::max);
            ended.incrementAndGet();
        }

        void awaitEnd(final Engine engine) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (ended.get() < rows.length)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("Sluice: end of input not reached in 10 min (" + ended.get() + " of " +
                        rows.length + " partitions)");
                }
                // The end is stamped by the partition threads; this thread only needs to stay off the cores.
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
            engine.drain(1, TimeUnit.MINUTES);
        }

        long endNanos()
        {
            return endNanos.get();
        }

        List<Rows> parts()
        {
            return new ArrayList<>(List.of(rows));
        }
    }

    static void deleteRecursively(final Path dir)
    {
        try (var walk = Files.walk(dir))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
