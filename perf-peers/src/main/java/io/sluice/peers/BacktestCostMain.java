package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.perf.Machine;

/**
 * The backtest against the plain loop on {@link PeersMain}'s workload and queries, timed by the <b>CPU time of the
 * running thread</b> rather than the wall clock: on a machine shared by many processes the wall clock mostly measures
 * the scheduler, while both systems here run on the calling thread alone. Each round runs the plain loop and then the
 * backtest (a fresh instance each, the order alternating every round) over the same arrays, checks the backtest's
 * rows against the plain loop's row for row, and prints CPU ns per event of both and their ratio; the summary is the
 * median of the per-round ratios. The timed span is the one {@link PeersMain} times (plain loop: its loop; backtest:
 * first event read to the return of the replay), so setup (workload, pipeline, result arrays) is outside it.
 * <p>
 * For the window queries each round also times the <b>floor</b>: the backtest path users run (the same columns,
 * batches, {@code Backtest.replayColumns} and columnar window kernel) with a window that holds no event, every event
 * falling in the gap before its one window ({@link SluicePeer#floorCpuNanosPerEvent}). The plain loop's cost per event
 * divided by the floor's is the best ratio a window could reach on this path, whatever its state, firing and results
 * cost: with a plain loop of 13 ns/event and a floor of 5, no window gives more than 2.6x.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms3g -Xmx3g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.BacktestCostMain [orders=2000000] [joinOrders=500000] [rounds=7] [warmup=2] [queries=W1,W2,W3,J1]
 * }</pre>
 */
public final class BacktestCostMain
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private BacktestCostMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: orders, joinOrders, rounds, warmup, queries, seed.
     * @throws Exception on failure, or when the backtest's rows differ from the plain loop's.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = new TreeMap<>(Map.of("orders", "2000000", "joinOrders", "500000", "rounds", "7", "warmup", "2",
            "queries", "W1,W2,W3,J1", "seed", "20261205"));
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + a.keySet());
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        if (!THREADS.isCurrentThreadCpuTimeSupported())
        {
            throw new IllegalStateException("this JVM cannot measure the CPU time of a thread");
        }
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int warmup = Integer.parseInt(a.get("warmup"));
        final long seed = Long.parseLong(a.get("seed"));
        System.out.println("BacktestCostMain " + a + "; load average " + Machine.loadAverage());
        final List<String> summary = new ArrayList<>();
        for (final String name : a.get("queries").split(","))
        {
            final Query query = Query.valueOf(name.trim());
            final Workload w = query.isJoin() ?
                Workload.ordersAndPayments(Integer.parseInt(a.get("joinOrders")), seed) : Workload.orders(Integer.parseInt(a.get("orders")), seed);
            final long[][] reference = Rows.sorted(new PlainLoop().run(query, w).rows());
            final double[] ratios = new double[rounds];
            final double[] plainNs = new double[rounds];
            final double[] backtestNs = new double[rounds];
            final double[] floorNs = new double[rounds];
            for (int round = -warmup; round < rounds; round++)
            {
                final boolean plainFirst = (round & 1) == 0;
                final double first = cpuNanosPerEvent(plainFirst ? new PlainLoop() : SluicePeer.backtest(), query, w, reference);
                final double second = cpuNanosPerEvent(plainFirst ? SluicePeer.backtest() : new PlainLoop(), query, w, reference);
                final double plain = plainFirst ? first : second;
                final double backtest = plainFirst ? second : first;
                final double floor = query.isJoin() ? Double.NaN : floorNanosPerEvent(w);
                System.out.printf("%s round %s: plain %.1f ns/event, backtest %.1f ns/event, backtest / plain %.3fx (rate ratio)%s%n",
                    query, round < 0 ? "warm-up" : Integer.toString(round + 1), plain, backtest, plain / backtest,
                    query.isJoin() ? "" : String.format("; floor %.1f ns/event (plain / floor %.3fx)", floor, plain / floor));
                if (round >= 0)
                {
                    ratios[round] = plain / backtest;
                    plainNs[round] = plain;
                    backtestNs[round] = backtest;
                    floorNs[round] = floor;
                }
            }
            final double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            summary.add(String.format("| %s | %,d | %.1f | %.1f | **%.3fx** (%.3f-%.3f) | %s |", query, w.count, median(plainNs),
                median(backtestNs), median(ratios), sorted[0], sorted[sorted.length - 1],
                query.isJoin() ? "-" : String.format("%.1f (%.3fx)", median(floorNs), median(plainNs) / median(floorNs))));
        }
        System.out.println();
        System.out.println("load average after " + Machine.loadAverage());
        System.out.println("| query | events | plain CPU ns/event (median) | backtest CPU ns/event (median) | backtest rate / plain rate, median (range) |" +
            " floor CPU ns/event (plain / floor) |");
        System.out.println("|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    private static double cpuNanosPerEvent(final PeerSystem system, final Query query, final Workload w, final long[][] reference)
        throws Exception
    {
        System.gc();
        final PeerRun run = system.run(query, w);
        final long cpu = run.cpuNanos();
        final String difference = Rows.difference(reference, Rows.sorted(run.rows()));
        if (difference != null)
        {
            throw new IllegalStateException(query + ": " + system.name() + " differs from the plain loop: " + difference);
        }
        return (double)cpu / w.count;
    }

    private static double floorNanosPerEvent(final Workload w)
    {
        System.gc();
        return SluicePeer.floorCpuNanosPerEvent(w);
    }

    private static double median(final double[] values)
    {
        final double[] v = values.clone();
        Arrays.sort(v);
        final int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
