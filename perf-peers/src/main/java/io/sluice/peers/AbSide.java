package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.io.ColumnarEventSource;
import io.sluice.engine.io.EventColumns;
import io.sluice.engine.join.IntervalJoinOperator;
import io.sluice.engine.join.JoinOperatorContext;
import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.time.Watermarks;

/**
 * One build's side of {@link SameProcessAbMain}: loaded in a class loader of its own over that build's classes, it
 * generates the query's workload (deterministic from the seed, so both sides hold the same events) and runs timed
 * rounds on it. {@link SameProcessAbMain} reaches it by reflection only and exchanges JDK types only ({@code long},
 * {@code long[][]}, {@code String}), so that no class of either build crosses to the other.
 * <p>
 * The timed span of each run is the one {@link BacktestCostMain} times, by the CPU time of the calling thread:
 * <ul>
 *   <li>{@link #plain()}: {@link PlainLoop}'s loop (no engine class; the baseline of the backtest ratio);</li>
 *   <li>{@link #backtest()}: {@link SluicePeer#backtest()}, first event read to the return of the replay;</li>
 *   <li>{@link #operator()} (J1 only): the interval join operator alone, built as the J1 pipeline builds it (INNER,
 *       +-2 s, bound 500 ms a side, 24-byte records, the next 32 events' keys loaded ahead as
 *       {@code PipelineInstance.onEvents} does), fed the workload's events in order, each joined row's six words read
 *       as {@code JoinStage.onJoin}'s copies read them;</li>
 *   <li>{@link #merge()} (J1 only): the backtest's merge of J1's two inputs alone: {@code Backtest.replayColumns} over the
 *       orders' and the payments' columns as {@link #backtest()} gives them, into two pipelines of a filter each that
 *       hashes every event's key and time in the order it comes and drops it (so the rows check the merged order).</li>
 * </ul>
 * Not thread safe: the main's thread only.
 */
