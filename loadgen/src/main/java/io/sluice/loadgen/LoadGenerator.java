package io.sluice.loadgen;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Runs a scenario against a target on a {@link RatePlan}: the {@link OpenLoopSender} on its own
 * thread, and on the calling thread a reporter that, once per interval, takes the interval
 * histograms, appends them to the .hlog (tagged by group), and tells the listener. After the last
 * event it ends the input, waits for the target to drain, and writes the .hgrm reports and the plots.
 *
 * <p>The reporter shares a CPU with the spinning sender wherever there are fewer CPUs than busy threads, and every
 * millisecond a report takes there is a millisecond the events then due wait (late events count in the latencies).
 * So before the sender starts, the report's own code runs {@value #REPORT_WARM_UPS} times on scratch histograms
 * (a once-a-second report would otherwise run interpreted for the whole run and be compiled during the measured
 * seconds, on that CPU), and each report's CPU time is measured ({@link RunResult#reportCpu()}).
 *
 * <p>Threading: {@link #run} blocks the calling thread until the run is over.
 */
public final class LoadGenerator
{
    /**
     * Reports run on scratch data before the sender starts: past the JIT's thresholds for a method called once a
     * report (a few hundred calls), so that the measured seconds' reports run compiled code.
     */
    static final int REPORT_WARM_UPS = 500;

    /** The report's steps ({@link ReportSteps}): taking a group's interval histogram from its recorder. */
    static final String STEP_FLIP = "recorder flip";
    /** Copying the interval histogram out of the recorder's concurrent one. */
    static final String STEP_COPY = "interval copy";
    /** Adding it to the group's totals. */
    static final String STEP_TOTALS = "totals add";
    /** Its .hlog line: the histogram's encoding (a walk of its buckets up to its largest value). */
    static final String STEP_HLOG_ENCODE = "hlog encode";
    /** Its .hlog line: the deflate, the base64 and the write. */
    static final String STEP_HLOG = "hlog line";
    /** Adding the groups' intervals up, where more than one had events. */
    static final String STEP_SUM = "groups' sum";

    private final Scenario scenario;
    private final RatePlan plan;
    private final LatencyRecorder recorder;
    private final LoadTarget target;
    private final LoadOptions options;
    private final Histogram[] totals;
    private final Histogram[] recycled;
    private final Histogram interval = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final Histogram[] groupIntervals;
    /** Per group: whether its last interval had no events (or was not read); whether its phases were over at its last read. */
    private final boolean[] quiet;
    private final boolean[] over;
    /** Per group: the end of its last phase, from the schedule's origin. */
    private final long[] groupEndNs;
    private final Histogram reportCpu = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private HlogWriter log;
    /** Between the encoding of an interval's .hlog line and the rest of it: a step of the report. */
    private final Runnable hlogEncoded = () -> betweenSteps(STEP_HLOG_ENCODE);
    private long processed;
    private long lastReportNs;

    private LoadGenerator(
        final Scenario scenario, final RatePlan plan, final LatencyRecorder recorder, final LoadTarget target,
        final LoadOptions options)
    {
        this.scenario = scenario;
        this.plan = plan;
        this.recorder = recorder;
        this.target = target;
        this.options = options.conclude();
        totals = new Histogram[plan.groups().size()];
        recycled = new Histogram[totals.length];
        groupIntervals = new Histogram[totals.length];
        quiet = new boolean[totals.length];
        over = new boolean[totals.length];
        groupEndNs = new long[totals.length];
        for (int g = 0; g < totals.length; g++)
        {
            totals[g] = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
            groupIntervals[g] = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
        }
        long at = 0;
        for (int p = 0; p < plan.phases().size(); p++)
        {
            at += plan.phases().get(p).durationNs();
            groupEndNs[plan.groupOf(p)] = at;
        }
    }

    /**
     * Runs the load.
     *
     * @param scenario to send, with {@code plan.totalEvents()} events.
     * @param plan     of send times.
     * @param recorder the target's latency probes record into.
     * @param target   receiving the events; not closed here.
     * @param options  of the run.
     * @return the results.
     */
    public static RunResult run(
        final Scenario scenario, final RatePlan plan, final LatencyRecorder recorder, final LoadTarget target,
        final LoadOptions options)
    {
        return new LoadGenerator(scenario, plan, recorder, target, options).run();
    }

    private RunResult run()
    {
        final Path dir = options.outputDirectory();
        final Map<String, Path> files = new LinkedHashMap<>();
        final OpenLoopSender sender = new OpenLoopSender(
            scenario, plan, target, recorder, TimeUnit.MILLISECONDS.toNanos(options.leadInMs()), options.senderStart(), options.senderEnd());
        final Thread thread = new Thread(sender, "sluice-loadgen-sender");
        sender.wakeWhenDone(Thread.currentThread());
        try
        {
            if (dir != null)
            {
                Files.createDirectories(dir);
                final Path hlog = dir.resolve("latency.hlog");
                log = new HlogWriter(hlog, List.of(
                    "Sluice loadgen: scenario " + scenario.name() + ", " + target.describe(),
                    "end-to-end latency in ns from each event's scheduled send time to its sink; tag = group"),
                    System.currentTimeMillis());
                files.put("hlog", hlog);
            }
            warmReports();
            thread.start();
            while (0 == sender.originNs() && !sender.done())
            {
                LockSupport.parkNanos(100_000);
            }
            final long origin = sender.originNs();
            lastReportNs = Math.max(origin, System.nanoTime());
            final long intervalNs = TimeUnit.MILLISECONDS.toNanos(options.intervalMs());
            final long deadline = origin + plan.durationNs() + TimeUnit.MILLISECONDS.toNanos(options.maxOverrunMs());
            boolean stoppedEarly = false;
            long next = lastReportNs + intervalNs;
            while (!sender.done())
            {
                final long now = System.nanoTime();
                if (now - next >= 0)
                {
                    report(sender, origin, false);
                    next += intervalNs;
                }
                if (now - deadline >= 0 && !stoppedEarly)
                {
                    stoppedEarly = true;
                    sender.stop();
                }
                // Until the next report (or the deadline): the sender unparks this thread when it is done. Waking every
                // 5 ms to look took the sender's cpu ~200 times a second on 2 cores.
                LockSupport.parkNanos(Math.max(1, (stoppedEarly ? next : Math.min(next, deadline)) - now));
            }
            join(thread);
            rethrow(sender.failure());
            final boolean eventsDrained = eventsProcessed(target, options);
            target.endOfInput();
            final boolean drained = target.awaitDrained(options.drainTimeoutMs()) && eventsDrained;
            report(sender, origin, true);
            final long elapsed = System.nanoTime() - origin;
            final RunResult result = new RunResult(groups(sender), sender.sent(), plan.totalEvents(), elapsed,
                sender.maxLagNs(), drained, stoppedEarly, files, sender.lag(), reportCpu, sender.absences(),
                sender.heldSends());
            if (dir != null)
            {
                log.close();
                log = null;
                files.putAll(Reports.write(dir, result));
            }
            return new RunResult(result.groups(), result.sent(), result.planned(), result.elapsedNs(), result.maxLagNs(),
                result.drained(), result.stoppedEarly(), Map.copyOf(files), result.senderLag(), result.reportCpu(), result.senderAbsences(),
                result.senderHeldSends());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("writing load reports to " + dir, ex);
        }
        finally
        {
            sender.stop();
            join(thread);
            closeAfterFailure();
        }
    }

    /**
     * Runs the options' {@link LoadOptions#eventsProcessed()} action, if any, once the target has processed every event
     * sent.
     *
     * @return false if the target did not drain in time (the action still runs).
     */
    private static boolean eventsProcessed(final LoadTarget target, final LoadOptions options)
    {
        final Runnable action = options.eventsProcessed();
        if (action == null)
        {
            return true;
        }
        final boolean drained = target.awaitDrained(options.drainTimeoutMs());
        action.run();
        return drained;
    }

    private void closeAfterFailure()
    {
        if (log != null)
        {
            try
            {
                log.close();
            }
            catch (final IOException ex)
            {
                // Only on the way out of a failed run: its own failure is the one to report.
            }
        }
    }

    private void report(final OpenLoopSender sender, final long origin, final boolean last) throws IOException
    {
        final long cpuStart = threads.getCurrentThreadCpuTime();
        // The phase the interval began in: the line at the end of a 1 s warm-up is the warm-up's, not the measure's.
        final String group = currentGroup(lastReportNs - origin);
        final ReportSteps steps = options.reportSteps();
        // Measured: the measured phases' reports made while the sender sends. The last report follows the sending
        // (and the demo's reads what only its summary needs there): it delays no event; nor does a report made once every
        // event is sent, before the sender has ended (the demo reads the summary's figures there too: 47-69 ms under load).
        final boolean measured = !RatePlan.WARM_UP.equals(group) && !last && !sender.done() && sender.sent() < plan.totalEvents();
        steps.begin(measured);
        final Histogram latency = collect(recorder, recycled, totals, log, System.nanoTime() - origin, last);
        processed += latency.getTotalCount();
        final long now = System.nanoTime();
        final IntervalStats stats = new IntervalStats(now - origin, now - lastReportNs, sender.sent(), processed,
            group, latency, sender.maxLagNs());
        lastReportNs = now;
        options.listener().onInterval(stats);
        steps.end("report end");
        if (measured)
        {
            reportCpu.recordValue(Math.max(0, Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, threads.getCurrentThreadCpuTime() - cpuStart)));
        }
    }

    /**
     * Between two steps of a report: gives the CPU to the sender if it waits for it, when the options ask
     * ({@link LoadOptions#reportSteps}).
     *
     * @param step what the step just ended did.
     */
    private void betweenSteps(final String step)
    {
        options.reportSteps().next(step);
    }

    /**
     * Takes the interval histogram of every group that may still have events from a recorder, adds it to the
     * group's totals, and appends it to a log; returns the interval of all groups together (the one group's own
     * when only one had events, else {@link #interval}, their sum).
     *
     * <p>A group whose phases are over is not read while nothing was recorded into it since its last read
     * ({@link LatencyRecorder#takeRecorded}): each read of a recorder resets and walks whole histograms (some 34,000
     * buckets each, a quarter of a millisecond of the reporter's CPU). It used to be skipped until the final report once
     * an interval of it was empty, which lost from the live lines (and from the reports made while sending) every event
     * that a processing thread behind its schedule recorded later (reproduced at load ~30, perf/README.md section 109).
     *
     * @param final_ whether this is the run's last report (every group is read).
     */
    private Histogram collect(
        final LatencyRecorder from, final Histogram[] recycledOf, final Histogram[] totalsOf, final HlogWriter to,
        final long elapsedNs, final boolean final_) throws IOException
    {
        Histogram only = null;
        int nonEmpty = 0;
        for (int g = 0; g < totalsOf.length; g++)
        {
            if (!from.takeRecorded(g) && over[g] && !final_)
            {
                quiet[g] = true; // nothing to read, and nothing to add to the sum below
                continue;
            }
            final Histogram h = from.interval(g, recycledOf[g]);
            recycledOf[g] = h;
            quiet[g] = h.getTotalCount() == 0;
            over[g] = elapsedNs >= groupEndNs[g];
            betweenSteps(STEP_FLIP);
            if (h.getTotalCount() > 0)
            {
                // The recorder's histogram is a concurrent one, which takes a lock for every bucket it is read at:
                // read it once into a plain one, which is added and encoded by plain array walks. Each walk of some
                // 34,000 buckets is a step of its own (0.17-0.42 ms each on the sender's cpu, perf/README.md section 52).
                final Histogram copy = groupIntervals[g];
                h.copyInto(copy);
                betweenSteps(STEP_COPY);
                totalsOf[g].add(copy);
                betweenSteps(STEP_TOTALS);
                if (to != null)
                {
                    to.write(plan.groups().get(g), copy, hlogEncoded);
                    betweenSteps(STEP_HLOG);
                }
                only = copy;
                nonEmpty++;
            }
        }
        if (nonEmpty == 1)
        {
            return only;
        }
        interval.reset();
        for (int g = 0; g < totalsOf.length && nonEmpty > 1; g++)
        {
            if (!quiet[g])
            {
                interval.add(groupIntervals[g]);
                betweenSteps(STEP_SUM);
            }
        }
        return interval;
    }

    /**
     * Runs the report's own code {@value #REPORT_WARM_UPS} times on a scratch recorder, scratch totals and a log to
     * nowhere, with latencies spread from a microsecond to tens of milliseconds, as a run's are.
     */
    private void warmReports() throws IOException
    {
        final LatencyRecorder scratch = new LatencyRecorder(plan);
        scratch.start(0);
        final Histogram[] scratchTotals = new Histogram[totals.length];
        for (int g = 0; g < scratchTotals.length; g++)
        {
            scratchTotals[g] = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
        }
        final Histogram[] scratchRecycled = new Histogram[totals.length];
        try (HlogWriter nowhere = new HlogWriter(OutputStream.nullOutputStream(), 0))
        {
            for (int round = 0; round < REPORT_WARM_UPS; round++)
            {
                // One group's events in even rounds, two groups' in odd ones: both ways of taking the interval.
                for (int p = round; p <= round + round % 2; p++)
                {
                    final long scheduled = scratch.phaseStart(p % plan.phases().size());
                    for (long latency = 1_000; latency < 50_000_000; latency += latency / 8 + round)
                    {
                        scratch.record(scheduled, scheduled + latency);
                    }
                }
                collect(scratch, scratchRecycled, scratchTotals, nowhere, 0, round % 2 == 0);
                threads.getCurrentThreadCpuTime();
                currentGroup(round);
            }
        }
        Arrays.fill(quiet, false);
        Arrays.fill(over, false);
    }

    private String currentGroup(final long elapsedNs)
    {
        long at = 0;
        for (final RatePlan.Phase phase : plan.phases())
        {
            at += phase.durationNs();
            if (elapsedNs < at)
            {
                return phase.group();
            }
        }
        return RatePlan.DRAIN;
    }

    private List<RunResult.GroupResult> groups(final OpenLoopSender sender)
    {
        final List<RunResult.GroupResult> groups = new ArrayList<>();
        final List<RatePlan.Phase> phases = plan.phases();
        for (int g = 0; g < totals.length; g++)
        {
            final String name = plan.groups().get(g);
            long sent = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int p = 0; p < phases.size(); p++)
            {
                if (plan.groupOf(p) == g)
                {
                    sent += sender.phaseSent(p);
                    first = Math.min(first, recorder.phaseStart(p));
                    if (sender.phaseSent(p) > 0)
                    {
                        last = Math.max(last, sender.phaseLastSendNs(p));
                    }
                }
            }
            final long[] planned = plan.plannedOf(name);
            final double target = planned[0] * 1e9 / planned[1];
            // The last event is due one period before the end of the group: count the span to it.
            final double span = last > first ? (last - first) * (double)planned[0] / Math.max(1, planned[0] - 1) : 0;
            final double achieved = span > 0 ? sent * 1e9 / span : 0;
            groups.add(new RunResult.GroupResult(name, target, achieved, sent, totals[g]));
        }
        return groups;
    }

    private static void join(final Thread thread)
    {
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void rethrow(final Throwable failure)
    {
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
        if (failure != null)
        {
            throw new IllegalStateException("load sender failed", failure);
        }
    }
}
