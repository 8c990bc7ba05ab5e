package io.sluice.ops.demo;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.loadgen.Alert;
import io.sluice.loadgen.AlertLog;
import io.sluice.loadgen.IntervalListener;
import io.sluice.loadgen.IntervalStats;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.RatePlan;
import io.sluice.loadgen.ReportSteps;
import io.sluice.loadgen.RunResult;

/**
 * Prints a load run to the console, shared by {@code sluice demo} and {@code sluice loadgen}: the
 * live line once a second (throughput, end-to-end latency percentiles, fresh alerts; one unit per column,
 * named in the column heads printed every {@value #HEADER_EVERY} lines) and the common
 * parts of the summary (events, rate and latency per group, sender lag, dropped alerts, report files).
 * The commands print what only they know between {@link #summaryHead} and {@link #summaryTail}.
 *
 * <p>Threading: {@link #onInterval} is called on the load generator's reporting thread, the summary
 * on the command's thread after the run; one instance serves one run.
 */
final class RunReporter implements IntervalListener
{
    /** Absences of the sender at least this long are counted apart: each makes the events due in it late by up to its length. */
    static final long LONG_ABSENCE_NS = 500_000;

    private static final int MAX_ALERT_LINES_PER_SECOND = 4;
    /** The live lines' column heads are repeated every this many lines. */
    private static final int HEADER_EVERY = 20;
    /** The live line's steps ({@link ReportSteps}): one percentile of the interval; the line's formatting; an alert's. */
    static final String STEP_PERCENTILE = "live percentile";
    static final String STEP_LIVE_LINE = "live line";
    static final String STEP_ALERT_LINE = "alert line";
    /** How many of the longest report steps the summary names. */
    private static final int SLOWEST_STEPS_SHOWN = 3;

    private final PrintWriter console;
    private final AlertLog alerts;
    private final Function<Alert, String> alertText;
    private final List<Alert> fresh = new ArrayList<>();
    private long lastProcessed;
    private long lines;
    /** The live line being built, and a column's text before it is aligned; reused each second. */
    private final StringBuilder line = new StringBuilder(160);
    private final StringBuilder column = new StringBuilder(24);
    /** Where the live line's work is cut into steps ({@link #steps}); null: not cut. */
    private ReportSteps steps;

    /**
     * Reports to a console.
     *
     * @param console   to print to.
     * @param alerts    the run's alerts, drained once an interval.
     * @param alertText what follows "ALERT " on a live alert line.
     */
    RunReporter(final PrintWriter console, final AlertLog alerts, final Function<Alert, String> alertText)
    {
        this.console = console;
        this.alerts = alerts;
        this.alertText = alertText;
    }

    /**
     * Runs the live line's code on scratch intervals to a console of nowhere, before a run: called once a second,
     * it would otherwise run interpreted for the whole run and be compiled during the measured seconds, on the
     * reporter's CPU, which the sender shares wherever there are fewer CPUs than busy threads.
     *
     * @param rounds    live lines to print to nowhere.
     * @param alertText what the run's reporter puts after "ALERT ".
     */
    static void warmUp(final int rounds, final Function<Alert, String> alertText)
    {
        final RunReporter scratch = new RunReporter(new PrintWriter(Writer.nullWriter()), new AlertLog(1, 16), alertText);
        final Histogram latency = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
        for (int round = 0; round < rounds; round++)
        {
            for (long nanos = 1_000; nanos < 50_000_000; nanos += nanos / 8 + round)
            {
                latency.recordValue(nanos);
            }
            scratch.onInterval(new IntervalStats(round * 1_000_000_000L, 1_000_000_000L, round * 50_000L, round * 50_000L,
                RatePlan.WARM_UP, latency, round));
        }
    }

    /**
     * Cuts the live line's work into steps of the run's report ({@link ReportSteps#next}): its percentiles apart from its
     * printing, and the summary's reporter line adds the longest step of each measured report.
     *
     * @param steps of the run's reports.
     */
    void steps(final ReportSteps steps)
    {
        this.steps = steps;
    }

    private StringBuilder scratch()
    {
        column.setLength(0);
        return column;
    }

    private static void appendMicros(final StringBuilder line, final long nanos)
    {
        DemoFormat.appendRight(line.append(' '), DemoFormat.micros(nanos), 11);
    }

    private void nextStep(final String step)
    {
        if (steps != null)
        {
            steps.next(step);
        }
    }

