package io.sluice.loadgen;

/**
 * How a reporting thread shares a CPU with a busy-spinning thread: it gives the CPU back between the steps of a
 * report ({@link #yieldBetweenSteps()}), so that each of its turns is one step long.
 *
 * <p>Why: where every core is spun (the demo on 2 cores: the processing thread on one, the load generator's
 * sender on the other), the once-a-second report runs on the sender's core. Linux (CFS/EEVDF, no preemption
 * of a running task between scheduler ticks) lets a woken thread keep the CPU until it blocks or a tick ends
 * its slice, up to 4 ms at HZ=250: a report done in one go (interval histograms copied and added, the .hlog
 * line, the printed lines; 3-6 ms of CPU on the 2-core VM of perf/README.md section 45) held the sender off
 * its core that long once a second, and every event due meanwhile left late by up to that much. A yield
 * between steps hands the core back to the sender, and the next step runs when the scheduler next picks
 * this thread (at a later tick): the same work in turns of one step each, spread over some tens of
 * milliseconds instead of one block.
 *
 * <p>A yield with nothing else runnable on the CPU returns at once: on a machine with a free core the report
 * is not slowed.
 *
 * <p>Threading: any thread; it affects only the caller.
 */
public final class ReportingTurns
{
    private ReportingTurns()
    {
    }

    /**
     * Offers the CPU to any other runnable thread on it ({@link Thread#yield()}, {@code sched_yield} on Linux)
     * before the next step of a report.
     */
    public static void yieldBetweenSteps()
    {
        Thread.yield();
    }
}
