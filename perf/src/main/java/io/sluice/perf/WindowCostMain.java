package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.engine.time.Watermarks;
import io.sluice.engine.window.Aggregators;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.window.WindowResult;
import io.sluice.engine.window.WindowResultHandler;

/**
 * CPU cost per event of the aligned window operators beside {@link PlainTumblingLoop}, in one JVM,
 * in bursts that alternate between them, timed by the thread's CPU time rather than the wall
 * clock: on a machine shared with other work (load average far above the core count) the wall
 * clock mostly measures the scheduler, while CPU time per event stays close to what a quiet core
 * gives (cache interference from the neighbours remains, so still read the ratio, not the ns).
 * <p>
 * The operators are driven directly, as in {@link WindowOperatorBenchmark} (no ring, no journal):
 * count + sum(amount) over 10k keys, in order, watermark bound 100 ms; {@code tumbling} 1 s,
 * {@code sliding} 1 h every 1 s, {@code hopping} 6 s every 10 s (4 s gaps), {@code sliding6s}
 * 6 s every 2 s. Each operator is first run over one window of events (capped at 8M) so state and
 * firing are in steady state. Each round runs one burst of every kind in rotating order; the
 * report gives per kind the median CPU ns/event and the median of the per-round ratios
 * operator / plain (cost) and plain / operator (throughput).
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms3g -Xmx3g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.WindowCostMain eventsPerMs=128 rounds=7 burst=2000000
 * }</pre>
 */
public final class WindowCostMain implements WindowResultHandler
{
    private static final int KEYS = 10_000;
    private static final long MAX_PREFILL = 8_000_000;
    private static final String[] KINDS = {"plain", "tumbling", "sliding", "hopping", "sliding6s"};

    private final BenchEvents.Values values = new BenchEvents.Values();
    private final long[] keyTable;
    private final int timeShift;
    private final String kind;
    private final WindowOperator operator;
    private final PlainTumblingLoop plain;
    private long next;
    private long checksum;

    private WindowCostMain(final String kind, final long[] keyTable, final int timeShift)
    {
        this.kind = kind;
        this.keyTable = keyTable;
        this.timeShift = timeShift;
        final WindowOperatorContext context = new WindowOperatorContext()
            .aggregators(Aggregators.count(), Aggregators.sumDouble(BenchEvents.AMOUNT))
            .watermarks(Watermarks.boundedOutOfOrderness(100))
            .resultHandler(this);
        final long windowMs;
        switch (kind)
        {
            case "plain":
                windowMs = 1_000;
                break;
            case "tumbling":
                context.tumbling(1_000).expectedEntries(4 * KEYS);
                windowMs = 1_000;
                break;
            case "sliding":
                context.sliding(3_600_000, 1_000).expectedEntries(WindowOperatorBenchmark.SLIDING_ROWS);
                windowMs = 3_600_000;
                break;
            case "hopping":
                context.hopping(6_000, 10_000).expectedEntries(4 * KEYS);
                windowMs = 10_000;
                break;
            case "sliding6s":
                context.sliding(6_000, 2_000).expectedEntries(8 * KEYS);
                windowMs = 6_000;
                break;
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
        plain = "plain".equals(kind) ? new PlainTumblingLoop(KEYS, 1_000) : null;
        operator = plain == null ? context.build() : null;
        run(Math.min(MAX_PREFILL, (windowMs + 2_000) << timeShift));
    }

    private void run(final long events)
    {
        final long from = next;
        next = from + events;
        if (plain != null)
        {
            plain.run(keyTable, from, events, timeShift);
            checksum += plain.checksum();
            return;
        }
        final WindowOperator operator = this.operator;
        final BenchEvents.Values values = this.values;
        final long[] keyTable = this.keyTable;
        final int timeShift = this.timeShift;
        for (long i = from, end = from + events; i < end; i++)
        {
            values.amount = BenchEvents.amount(i);
            values.value = i;
            operator.onEvent(keyTable[(int)i & BenchEvents.MASK], i >> timeShift, values);
        }
    }

    @Override
    public void onResult(final long key, final long windowStart, final long windowEnd, final int flags, final WindowResult result)
    {
        checksum += key ^ windowEnd ^ result.longValue(0) ^ Double.doubleToRawLongBits(result.doubleValue(1));
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: eventsPerMs (power of two), rounds, burst (events), kinds (comma separated).
     */
    public static void main(final String[] args)
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("eventsPerMs", "128");
        defaults.put("rounds", "7");
        defaults.put("burst", "2000000");
        defaults.put("kinds", String.join(",", KINDS));
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int eventsPerMs = Integer.parseInt(a.get("eventsPerMs"));
        if (Integer.bitCount(eventsPerMs) != 1)
        {
            throw new IllegalArgumentException("eventsPerMs must be a power of two: " + eventsPerMs);
        }
        final int timeShift = Integer.numberOfTrailingZeros(eventsPerMs);
        final int rounds = Integer.parseInt(a.get("rounds"));
        final long burst = Long.parseLong(a.get("burst"));
        final String[] kinds = a.get("kinds").split(",");
        if (!"plain".equals(kinds[0]))
        {
            throw new IllegalArgumentException("kinds must start with plain, the baseline: " + a.get("kinds"));
        }
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long[] keyTable = BenchEvents.keyTable(KEYS);
        System.out.println("WindowCostMain " + a + " keys=" + KEYS + ", count+sum, CPU time of the running thread; " +
            EngineBench.machine());

        final WindowCostMain[] runs = new WindowCostMain[kinds.length];
        for (int k = 0; k < kinds.length; k++)
        {
            runs[k] = new WindowCostMain(kinds[k], keyTable, timeShift);
        }
        final double[][] nanos = new double[kinds.length][rounds];
        long sink = 0;
        for (int r = -1; r < rounds; r++)
        {
            for (int step = 0; step < kinds.length; step++)
            {
                final int k = (step + Math.max(0, r)) % kinds.length;
                final long start = threads.getCurrentThreadCpuTime();
                runs[k].run(burst);
                final long cpu = threads.getCurrentThreadCpuTime() - start;
                if (r >= 0)
                {
                    nanos[k][r] = (double)cpu / burst;
                }
                sink += runs[k].checksum;
            }
        }
        System.out.printf("%-10s %14s %14s %16s%n", "kind", "CPU ns/event", "cost / plain", "plain / kind");
        for (int k = 0; k < kinds.length; k++)
        {
            final double[] cost = new double[rounds];
            final double[] throughput = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                cost[r] = nanos[k][r] / nanos[0][r];
                throughput[r] = nanos[0][r] / nanos[k][r];
            }
            System.out.printf("%-10s %14.2f %14.2f %16.3f%n", runs[k].kind, EngineBench.median(nanos[k].clone()),
                EngineBench.median(cost), EngineBench.median(throughput));
        }
        System.out.println("(checksum " + (sink & 0xFF) + ")");
    }
}
