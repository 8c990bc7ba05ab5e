package io.sluice.perf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.sluice.loadgen.HlogWriter;
import io.sluice.loadgen.LatencyRecorder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU of the load generator's once-a-second report for one group (us/op), on the sender's cpu in a 2-core demo:
 * {@code base} as it was (the recorder's concurrent interval histogram added to the totals and to the interval, then
 * written by {@link HistogramLogWriter}), {@code change} as {@code LoadGenerator.report} does it now (read once into
 * a plain histogram, which is added, and written by {@link HlogWriter}). The interval holds {@code events} latencies
 * spread log-uniformly over 10 us - 10 ms (a demo second); the log goes to /dev/null.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar ReportStepBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ReportStepBenchmark
{
    /** Latencies in the interval. */
    @Param({"50000"})
    public int events;

    private final ConcurrentHistogram recorded = new ConcurrentHistogram(1, LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final Histogram totals = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final Histogram interval = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final Histogram plain = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private OutputStream baseOut;
    private HistogramLogWriter baseLog;
    private HlogWriter changeLog;

    /**
     * Fills the interval and opens both logs.
     *
     * @throws IOException if /dev/null cannot be opened.
     */
    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        final Random random = new Random(13);
        for (int i = 0; i < events; i++)
        {
            recorded.recordValue((long)(10_000 * Math.pow(1_000, random.nextDouble())));
        }
        recorded.setStartTimeStamp(System.currentTimeMillis());
        recorded.setEndTimeStamp(recorded.getStartTimeStamp() + 1_000);
        final Path sink = Path.of("/dev/null");
        baseOut = Files.newOutputStream(sink);
        baseLog = new HistogramLogWriter(new PrintStream(baseOut, false, StandardCharsets.UTF_8));
        changeLog = new HlogWriter(sink, List.of(), recorded.getStartTimeStamp());
    }

    /**
     * Closes the logs.
     *
     * @throws IOException if they cannot be closed.
     */
    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        baseOut.close();
        changeLog.close();
    }

    /**
     * The report's step as it was.
     *
     * @return the totals' count.
     */
    @Benchmark
    public long base()
    {
        interval.reset();
        totals.add(recorded);
        interval.add(recorded);
        recorded.setTag("measure");
        baseLog.outputIntervalHistogram(recorded);
        return totals.getTotalCount() + interval.getTotalCount();
    }

    /**
     * The report's step now.
     *
     * @return the totals' count.
     * @throws IOException never (/dev/null).
     */
    @Benchmark
    public long change() throws IOException
    {
        interval.reset();
        recorded.copyInto(plain);
        totals.add(plain);
        interval.add(plain);
        changeLog.write("measure", plain);
        return totals.getTotalCount() + interval.getTotalCount();
    }
}
