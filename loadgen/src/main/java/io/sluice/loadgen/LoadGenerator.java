package io.sluice.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * <p>Threading: {@link #run} blocks the calling thread until the run is over.
 */
public final class LoadGenerator
{
    private final Scenario scenario;
    private final RatePlan plan;
    private final LatencyRecorder recorder;
    private final LoadTarget target;
    private final LoadOptions options;
    private final Histogram[] totals;
    private final Histogram[] recycled;
    private final Histogram interval = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private final Histogram groupInterval = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private HlogWriter log;
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
        for (int g = 0; g < totals.length; g++)
        {
            totals[g] = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
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
            scenario, plan, target, recorder, TimeUnit.MILLISECONDS.toNanos(options.leadInMs()), options.senderStart());
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
                    report(sender, origin);
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
            target.endOfInput();
            final boolean drained = target.awaitDrained(options.drainTimeoutMs());
            report(sender, origin);
            final long elapsed = System.nanoTime() - origin;
            final RunResult result = new RunResult(groups(sender), sender.sent(), plan.totalEvents(), elapsed,
                sender.maxLagNs(), drained, stoppedEarly, files, sender.lag());
            if (dir != null)
            {
                log.close();
                log = null;
                files.putAll(Reports.write(dir, result));
            }
            return new RunResult(result.groups(), result.sent(), result.planned(), result.elapsedNs(), result.maxLagNs(),
                result.drained(), result.stoppedEarly(), Map.copyOf(files), result.senderLag());
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

    private void report(final OpenLoopSender sender, final long origin) throws IOException
    {
        interval.reset();
        for (int g = 0; g < totals.length; g++)
        {
            final Histogram h = recorder.interval(g, recycled[g]);
            recycled[g] = h;
            if (h.getTotalCount() > 0)
            {
                // The recorder's histogram is a concurrent one, which takes a lock for every bucket it is read at:
                // read it once into a plain one, which is added and encoded by plain array walks.
                h.copyInto(groupInterval);
                totals[g].add(groupInterval);
                interval.add(groupInterval);
                if (log != null)
                {
                    log.write(plan.groups().get(g), groupInterval);
                }
            }
        }
        processed += interval.getTotalCount();
        final long now = System.nanoTime();
        // The phase the interval began in: the line at the end of a 1 s warm-up is the warm-up's, not the measure's.
        final IntervalStats stats = new IntervalStats(now - origin, now - lastReportNs, sender.sent(), processed,
            currentGroup(lastReportNs - origin), interval, sender.maxLagNs());
        lastReportNs = now;
        options.listener().onInterval(stats);
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
        return "drain";
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
