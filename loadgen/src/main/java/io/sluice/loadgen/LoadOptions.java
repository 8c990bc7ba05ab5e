package io.sluice.loadgen;

import java.nio.file.Path;

/**
 * Settings of a load run, with fluent setters; {@link #conclude()} validates them.
 */
public final class LoadOptions
{
    private long intervalMs = 1_000;
    private long leadInMs = 20;
    private long drainTimeoutMs = 120_000;
    private long maxOverrunMs = 120_000;
    private Path outputDirectory;
    private IntervalListener listener = s -> { };
    private Runnable senderStart = () -> { };
    private Runnable senderEnd = () -> { };
    private Runnable eventsProcessed;
    private ReportSteps reportSteps;

    /**
     * Sets the reporting interval (live output and .hlog intervals).
     *
     * @param intervalMs between reports.
     * @return this.
     */
    public LoadOptions intervalMs(final long intervalMs)
    {
        this.intervalMs = intervalMs;
        return this;
    }

    /**
     * The reporting interval.
     *
     * @return milliseconds.
     */
    public long intervalMs()
    {
        return intervalMs;
    }

    /**
     * Sets the pause between starting the sender and the first event being due.
     *
     * @param leadInMs of lead-in.
     * @return this.
     */
    public LoadOptions leadInMs(final long leadInMs)
    {
        this.leadInMs = leadInMs;
        return this;
    }

    /**
     * The lead-in.
     *
     * @return milliseconds.
     */
    public long leadInMs()
    {
        return leadInMs;
    }

    /**
     * Sets how long to wait, after the last event, for the target to process everything.
     *
     * @param drainTimeoutMs longest drain.
     * @return this.
     */
    public LoadOptions drainTimeoutMs(final long drainTimeoutMs)
    {
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
    }

    /**
     * The drain timeout.
     *
     * @return milliseconds.
     */
    public long drainTimeoutMs()
    {
        return drainTimeoutMs;
    }

    /**
     * Sets how far past the plan's end sending may run before it is cut (a target that cannot keep
     * up would otherwise make the run last unboundedly long).
     *
     * @param maxOverrunMs past the planned end.
     * @return this.
     */
    public LoadOptions maxOverrunMs(final long maxOverrunMs)
    {
        this.maxOverrunMs = maxOverrunMs;
        return this;
    }

    /**
     * The overrun allowed.
     *
     * @return milliseconds.
     */
    public long maxOverrunMs()
    {
        return maxOverrunMs;
    }

    /**
     * Sets where the .hlog, .hgrm and PNG files go; null writes none.
     *
     * @param outputDirectory for reports, created if missing.
     * @return this.
     */
    public LoadOptions outputDirectory(final Path outputDirectory)
    {
        this.outputDirectory = outputDirectory;
        return this;
    }

    /**
     * The report directory or null.
     *
     * @return the directory.
     */
    public Path outputDirectory()
    {
        return outputDirectory;
    }

    /**
     * Sets the listener told about every interval.
     *
     * @param listener for live output.
     * @return this.
     */
    public LoadOptions listener(final IntervalListener listener)
    {
        this.listener = listener;
        return this;
    }

    /**
     * The interval listener.
     *
     * @return the listener.
     */
    public IntervalListener listener()
    {
        return listener;
    }

    /**
     * Sets what the sender's thread runs before it sends its first event, e.g. setting its CPU affinity
     * so that it never shares a core with a spinning processing thread.
     *
     * @param senderStart run once on the sender's thread; must not throw.
     * @return this.
     */
    public LoadOptions senderStart(final Runnable senderStart)
    {
        this.senderStart = senderStart;
        return this;
    }

    /**
     * What the sender's thread runs before its first event.
     *
     * @return the action (does nothing by default).
     */
    public Runnable senderStart()
    {
        return senderStart;
    }

    /**
     * Sets what the sender's thread runs once it has sent its last event (or failed), before the generator learns that it
     * is done, e.g. reading the thread's own scheduler statistics: then nothing reads them while it sends.
     *
     * @param senderEnd run once on the sender's thread; an exception it throws fails the run.
     * @return this.
     */
    public LoadOptions senderEnd(final Runnable senderEnd)
    {
        this.senderEnd = senderEnd;
        return this;
    }

    /**
     * What the sender's thread runs after its last event.
     *
     * @return the action (does nothing by default).
     */
    public Runnable senderEnd()
    {
        return senderEnd;
    }

    /**
     * Sets whether the generator's thread, the reporter, gives its CPU back ({@link Thread#yield()}) between the steps of
     * each report (each group's interval histogram, the listener): for a reporter that shares a CPU with the spinning
     * sender, so that a report's few milliseconds of work reach the sender as a few absences of a fraction of a
     * millisecond each rather than one of the whole report, which delays every event due meanwhile (a yield with nothing
     * else runnable returns at once). Off by default.
     *
     * @param reporterYields whether to yield between report steps.
     * @return this.
     */
    public LoadOptions reporterYields(final boolean reporterYields)
    {
        this.reportSteps = new ReportSteps(reporterYields);
        return this;
    }

    /**
     * Sets the steps the reporter's turn is cut into, shared with an interval listener that cuts its own work at the
     * same places ({@link ReportSteps#next}); replaces {@link #reporterYields}.
     *
     * @param reportSteps the reporter's steps, which yield or not.
     * @return this.
     */
    public LoadOptions reportSteps(final ReportSteps reportSteps)
    {
        this.reportSteps = java.util.Objects.requireNonNull(reportSteps, "reportSteps");
        return this;
    }

    /**
     * The steps the reporter's turn is cut into: one that does not yield unless set.
     *
     * @return the steps.
     */
    public ReportSteps reportSteps()
    {
        if (reportSteps == null)
        {
            reportSteps = new ReportSteps(false);
        }
        return reportSteps;
    }

    /**
     * Whether the reporter yields its CPU between the steps of a report.
     *
     * @return true if it does.
     */
    public boolean reporterYields()
    {
        return reportSteps().yields();
    }

    /**
     * Sets what the generator's thread runs once the sending is over and the target has processed every event
     * sent (it drains the target first), before it signals the end of input: e.g. a per-event measurement ends
     * there, since what an engine does at the end of input (every open window's results at once) follows the last
     * event and delays none. Without it (the default) the end of input follows the sending at once.
     *
     * @param eventsProcessed run once on the generator's thread; must not throw.
     * @return this.
     */
    public LoadOptions eventsProcessed(final Runnable eventsProcessed)
    {
        this.eventsProcessed = eventsProcessed;
        return this;
    }

    /**
     * What the generator's thread runs once every event sent is processed, before the end of input.
     *
     * @return the action, or null if none was set (then the generator does not drain before the end of input).
     */
    public Runnable eventsProcessed()
    {
        return eventsProcessed;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public LoadOptions conclude()
    {
        if (intervalMs < 10 || leadInMs < 0 || drainTimeoutMs < 0 || maxOverrunMs < 0 || listener == null || senderStart == null || senderEnd == null)
        {
            throw new IllegalArgumentException("load options: interval >= 10 ms, lead-in, drain timeout and overrun >= 0, " +
                "a listener and sender start and end actions are required: " + this);
        }
        return this;
    }

    @Override
    public String toString()
    {
        return "LoadOptions{interval=" + intervalMs + "ms, leadIn=" + leadInMs + "ms, drainTimeout=" + drainTimeoutMs +
            "ms, maxOverrun=" + maxOverrunMs + "ms, output=" + outputDirectory + "}";
    }
}
