package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.join.IntervalJoinOperator;
import io.sluice.engine.join.JoinOperatorContext;
import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.time.Watermarks;

/**
 * The interval join operator alone on the shape of the peer comparison's J1, timed by the <b>CPU time of the running
 * thread</b>: {@code events} events over {@code keys} keys, one in three a payment (right), the rest orders (left),
 * 10 events per ms of event time, each timestamp up to 500 ms behind its due time, watermark bound 500 ms on each
 * side, INNER, {@code |t - p| <= 2 s}, 24-byte records, the next 32 events' keys loaded ahead as the pipeline does
 * ({@link IntervalJoinOperator#prefetch}). Each round builds a fresh operator (outside the timed span) and prints
 * CPU ns per event, the state held and the matches (equal in every round and for every layout of the state).
 * What a layout of the join's state costs shows here without the pipeline, the sources and the sink around it; the
 * backtest of the whole query is {@code BacktestCostMain queries=J1} in perf-peers.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.IntervalJoinCostMain [events=750000] [keys=10000] [rounds=12]
 * }</pre>
 */
public final class IntervalJoinCostMain implements JoinResultHandler
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int EVENTS_PER_MS = 10;
    private static final int DISORDER_MS = 500;
    private static final long BOUND_MS = 500;
    private static final long INTERVAL_MS = 2_000;
    private static final int RECORD_LENGTH = 24;
    private static final int PREFETCH = 32;

    private long checksum;
    /** What the prefetches loaded, kept so that their loads are not dropped. */
    private long prefetched;

    private IntervalJoinCostMain()
    {
    }

    /**
     * Runs the rounds.
     *
     * @param args {@code name=value}: events, keys, rounds, seed.
     */
    public static void main(final String[] args)
    {
        final Map<String, String> a = EngineBench.args(args, Map.of("events", "750000", "keys", "10000", "rounds", "12", "seed", "7"));
        final int n = Integer.parseInt(a.get("events"));
        final int keys = Integer.parseInt(a.get("keys"));
        final long[] key = new long[n];
        final long[] ts = new long[n];
        final boolean[] right = new boolean[n];
        final SplittableRandom random = new SplittableRandom(Long.parseLong(a.get("seed")));
        for (int i = 0; i < n; i++)
        {
            right[i] = random.nextInt(3) == 0;
            key[i] = random.nextInt(keys);
            ts[i] = Math.max(0, i / EVENTS_PER_MS - random.nextInt(DISORDER_MS));
        }
        System.out.println("IntervalJoinCostMain " + a + "; load average " + Machine.loadAverage());
        final IntervalJoinCostMain handler = new IntervalJoinCostMain();
        final UnsafeBuffer record = new UnsafeBuffer(new byte[RECORD_LENGTH]);
        for (int round = 0, rounds = Integer.parseInt(a.get("rounds")); round < rounds; round++)
        {
            final IntervalJoinOperator join = new JoinOperatorContext().joinType(JoinType.INNER)
                .leftRecordLength(RECORD_LENGTH).rightRecordLength(RECORD_LENGTH).expectedEntries(1 << 16).resultHandler(handler)
                .interval(-INTERVAL_MS, INTERVAL_MS).leftWatermarks(Watermarks.boundedOutOfOrderness(BOUND_MS))
                .rightWatermarks(Watermarks.boundedOutOfOrderness(BOUND_MS)).buildIntervalJoin();
            handler.checksum = 0;
            final long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++)
            {
                if (i % PREFETCH == 0)
                {
                    handler.prefetched += join.prefetch(key, i, Math.min(n, i + PREFETCH));
                }
                record.putLong(0, key[i]);
                record.putLong(8, i);
                record.putLong(16, ts[i]);
                if (right[i])
                {
                    join.onRight(key[i], ts[i], record, 0);
                }
                else
                {
                    join.onLeft(key[i], ts[i], record, 0);
                }
            }
            final long cpu = THREADS.getCurrentThreadCpuTime() - start;
            System.out.printf("round %d: %.1f CPU ns/event, state %d left + %d right records, %d matches (rows' checksum %x)%n",
                round + 1, (double)cpu / n, join.stateEntries(JoinResultHandler.LEFT), join.stateEntries(JoinResultHandler.RIGHT),
                join.matches(), handler.checksum);
            join.endOfInput();
        }
        System.out.println("load average after " + Machine.loadAverage());
    }

    @Override
    public void onJoin(
        final long key, final long timestamp, final int flags, final DirectBuffer left, final int leftOffset,
        final DirectBuffer right, final int rightOffset)
    {
        checksum += key ^ timestamp ^ left.getLong(leftOffset + 8) ^ right.getLong(rightOffset + 8);
    }
}
