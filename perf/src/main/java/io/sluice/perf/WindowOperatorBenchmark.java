package io.sluice.perf;

import java.util.concurrent.TimeUnit;

import io.sluice.engine.time.Watermarks;
import io.sluice.engine.window.Aggregators;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.window.WindowResult;
import io.sluice.engine.window.WindowResultHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-event cost of the window operators, driven directly through
 * {@link WindowOperator#onEvent(long, long, io.sluice.schema.EventValues)} (no ring, no
 * journal): count + sum(amount) over {@value #KEYS} keys, in order, watermark bound 100 ms.
 * <ul>
 *   <li>{@code plain}: {@link PlainTumblingLoop}, the same tumbling 1 s query over primitive
 *       arrays: the same-run baseline;</li>
 *   <li>{@code tumbling}: 1 s windows;</li>
 *   <li>{@code sliding}: 1 h windows every 1 s (3600 windows per event, one pane updated);</li>
 *   <li>{@code session}: inactivity gap = 3 x the mean inter-arrival time of a key.</li>
 * </ul>
 * {@code eventsPerMs} (a power of two) sets the event-time density: at 1/ms a key recurs every
 * ~10 s of event time and most events open a new (key, pane) row and later fire it; at 128/ms a
 * key has ~13 events per 1 s pane. Before measuring, the operator is run over one window of events
 * (1 h for sliding, capped at {@value #MAX_PREFILL} events, i.e. 65 s at 128/ms: sliding state then
 * keeps growing during the measurement) so state and firing are in steady state.
 * One operation is one event; results go to a checksum.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar WindowOperatorBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class WindowOperatorBenchmark implements WindowResultHandler
{
    /** Events per benchmark invocation. */
    static final int BATCH = 1024;
    /** Distinct keys. */
    static final int KEYS = 10_000;
    /** Upper bound of the events run before measuring. */
    static final long MAX_PREFILL = 8_000_000;
    /** (key, pane) rows the sliding store is sized for. */
    static final int SLIDING_ROWS = 1_600 * KEYS;

    /** Window kind: plain (baseline), tumbling, sliding or session. */
    @Param({"plain", "tumbling", "sliding", "session"})
    public String kind;

    /** Events per ms of event time, a power of two. */
    @Param({"1", "128"})
    public int eventsPerMs;

    private final BenchEvents.Values values = new BenchEvents.Values();
    private long[] keyTable;
    private int timeShift;
    private WindowOperator operator;
    private PlainTumblingLoop plain;
    private long next;
    private long checksum;
    private long results;

    /**
     * Builds the operator and runs it into steady state.
     */
    @Setup
    public void setUp()
    {
        if (Integer.bitCount(eventsPerMs) != 1)
        {
            throw new IllegalArgumentException("eventsPerMs must be a power of two: " + eventsPerMs);
        }
        timeShift = Integer.numberOfTrailingZeros(eventsPerMs);
        keyTable = BenchEvents.keyTable(KEYS);
        final WindowOperatorContext context = new WindowOperatorContext()
            .aggregators(Aggregators.count(), Aggregators.sumDouble(BenchEvents.AMOUNT))
            .watermarks(Watermarks.boundedOutOfOrderness(100))
            .resultHandler(this);
        final long windowMs;
        switch (kind)
        {
            case "plain":
                plain = new PlainTumblingLoop(KEYS, 1_000);
                windowMs = 1_000;
                break;
            case "tumbling":
                context.tumbling(1_000).expectedEntries(4 * KEYS);
                windowMs = 1_000;
                break;
            case "sliding":
                // Pre-sized for every (key, pane) row the trial reaches (1,600 s of panes of every
                // key): at 128/ms the 1 h window cannot fill (36M rows), so a store sized for less
                // doubles its row arrays during the measurement, which JMH reports as B/op.
                context.sliding(3_600_000, 1_000).expectedEntries(SLIDING_ROWS);
                windowMs = 3_600_000;
                break;
            case "session":
                final long gap = Math.max(1, 3L * KEYS / eventsPerMs);
                context.session(gap).expectedEntries(4 * KEYS);
                windowMs = 4 * gap;
                break;
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
        if (plain == null)
        {
            operator = context.build();
        }
        final long prefill = Math.min(MAX_PREFILL, (windowMs + 2_000) << timeShift);
        for (long done = 0; done < prefill; done += BATCH)
        {
            events();
        }
    }

    /**
     * One batch of {@value #BATCH} events.
     *
     * @return the checksum of the results, so nothing is dead code.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long events()
    {
        final long from = next;
        next = from + BATCH;
        if (plain != null)
        {
            plain.run(keyTable, from, BATCH, timeShift);
            return plain.checksum();
        }
        final WindowOperator operator = this.operator;
        final BenchEvents.Values values = this.values;
        final long[] keyTable = this.keyTable;
        final int timeShift = this.timeShift;
        for (long i = from, end = from + BATCH; i < end; i++)
        {
            values.amount = BenchEvents.amount(i);
            values.value = i;
            operator.onEvent(keyTable[(int)i & BenchEvents.MASK], i >> timeShift, values);
        }
        return checksum;
    }

    @Override
    public void onResult(final long key, final long windowStart, final long windowEnd, final int flags, final WindowResult result)
    {
        results++;
        checksum += key ^ windowEnd ^ result.longValue(0) ^ Double.doubleToRawLongBits(result.doubleValue(1));
    }
}
