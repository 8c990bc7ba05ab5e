package io.sluice.ops.demo;

import java.io.PrintWriter;

import net.openhft.affinity.AffinityLock;

import io.sluice.ops.cli.JvmOwnership;

/**
 * Where the demo's sender runs under the low-latency layout, set from the sender's own thread before its
 * first event ({@code LoadOptions.senderStart}): on a free core of its own when the layout left one
 * ({@link DemoLayout#senderOwnCore()}; an OpenHFT affinity lock taken after the processing threads took
 * theirs, so it never lands on one of their cores), else on the CPUs the spinning threads leave free, at
 * normal priority beside the JVM's other threads there, or, when asked ({@code --lower-priorities}), alone at
 * normal priority there ({@link SenderPriority}). Says what it did in one console line.
 *
 * <p>Threading: {@link #place} on the sender's thread; {@link #restore()} on the demo's thread once the
 * sender has ended.
 */
final class SenderPlacement
{
    private volatile AffinityLock ownCore;
    private volatile SenderPriority priority;

    /**
     * Places the calling thread, the sender.
     *
     * @param tryOwnCore       whether the layout left a free core for it.
     * @param lowerOthers      whether, without a core of its own, the threads beside it move to SCHED_IDLE.
     * @param offSpinningCores sets the caller's affinity to the CPUs the spinning threads leave free.
     * @param console          for the line that says what was done.
     */
    void place(final boolean tryOwnCore, final boolean lowerOthers, final Runnable offSpinningCores, final PrintWriter console)
    {
        if (tryOwnCore)
        {
            try
            {
                final AffinityLock lock = AffinityLock.acquireLock();
                if (lock.isAllocated())
                {
                    ownCore = lock;
                    console.println("priorities: the sender busy-spins alone on cpu " + lock.cpuId() + " (a free core of its own)");
                    console.flush();
                    return;
                }
                lock.release();
                console.println("note: no free core left for the sender (another process holds it): it shares the other cpus");
            }
            catch (final RuntimeException | LinkageError ex)
            {
                console.println("note: the sender could not take a core of its own (" + ex + "): it shares the other cpus");
            }
        }
        offSpinningCores.run();
        if (!lowerOthers)
        {
            console.println("priorities: unchanged (--lower-priorities to change them): the sender shares its cpu with the JVM's " +
                "other threads at equal priority");
            console.flush();
            return;
        }
        final SenderPriority lowered = SenderPriority.lowerOthers(JvmOwnership.endsWithCommand());
        priority = lowered;
        console.println(lowered.line());
        console.flush();
    }

    /**
     * Releases the sender's core, or puts the lowered threads back to their priority where this process may.
     */
    void restore()
    {
        final SenderPriority lowered = priority;
        if (lowered != null)
        {
            lowered.restore();
        }
        final AffinityLock lock = ownCore;
        if (lock != null)
        {
            lock.release();
        }
    }
}