    /**
     * Prints the interval's live line and up to four of its fresh alerts.
     *
     * @param stats of the interval.
     */
    @Override
    public void onInterval(final IntervalStats stats)
    {
        final Histogram h = stats.latency();
        final boolean any = h.getTotalCount() > 0;
        // Each percentile walks the histogram's ~34,000 buckets up to it (0.1-2 ms for the three in C1's code, which the
        // demo runs on 2 cpus, the longer the higher the latencies): each a step of its own, apart from the printing.
        final long p50 = any ? h.getValueAtPercentile(50) : -1;
        nextStep(STEP_PERCENTILE);
        final long p99 = any ? h.getValueAtPercentile(99) : -1;
        nextStep(STEP_PERCENTILE);
        final long p999 = any ? h.getValueAtPercentile(99.9) : -1;
        final long max = any ? h.getMaxValue() : -1;
        nextStep(STEP_PERCENTILE);
        final double seconds = stats.intervalNs() / 1e9;
        final long processed = stats.processed() - lastProcessed;
        lastProcessed = stats.processed();
        fresh.clear();
        alerts.drainTo(fresh);
        if (lines++ % HEADER_EVERY == 0)
        {
            console.printf(Locale.ROOT, "%8s  %-12s %11s %11s %9s %11s %11s %11s %11s %s%n", "time", "group", "sent", "done", "ev/s",
                "p50 us", "p99 us", "p99.9 us", "max us", "alerts");
        }
        // The columns of "%6.1f s  %-12s %11s %11s %9s %11s %11s %11s %11s +%d", built without a format string: parsing one
        // and formatting through java.util.Formatter took ~0.3 ms of the reporter's cpu each second (C1's code on 2 cpus).
        final StringBuilder line = this.line;
        line.setLength(0);
        DemoFormat.appendRight(line, DemoFormat.appendTenths(scratch(), stats.elapsedNs(), 1_000_000_000L), 6).append(" s  ");
        DemoFormat.appendLeft(line, stats.group(), 12).append(' ');
        DemoFormat.appendRight(line, DemoFormat.appendCount(scratch(), stats.sent()), 11).append(' ');
        DemoFormat.appendRight(line, DemoFormat.appendCount(scratch(), stats.processed()), 11).append(' ');
        DemoFormat.appendRight(line, DemoFormat.appendCount(scratch(), Math.round(processed / Math.max(1e-9, seconds))), 9);
        appendMicros(line, p50);
        appendMicros(line, p99);
        appendMicros(line, p999);
        appendMicros(line, max);
        console.println(line.append(" +").append(fresh.size()));
        nextStep(STEP_LIVE_LINE);
        for (int i = 0; i < Math.min(MAX_ALERT_LINES_PER_SECOND, fresh.size()); i++)
        {
            console.println("          ALERT " + alertText.apply(fresh.get(i)));
            nextStep(STEP_ALERT_LINE);
        }
        if (fresh.size() > MAX_ALERT_LINES_PER_SECOND)
        {
            console.printf(Locale.ROOT, "          ... and %d more alerts%n", fresh.size() - MAX_ALERT_LINES_PER_SECOND);
        }
        console.flush();
    }

    /**
     * Prints the summary's heading, events, per-group rate and latency, and sender lines.
     *
     * @param result  of the run.
     * @param laggard what could not keep up when the run was cut at its deadline ("engine", "target").
     */
    void summaryHead(final RunResult result, final String laggard)
    {
        console.println();
        console.println("Summary");
        long warmUp = 0;
        for (final RunResult.GroupResult group : result.groups())
        {
            if (group.name().equals(RatePlan.WARM_UP))
            {
                warmUp = group.sent();
            }
        }
        console.printf(Locale.ROOT, "  events       %s sent of %s planned (%s in warm-up) in %.1f s; %s%s%n",
            DemoFormat.count(result.sent()), DemoFormat.count(result.planned()), DemoFormat.count(warmUp), result.elapsedNs() / 1e9,
            result.drained() ? "all processed" : "NOT all processed before the drain timeout",
            result.stoppedEarly() ? "; cut at the deadline: the " + laggard + " could not keep up" : "");
        for (final RunResult.GroupResult group : result.measured())
        {
            final Histogram h = group.latency();
            console.printf(Locale.ROOT, "  %-12s target %s ev/s, achieved %s ev/s; latency p50 %s  p99 %s  p99.9 %s  max %s (%s events)%n",
                group.name(), DemoFormat.count(Math.round(group.targetRate())), DemoFormat.count(Math.round(group.achievedRate())),
                DemoFormat.nanos(h.getValueAtPercentile(50)), DemoFormat.nanos(h.getValueAtPercentile(99)),
                DemoFormat.nanos(h.getValueAtPercentile(99.9)), DemoFormat.nanos(h.getMaxValue()), DemoFormat.count(h.getTotalCount()));
        }
        final Histogram lag = result.senderLag();
        console.printf(Locale.ROOT, "  sender       behind schedule p50 %s  p99 %s  p99.9 %s  max %s over the measured events, largest " +
            "%s (counted in the latencies above)%n", DemoFormat.nanos(lag.getValueAtPercentile(50)),
            DemoFormat.nanos(lag.getValueAtPercentile(99)), DemoFormat.nanos(lag.getValueAtPercentile(99.9)),
            DemoFormat.nanos(lag.getMaxValue()), DemoFormat.nanos(result.maxLagNs()));
        absencesLine(result.senderAbsences(), result.senderHeldSends());
        final Histogram report = result.reportCpu();
        if (report.getTotalCount() > 0)
        {
            console.printf(Locale.ROOT, "  reporter     cpu per report p50 %s  max %s over %d reports from the first measured second to the " +
                "end of the sending (a once-a-second turn on the sender's cpu where they share one)%n", DemoFormat.nanos(report.getValueAtPercentile(50)),
                DemoFormat.nanos(report.getMaxValue()), report.getTotalCount());
        }
        final Histogram step = steps == null ? null : steps.longestStepCpu();
        if (step != null && step.getTotalCount() > 0 && steps.yields())
        {
            final StringBuilder slowest = new StringBuilder();
            for (final ReportSteps.StepCpu s : steps.slowestSteps(SLOWEST_STEPS_SHOWN))
            {
                slowest.append(slowest.isEmpty() ? "" : ", ").append(s.name()).append(" max ").append(DemoFormat.nanos(s.maxNs()))
                    .append(" mean ").append(DemoFormat.nanos(s.meanNs()));
            }
            console.printf(Locale.ROOT, "  report step  cpu of each report's longest step between two yields to the sender, while it sends: " +
                "p50 %s  max %s; the longest steps: %s (each step is an absence of the sender from its cpu; 500 us or more counts " +
                "in 'sender away')%n", DemoFormat.nanos(step.getValueAtPercentile(50)), DemoFormat.nanos(step.getMaxValue()), slowest);
        }
    }

