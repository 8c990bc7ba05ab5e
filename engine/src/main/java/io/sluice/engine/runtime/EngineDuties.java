package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.errors.DistinctErrorLog;

/**
 * The engine's background duties (journal duties, checkpoint writer, scheduler) and the duties an
 * embedding application adds while the engine runs ({@link Engine#addDuty}: the network server), run
 * in the context's {@link ThreadingMode}:
 *
 * <ul>
 *   <li>SHARED: two low-priority daemon threads. The duties that wait on the disk (the journal's force,
 *   segment allocation and checksums, the checkpoint writer) on {@link Engine#SHARED_IO_DUTIES_ROLE_NAME};
 *   the scheduler and every added duty on {@link Engine#SHARED_DUTIES_ROLE_NAME}, a
 *   {@link DynamicCompositeAgent} so that added duties join it. A force that takes seconds on a busy disk
 *   then never holds up the network server (whose Aeron client dies when its conductor is not invoked
 *   within the driver's ten-second liveness timeout) or the scheduler's ticks. Each idles with a
 *   {@link DutyIdleStrategy} (the disk duties' without group commit sleeps its ceiling at a time instead); the added
 *   duties' thread's ceiling is the most demanding duty's.</li>
 *   <li>DEDICATED: a daemon thread each, named by the duty's role; an added duty gets a thread of its own
 *   that idles with a {@link DutyIdleStrategy} of its ceiling.</li>
 * </ul>
 *
 * <p>Under the low-latency profile with pinned processing threads every duty thread runs on the cores
 * the spinning threads do not use ({@link OffSpinningCores}), added duties included: that is how the
 * profile accounts for them.
 *
 * <p>Threading: every method on the engine's control thread (or an embedding application's), never on a
 * duty thread.
 */
final class EngineDuties implements AutoCloseable
{
    private final ThreadingMode mode;
    private final long builtInIdleNs;
    private final boolean groupCommit;
    private final BitSet offSpinningCpus;
    private final DistinctErrorLog errorLog;
    private final ErrorHandler errors;
    private final List<AgentRunner> runners = new ArrayList<>();
    private DutyIdleStrategy sharedIdle;
    private DutyHost sharedHost;
    /** The disk duties' shared thread, SHARED mode only, null if the engine started none. */
    private DutyHost ioHost;
    private boolean closed;

    /**
     * @param mode            how duties run.
     * @param builtInIdleNs   longest idle of the built-in duties (group commit's period when it is on).
     * @param groupCommit     whether group commit is on: then the disk duties' thread, which forces for the callers
     *                        waiting on durability, backs off from a microsecond after work, as the other does;
     *                        otherwise it sleeps {@code builtInIdleNs} at a time (see {@link #ioIdleStrategy}).
     * @param offSpinningCpus cpus duty threads are pinned to, or null to leave them unpinned.
     * @param errorLog        the engine's, for the duties' errors.
     */
    EngineDuties(
        final ThreadingMode mode, final long builtInIdleNs, final boolean groupCommit, final BitSet offSpinningCpus,
        final DistinctErrorLog errorLog)
    {
        this.mode = mode;
        this.builtInIdleNs = builtInIdleNs;
        this.groupCommit = groupCommit;
        this.offSpinningCpus = offSpinningCpus == null || offSpinningCpus.isEmpty() ? null : offSpinningCpus;
        this.errorLog = errorLog;
        this.errors = errorLog::record;
    }

    /**
     * Starts the built-in duties. In SHARED mode the added duties' thread starts even with none of its
     * own, so that added duties have a thread to join.
     *
     * @param io     the built-in duties that wait on the disk.
     * @param timely the built-in duties that never block (the scheduler).
     */
    synchronized void start(final List<Agent> io, final List<Agent> timely)
    {
        if (mode == ThreadingMode.SHARED)
        {
            if (!io.isEmpty())
            {
                final DynamicCompositeAgent ioDuties = new DynamicCompositeAgent(Engine.SHARED_IO_DUTIES_ROLE_NAME, io);
                final AgentRunner ioRunner = startRunner(ioIdleStrategy(), ioDuties, true);
                ioHost = new DutyHost(ioDuties, () -> closed || ioRunner.isClosed());
            }
            final DynamicCompositeAgent shared = new DynamicCompositeAgent(Engine.SHARED_DUTIES_ROLE_NAME, timely);
            sharedIdle = new DutyIdleStrategy(builtInIdleNs);
            final AgentRunner sharedRunner = startRunner(sharedIdle, shared, true);
            sharedHost = new DutyHost(shared, () -> closed || sharedRunner.isClosed());
        }
        else
        {
            final List<Agent> duties = new ArrayList<>(io);
            duties.addAll(timely);
            for (final Agent duty : duties)
            {
                final boolean groupCommit = "sluice-group-commit".equals(duty.roleName());
                startRunner(new SleepingIdleStrategy(groupCommit ? builtInIdleNs : 1_000_000L), duty, false);
            }
        }
    }

