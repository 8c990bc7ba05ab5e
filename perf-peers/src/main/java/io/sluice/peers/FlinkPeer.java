package io.sluice.peers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Apache Flink 2.3 through the DataStream API on a local MiniCluster (one per run, in this JVM), default
 * configuration (heap state backend, no checkpoints, object reuse off). The source reads the workload's arrays
 * ({@code fromSequence} + map, parallelism 1, as Sluice has one publisher), assigns timestamps and bounded
 * out-of-orderness watermarks of 500 ms (Flink's watermark is max ts - bound - 1, as Sluice's), then keyBy key
 * and a window (TumblingEventTimeWindows, SlidingEventTimeWindows, which also does hop > size with gaps) with an
 * incremental count+sum AggregateFunction and a ProcessWindowFunction for the window bounds, or an interval join
 * {@code between(-2 s, +2 s)} (both bounds inclusive), at parallelism {@code p}; a sink collects the rows.
 * Timed from the first map call to the last sink writer's end-of-input flush; MiniCluster start, job submission and
 * shutdown are not timed.
 */
final class FlinkPeer implements PeerSystem
{
    /** Workload and results of the run in progress, by run id (the MiniCluster runs in this JVM). */
    private static final Map<Long, RunState> RUNS = new ConcurrentHashMap<>();
    private static final AtomicLong RUN_IDS = new AtomicLong();

    private final int parallelism;

    FlinkPeer(final int parallelism)
    {
        this.parallelism = parallelism;
    }

    @Override
    public String name()
    {
        return "Flink 2.3 p=" + parallelism;
    }