    /**
     * The sender's absences from its wait for the next event: how often and how long it was away (off its cpu,
     * or the cpu held by an interrupt or the hypervisor), in all and in absences over {@link #LONG_ABSENCE_NS}: a
     * p99 of the lag over that needs about 1% of the measured time spent in such absences; and its sends that took
     * 20 us or more.
     */
    private void absencesLine(final Histogram absences, final Histogram heldSends)
    {
        final long total = sumFrom(absences, 0);
        final long longCount = absences.getCountBetweenValues(absences.lowestEquivalentValue(LONG_ABSENCE_NS), absences.getMaxValue());
        final long longTotal = sumFrom(absences, LONG_ABSENCE_NS);
        console.printf(Locale.ROOT, "  sender away  from its wait for the next event %s times for 20 us or more, %s in all; %s times for %s " +
            "or more, %s in all; longest %s (off its cpu, or its cpu held by an interrupt or the hypervisor: the cpu line below says " +
            "how long the OS saw it wait for its cpu); sends of 20 us or more %s, %s in all (a full ring, or taken off its cpu " +
            "during one)%n", DemoFormat.count(absences.getTotalCount()), DemoFormat.nanos(total), DemoFormat.count(longCount),
            DemoFormat.nanos(LONG_ABSENCE_NS), DemoFormat.nanos(longTotal), DemoFormat.nanos(absences.getMaxValue()),
            DemoFormat.count(heldSends.getTotalCount()), DemoFormat.nanos(sumFrom(heldSends, 0)));
    }

    /** The sum of the values recorded from {@code from} on, ns (each at its bucket's value). */
    private static long sumFrom(final Histogram h, final long from)
    {
        long sum = 0;
        for (final HistogramIterationValue v : h.recordedValues())
        {
            if (v.getValueIteratedTo() >= from)
            {
                sum += v.getValueIteratedTo() * v.getCountAtValueIteratedTo();
            }
        }
        return sum;
    }

    /**
     * Prints the summary line of an embedded engine's wait strategy.
     *
     * @param waitStrategy of the engine's partition threads.
     */
    void waitLine(final WaitStrategyKind waitStrategy, final int cpus)
    {
        console.printf(Locale.ROOT, "  wait         %s on %d cpus%n", waitStrategy.configName(), cpus);
    }

    /**
     * Prints a line of the summary as it is, such as the heading of an alerts section.
     *
     * @param text of the line.
     */
    void line(final String text)
    {
        console.println(text);
    }

    /**
     * Prints one line of the summary's alerts section.
     *
     * @param line of a detection report.
     */
    void detectionLine(final String line)
    {
        console.println("    " + line);
    }

    /**
     * Ends the summary: alerts dropped by the alert log, and where the reports were written.
     *
     * @param result of the run.
     */
    void summaryTail(final RunResult result)
    {
        if (alerts.dropped() > 0)
        {
            console.printf(Locale.ROOT, "    (%d alerts did not fit in the alert log and were not evaluated)%n", alerts.dropped());
        }
        console.println("  reports:");
        for (final Map.Entry<String, Path> file : result.files().entrySet())
        {
            console.printf(Locale.ROOT, "    %-16s %s%n", file.getKey(), file.getValue().toAbsolutePath());
        }
        console.flush();
    }
}
