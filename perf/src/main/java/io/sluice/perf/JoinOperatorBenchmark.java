package io.sluice.perf;

import java.util.concurrent.TimeUnit;

import io.sluice.engine.join.IntervalJoinOperator;
import io.sluice.engine.join.JoinOperatorContext;
import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.join.StreamTableJoinOperator;
import io.sluice.engine.join.TableTableJoinOperator;
import io.sluice.schema.EventFlyweight;
import io.sluice.engine.time.Watermarks;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Per-input cost of each join operator, driven directly (no ring, no journal), over
 * {@value #KEYS} keys and 64-byte records ({@link BenchEvents#SCHEMA}) on both sides, 128 inputs
 * per ms of event time, in order. One operation is one input (an event or a table update):
 * <ul>
 *   <li>{@code interval}: INNER, {@code other.ts in [ts - 50, ts + 50]} ms, inputs alternate
 *       left/right, watermark bound 10 ms per side: ~0.64 matches per input, state evicted by
 *       watermark;</li>
 *   <li>{@code streamTableLatest}: table pre-filled with every key; 15 of 16 inputs are stream
 *       events (one enriched row each), 1 of 16 a table upsert;</li>
 *   <li>{@code streamTableVersioned}: the same with a 16-version history per key, lookups as of
 *       the event's time;</li>
 *   <li>{@code tableTable}: INNER, inputs alternate left/right upserts, every 64th a delete
 *       (tombstone); every update emits the key's joined row.</li>
 * </ul>
 * Results go to a checksum. Before measuring, 2M inputs bring state to steady size.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar JoinOperatorBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class JoinOperatorBenchmark implements JoinResultHandler
{
    /** Inputs per benchmark invocation. */
    static final int BATCH = 1024;
    /** Distinct keys. */
    static final int KEYS = 10_000;
    /** Inputs per ms of event time, as a shift. */
    static final int TIME_SHIFT = 7;
    /** Inputs run before measuring. */
    static final long PREFILL = 2_000_000;

    /** Join kind. */
    @Param({"interval", "streamTableLatest", "streamTableVersioned", "tableTable"})
    public String type;

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
    private final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(record, 0);
    private long[] keyTable;
    private IntervalJoinOperator interval;
    private StreamTableJoinOperator streamTable;
    private TableTableJoinOperator tableTable;
    private long next;
    private long checksum;

    /**
     * Builds the operator and brings its state to steady size.
     */
    @Setup
    public void setUp()
    {
        keyTable = BenchEvents.keyTable(KEYS);
        final int length = BenchEvents.SCHEMA.length();
        final JoinOperatorContext context = new JoinOperatorContext().joinType(JoinType.INNER)
            .leftRecordLength(length).rightRecordLength(length).resultHandler(this).expectedEntries(4 * KEYS);
        switch (type)
        {
            case "interval":
                interval = context.interval(-50, 50)
                    .leftWatermarks(Watermarks.boundedOutOfOrderness(10))
                    .rightWatermarks(Watermarks.boundedOutOfOrderness(10)).buildIntervalJoin();
                break;
            case "streamTableLatest":
                streamTable = context.buildStreamTableJoin();
                break;
            case "streamTableVersioned":
                streamTable = context.versionedHistory(16).buildStreamTableJoin();
                break;
            case "tableTable":
                tableTable = context.buildTableTableJoin();
                break;
            default:
                throw new IllegalArgumentException("unknown type " + type);
        }
        if (streamTable != null)
        {
            for (int key = 0; key < KEYS; key++)
            {
                BenchEvents.write(event, keyTable, key, TIME_SHIFT, 0);
                streamTable.onTableUpsert(key, 0, record, 0);
            }
        }
        for (long done = 0; done < PREFILL; done += BATCH)
        {
            inputs();
        }
    }

    /**
     * One batch of {@value #BATCH} inputs.
     *
     * @return the checksum of the joined rows, so nothing is dead code.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long inputs()
    {
        final long from = next;
        next = from + BATCH;
        final long[] keyTable = this.keyTable;
        final UnsafeBuffer record = this.record;
        for (long i = from, end = from + BATCH; i < end; i++)
        {
            BenchEvents.write(event, keyTable, i, TIME_SHIFT, 0);
            final long key = keyTable[(int)i & BenchEvents.MASK];
            final long ts = i >> TIME_SHIFT;
            if (interval != null)
            {
                if ((i & 1) == 0)
                {
                    interval.onLeft(key, ts, record, 0);
                }
                else
                {
                    interval.onRight(key, ts, record, 0);
                }
            }
            else if (streamTable != null)
            {
                if ((i & 15) == 0)
                {
                    streamTable.onTableUpsert(key, ts, record, 0);
                }
                else
                {
                    streamTable.onStreamEvent(key, ts, record, 0);
                }
            }
            else if ((i & 63) == 63)
            {
                tableTable.onRightDelete(key, ts);
            }
            else if ((i & 1) == 0)
            {
                tableTable.onLeftUpsert(key, ts, record, 0);
            }
            else
            {
                tableTable.onRightUpsert(key, ts, record, 0);
            }
        }
        return checksum;
    }

    @Override
    public void onJoin(
        final long key, final long timestamp, final int flags, final DirectBuffer left, final int leftOffset,
        final DirectBuffer right, final int rightOffset)
    {
        checksum += key ^ timestamp ^ flags ^ left.getLong(leftOffset + 32) ^ right.getLong(rightOffset + 32);
    }
}