public final class AbSide implements JoinResultHandler
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int RECORD_LENGTH = 24;
    private static final int PREFETCH = 32;

    private final Query query;
    private final Workload workload;
    private long[][] rows = new long[0][];
    private long checksum;
    private long prefetched;

    /**
     * Generates the workload of a query.
     *
     * @param query      W1, W2, W3 or J1.
     * @param orders     orders of a window query's workload.
     * @param joinOrders orders of J1's workload (with about one payment per two orders).
     * @param seed       of the generator.
     */
    public AbSide(final String query, final int orders, final int joinOrders, final long seed)
    {
        this.query = Query.valueOf(query);
        this.workload = this.query.isJoin() ? Workload.ordersAndPayments(joinOrders, seed) : Workload.orders(orders, seed);
    }

    /**
     * Events in the workload.
     *
     * @return the count.
     */
    public int events()
    {
        return workload.count;
    }

    /**
     * Where this side's engine classes were loaded from, for the report.
     *
     * @return the location of {@link IntervalJoinOperator}'s class.
     */
    public String engineLocation()
    {
        return String.valueOf(IntervalJoinOperator.class.getProtectionDomain().getCodeSource().getLocation());
    }

    /**
     * Runs the plain loop once.
     *
     * @return CPU nanoseconds of its timed span; its sorted rows are then {@link #rows()}.
     * @throws Exception if the run fails.
     */
    public long plain() throws Exception
    {
        return keep(new PlainLoop().run(query, workload));
    }

    /**
     * Runs the backtest once, on a fresh pipeline.
     *
     * @return CPU nanoseconds of its timed span; its sorted rows are then {@link #rows()}.
     * @throws Exception if the run fails.
     */
    public long backtest() throws Exception
    {
        return keep(SluicePeer.backtest().run(query, workload));
    }

    /**
     * Runs J1's interval join operator alone once, on a fresh operator (built outside the timed span).
     *
     * @return CPU nanoseconds of the events' processing (the end of input, which evicts what is left, is not timed);
     *     {@link #rows()} is then one row of {@code (matches, state records, rows' checksum, 0, 0)}.
     */
    public long operator()
    {
        if (!query.isJoin())
        {
            throw new IllegalArgumentException("the operator alone is J1's only, not " + query);
        }
        final IntervalJoinOperator join = new JoinOperatorContext().joinType(JoinType.INNER)
            .leftRecordLength(RECORD_LENGTH).rightRecordLength(RECORD_LENGTH).expectedEntries(1 << 16).resultHandler(this)
            .interval(-query.size, query.size).leftWatermarks(Watermarks.boundedOutOfOrderness(Workload.BOUND_MS))
            .rightWatermarks(Watermarks.boundedOutOfOrderness(Workload.BOUND_MS)).buildIntervalJoin();
        final UnsafeBuffer record = new UnsafeBuffer(new byte[RECORD_LENGTH]);
        final byte[] type = workload.type;
        final long[] key = workload.key;
        final long[] value = workload.value;
        final long[] ts = workload.ts;
        final int n = workload.count;
        checksum = 0;
        final long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++)
        {
            if (i % PREFETCH == 0)
            {
                prefetched += join.prefetch(key, i, Math.min(n, i + PREFETCH));
            }
            record.putLong(0, key[i]);
            record.putLong(8, value[i]);
            record.putLong(16, ts[i]);
            if (type[i] == Workload.ORDER)
            {
                join.onLeft(key[i], ts[i], record, 0);
            }
            else
            {
                join.onRight(key[i], ts[i], record, 0);
            }
        }
        final long cpu = THREADS.getCurrentThreadCpuTime() - start;
        rows = new long[][] {{join.matches(), join.stateEntries(), checksum, 0, 0}};
        join.endOfInput();
        return cpu;
    }

    /**
     * Runs the backtest's merge of J1's two inputs once: their columns merged by event time into two pipelines that each
     * hash what they get in order and drop it.
     *
     * @return CPU nanoseconds of the replay (the sources' fills included, as in {@link #backtest()});
     *     {@link #rows()} is then one row of {@code (events, order hash, 0, 0, 0)}.
     */
    public long merge()
    {
        if (!query.isJoin())
        {
            throw new IllegalArgumentException("the merge of two inputs is J1's only, not " + query);
        }
        final long[] seen = new long[2];
        final EventPredicate hashAndDrop = e ->
        {
            seen[0]++;
            seen[1] = (seen[1] * 31 + e.getLong(0)) * 31 + e.getLong(2);
            return false;
        };
        final List<Pipeline> pipelines = List.of(
            Pipeline.from("orders", SluicePeer.ORDER).name("orders").partitionKey("key").eventTime("ts", Workload.BOUND_MS)
                .filter("none", hashAndDrop).sink("none", (partition, sequence, key, timestamp, event) -> { }).build(),
            Pipeline.from("payments", SluicePeer.PAYMENT).name("payments").partitionKey("key").eventTime("ts", Workload.BOUND_MS)
                .filter("none", hashAndDrop).sink("none", (partition, sequence, key, timestamp, event) -> { }).build());
        final Map<String, ColumnarEventSource> sources = new LinkedHashMap<>();
        sources.put("orders", columns(Workload.ORDER));
        sources.put("payments", columns(Workload.PAYMENT));
        final long start = THREADS.getCurrentThreadCpuTime();
        Backtest.replayColumns(pipelines, sources, new BacktestOptions().partitions(1));
        final long cpu = THREADS.getCurrentThreadCpuTime() - start;
        if (seen[0] != workload.count)
        {
            throw new IllegalStateException("the merge gave " + seen[0] + " of " + workload.count + " events");
        }
        rows = new long[][] {{seen[0], seen[1], 0, 0, 0}};
        return cpu;
    }

    /** The workload's events of one type as columns, as the backtest's sources give them. */
    private ColumnarEventSource columns(final byte type)
    {
        final Workload w = workload;
        return new ColumnarEventSource()
        {
            private int next;

            @Override
            public int fill(final EventColumns columns)
            {
                final long[] key = columns.column(0);
                final long[] value = columns.column(1);
                final long[] ts = columns.column(2);
                final int capacity = columns.capacity();
                int size = 0;
                int i = next;
                for (; i < w.count && size < capacity; i++)
                {
                    if (w.type[i] == type)
                    {
                        key[size] = w.key[i];
                        value[size] = w.value[i];
                        ts[size] = w.ts[i];
                        size++;
                    }
                }
                next = i;
                return size;
            }
        };
    }

    /**
     * The last run's rows, sorted (or the operator's summary row).
     *
     * @return the rows.
     */
    public long[][] rows()
    {
        return rows;
    }

    /**
     * What the prefetches loaded, so that their loads stay.
     *
     * @return a value of no meaning.
     */
    public long prefetched()
    {
        return prefetched;
    }

    @Override
    public void onJoin(
        final long key, final long timestamp, final int flags, final DirectBuffer left, final int leftOffset,
        final DirectBuffer right, final int rightOffset)
    {
        long h = checksum * 31 + key;
        h = h * 31 + timestamp;
        h = h * 31 + flags;
        for (int i = 0; i < RECORD_LENGTH; i += 8)
        {
            h = h * 31 + left.getLong(leftOffset + i);
            h = h * 31 + right.getLong(rightOffset + i);
        }
        checksum = h;
    }

    private long keep(final PeerRun run)
    {
        if (run.cpuNanos() < 0)
        {
            throw new IllegalStateException("the run did not measure its CPU time");
        }
        rows = Rows.sorted(run.rows());
        return run.cpuNanos();
    }
}