    @Override
    public PeerRun run(final Query query, final Workload workload) throws Exception
    {
        final long id = RUN_IDS.incrementAndGet();
        final RunState state = new RunState(workload);
        RUNS.put(id, state);
        try
        {
            final Configuration conf = new Configuration();
            final StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
            final DataStream<Tuple4<Byte, Long, Long, Long>> events = env.fromSequence(0, workload.count - 1).setParallelism(1)
                .map(new Generate(id)).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple4<Byte, Long, Long, Long>>forBoundedOutOfOrderness(
                    Duration.ofMillis(Workload.BOUND_MS)).withTimestampAssigner((e, previous) -> e.f3)).setParallelism(1);
            final DataStream<Tuple5<Long, Long, Long, Long, Long>> rows;
            if (query.isJoin())
            {
                final DataStream<Tuple4<Byte, Long, Long, Long>> orders = events.filter(new OfType(Workload.ORDER)).setParallelism(1);
                final DataStream<Tuple4<Byte, Long, Long, Long>> payments = events.filter(new OfType(Workload.PAYMENT)).setParallelism(1);
                rows = orders.keyBy(new ByKey()).intervalJoin(payments.keyBy(new ByKey()))
                    .between(Duration.ofMillis(-query.size), Duration.ofMillis(query.size))
                    .process(new JoinRow());
            }
            else
            {
                rows = events.keyBy(new ByKey()).window(assigner(query)).aggregate(new CountSum(), new WindowRow());
            }
            rows.sinkTo(new RowsSink(id));
            env.execute("peers-" + query);
            if (state.flushed.get() < parallelism)
            {
                throw new IllegalStateException("Flink: " + state.flushed.get() + " of " + parallelism + " sink writers reached the end of input");
            }
            return new PeerRun(state.end.get() - state.start.get(), List.copyOf(state.rows));
        }
        finally
        {
            RUNS.remove(id);
        }
    }

    private static WindowAssigner<Object, TimeWindow> assigner(final Query query)
    {
        return switch (query)
        {
            case W1 -> TumblingEventTimeWindows.of(Duration.ofMillis(query.size));
            default -> SlidingEventTimeWindows.of(Duration.ofMillis(query.size), Duration.ofMillis(query.hop));
        };
    }

    /** Workload, times and rows of one run. */
    static final class RunState
    {
        final Workload workload;
        final AtomicLong start = new AtomicLong();
        final AtomicLong end = new AtomicLong();
        final AtomicLong flushed = new AtomicLong();
        final List<Rows> rows = new CopyOnWriteArrayList<>();

        RunState(final Workload workload)
        {
            this.workload = workload;
        }
    }

    /** Index -> (type, key, value, ts) from the workload's arrays; the first call stamps the start. */
    static final class Generate implements MapFunction<Long, Tuple4<Byte, Long, Long, Long>>
    {
        private static final long serialVersionUID = 1L;
        private final long id;
        private transient Workload workload;

        Generate(final long id)
        {
            this.id = id;
        }

        @Override
        public Tuple4<Byte, Long, Long, Long> map(final Long index)
        {
            if (workload == null)
            {
                final RunState state = RUNS.get(id);
                state.start.compareAndSet(0, System.nanoTime());
                workload = state.workload;
            }
            final int i = index.intValue();
            return Tuple4.of(workload.type[i], workload.key[i], workload.value[i], workload.ts[i]);
        }
    }

    /** Keeps events of one type. */
    static final class OfType implements FilterFunction<Tuple4<Byte, Long, Long, Long>>
    {
        private static final long serialVersionUID = 1L;
        private final byte type;

        OfType(final byte type)
        {
            this.type = type;
        }

        @Override
        public boolean filter(final Tuple4<Byte, Long, Long, Long> event)
        {
            return event.f0 == type;
        }
    }

    /** The key field. */
    static final class ByKey implements KeySelector<Tuple4<Byte, Long, Long, Long>, Long>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(final Tuple4<Byte, Long, Long, Long> event)
        {
            return event.f1;
        }
    }

    /** Incremental count + sum(value). */
    static final class CountSum implements AggregateFunction<Tuple4<Byte, Long, Long, Long>, Tuple2<Long, Long>, Tuple2<Long, Long>>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Long, Long> createAccumulator()
        {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(final Tuple4<Byte, Long, Long, Long> event, final Tuple2<Long, Long> acc)
        {
            return Tuple2.of(acc.f0 + 1, acc.f1 + event.f2);
        }

        @Override
        public Tuple2<Long, Long> getResult(final Tuple2<Long, Long> acc)
        {
            return acc;
        }

        @Override
        public Tuple2<Long, Long> merge(final Tuple2<Long, Long> a, final Tuple2<Long, Long> b)
        {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    /** (key, start, end, count, sum) of a fired window. */
    static final class WindowRow extends ProcessWindowFunction<Tuple2<Long, Long>, Tuple5<Long, Long, Long, Long, Long>, Long, TimeWindow>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
            final Long key, final Context context, final Iterable<Tuple2<Long, Long>> results,
            final Collector<Tuple5<Long, Long, Long, Long, Long>> out)
        {
            final Tuple2<Long, Long> result = results.iterator().next();
            out.collect(Tuple5.of(key, context.window().getStart(), context.window().getEnd(), result.f0, result.f1));
        }
    }

    /** (key, order ts, payment ts, order value, payment value) of a joined pair. */
    static final class JoinRow extends ProcessJoinFunction<Tuple4<Byte, Long, Long, Long>, Tuple4<Byte, Long, Long, Long>,
        Tuple5<Long, Long, Long, Long, Long>>
    {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
            final Tuple4<Byte, Long, Long, Long> order, final Tuple4<Byte, Long, Long, Long> payment, final Context context,
            final Collector<Tuple5<Long, Long, Long, Long, Long>> out)
        {
            out.collect(Tuple5.of(order.f1, order.f3, payment.f3, order.f2, payment.f2));
        }
    }

    /** Appends each subtask's rows to its own {@link Rows}; the end-of-input flush stamps the end. */
    static final class RowsSink implements Sink<Tuple5<Long, Long, Long, Long, Long>>
    {
        private static final long serialVersionUID = 1L;
        private final long id;

        RowsSink(final long id)
        {
            this.id = id;
        }

        @Override
        public SinkWriter<Tuple5<Long, Long, Long, Long, Long>> createWriter(final WriterInitContext context)
        {
            final RunState state = RUNS.get(id);
            final Rows rows = new Rows(state.workload.count / 2);
            state.rows.add(rows);
            return new SinkWriter<>()
            {
                @Override
                public void write(final Tuple5<Long, Long, Long, Long, Long> row, final Context context)
                {
                    rows.add(row.f0, row.f1, row.f2, row.f3, row.f4);
                }

                @Override
                public void flush(final boolean endOfInput)
                {
                    if (endOfInput)
                    {
                        state.end.accumulateAndGet(System.nanoTime(), Math::max);
                        state.flushed.incrementAndGet();
                    }
                }

                @Override
                public void close()
                {
                }
            };
        }
    }
}