    /**
     * How the disk duties' shared thread idles. Without group commit nothing there waits on it (the allocator keeps
     * megabytes ahead of writers that also reserve for themselves, the checksum duty steps in 16,384 records behind, a
     * spare is asked for half a segment ahead, a checkpoint takes seconds): it sleeps its ceiling at a time. The back-off
     * from a microsecond that the other thread uses woke it some fourteen times after each step of work (an allocator
     * step every ~13 ms in the demo), each wake taking the cpu it shares, on 2 cores the load generator's sender's, for
     * tens of microseconds. With group commit it backs off as before: callers of {@code awaitDurable} wait for its force.
     */
    private IdleStrategy ioIdleStrategy()
    {
        return groupCommit ? new DutyIdleStrategy(builtInIdleNs) : new SleepingIdleStrategy(builtInIdleNs);
    }

    private AgentRunner startRunner(final IdleStrategy idle, final Agent agent, final boolean lowPriority)
    {
        final AgentRunner runner = new AgentRunner(idle, errors, null, agent);
        runners.add(runner);
        AgentRunner.startOnThread(runner, task ->
        {
            final Thread thread = new Thread(offSpinningCpus == null ? task : new OffSpinningCores(task, offSpinningCpus, errorLog));
            thread.setDaemon(true);
            if (lowPriority)
            {
                // Low priority where the OS honours it: the partition threads come first.
                thread.setPriority(Thread.MIN_PRIORITY);
            }
            return thread;
        });
        return runner;
    }

    /**
     * Adds a duty (see {@link Engine#addDuty}).
     *
     * @param duty      to run; its onStart and onClose run on the duty thread.
     * @param maxIdleNs longest the duty may wait, once idle, before its next duty cycle.
     * @return the handle that removes it.
     */
    synchronized EngineDuty add(final Agent duty, final long maxIdleNs)
    {
        if (closed)
        {
            throw new EngineException("the engine is closed: cannot add duty '" + duty.roleName() + "'");
        }
        if (mode == ThreadingMode.SHARED)
        {
            sharedIdle.lowerCeiling(maxIdleNs);
            final DutyHost.Member member = sharedHost.add(duty);
            return new EngineDuty(() -> removeShared(member), Engine.SHARED_DUTIES_ROLE_NAME);
        }
        final AgentRunner runner = startRunner(new DutyIdleStrategy(maxIdleNs), duty, false);
        return new EngineDuty(() -> remove(runner), duty.roleName());
    }

    /**
     * Adds a duty that waits on the disk (see {@link Engine#addDiskDuty}).
     *
     * @param duty to run; its onStart and onClose run on the duty thread.
     * @return the handle that removes it.
     */
    synchronized EngineDuty addDisk(final Agent duty)
    {
        if (closed)
        {
            throw new EngineException("the engine is closed: cannot add duty '" + duty.roleName() + "'");
        }
        if (ioHost != null)
        {
            final DutyHost.Member member = ioHost.add(duty);
            return new EngineDuty(() -> removeIo(member), Engine.SHARED_IO_DUTIES_ROLE_NAME);
        }
        final AgentRunner runner = startRunner(new SleepingIdleStrategy(builtInIdleNs), duty, mode == ThreadingMode.SHARED);
        return new EngineDuty(() -> remove(runner), duty.roleName());
    }

    private synchronized void removeIo(final DutyHost.Member member)
    {
        ioHost.remove(member);
    }

    /**
     * Takes one added duty off the shared thread: its onClose has run there when this returns, unless the engine
     * has already stopped every duty (which closed it then).
     */
    private synchronized void removeShared(final DutyHost.Member member)
    {
        sharedHost.remove(member);
    }

    /**
     * Stops the thread of one added duty: its onClose has run on its thread when this returns.
     */
    private synchronized void remove(final AgentRunner runner)
    {
        CloseHelper.close(runner);
        runners.remove(runner);
    }

    /**
     * Longest the shared thread idles now, for tests and reports.
     *
     * @return nanoseconds, or 0 when not SHARED.
     */
    synchronized long sharedIdleCeilingNs()
    {
        return sharedIdle == null ? 0 : sharedIdle.ceilingNs();
    }

    /**
     * Stops every duty thread; each duty's onClose runs on its thread.
     */
    @Override
    public synchronized void close()
    {
        closed = true;
        CloseHelper.quietCloseAll(runners);
        runners.clear();
    }
}
