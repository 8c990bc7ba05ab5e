package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.errors.DistinctErrorLog;

import com.lmax.disruptor.RingBuffer;

import io.sluice.engine.checkpoint.CheckpointCoordinator;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;

/**
 * The running engine: for every source topic of its pipelines, one journal topic and, per
 * partition, one Disruptor ring whose events are journaled and then run through every pipeline on
 * that topic, fused. The N partitions run on M processing threads ({@link ProcessingThreads},
 * {@link EngineContext#processingThreads(int)}), each thread giving its partitions bounded turns. The
 * topology and the mapping are fixed at {@link #launch}.
 *
 * <p>Start-up restores each partition's pipeline state from the newest checkpoint that verifies and
 * replays the journal from its offsets (from the start without one), then starts the threads.
 * {@link #close()} stops ingress, drains the rings, and closes the journal.
 *
 * <p>Threading: launch, endOfInput, drain and close from a control thread; publishers from
 * producing threads; everything else happens on the processing threads.
 */
public final class Engine implements AutoCloseable
{
    /** Suffix of the topic that receives events a DEAD_LETTER stage failed on. */
    public static final String DEAD_LETTER_SUFFIX = ".dead-letter";

    /** Name of stage {@link StageLatencyListener#RING_WAIT}. */
    public static final String STAGE_RING_WAIT = "ring-wait";

    /** Name of stage {@link StageLatencyListener#JOURNAL_APPEND}. */
    public static final String STAGE_JOURNAL_APPEND = "journal-append";

    private final EngineContext context;
    private final Journal journal;
    /** Source groups by journal topic name. */
    private final Map<String, GroupRuntime> topics = new LinkedHashMap<>();
    /** Source groups by source topic name. */
    private final Map<String, GroupRuntime> groupByTopic = new LinkedHashMap<>();
    private final List<EngineCounters.PartitionCounters> partitionCounters = new ArrayList<>();
    private final List<EngineCounters.InstanceCounters> instanceCounters = new ArrayList<>();
    /** Topic and pipeline directory entries (see {@link io.sluice.engine.counters.SluiceCounters}). */
    private final List<org.agrona.concurrent.status.AtomicCounter> directoryCounters = new ArrayList<>();
    private final DistinctErrorLog errorLog;
    private final CheckpointStore checkpointStore;
    /** The checkpoint loading beside the journal's open; joined (or abandoned) once, by the launching thread. */
    private final CheckpointPreload preload;
    /** Every partition's instances built (and restored) beside the journal's open; joined by {@link #build}. */
    private final PartitionPreparation preparation;
    /** Where the launch's time went, said in the last recovery event. */
    private final RecoveryTimings timings = new RecoveryTimings();
    private final List<String> recoveryEvents = new ArrayList<>();
    private CheckpointCoordinator checkpoints;
    /** The processing threads and which partitions run on each; built with the topology. */
    private ProcessingThreads processingThreads;
    /**
     * Role, and thread name, of the background duties that never block, run together in {@link ThreadingMode#SHARED}:
     * the scheduler and the duties added with {@link #addDuty} (the network server).
     */
    public static final String SHARED_DUTIES_ROLE_NAME = "sluice-duties";
    /**
     * Role, and thread name, of the background duties that wait on the disk, run together in {@link ThreadingMode#SHARED}:
     * the journal's (group commit's force, segment allocation, checksums, retention) and the checkpoint writer.
     */
    public static final String SHARED_IO_DUTIES_ROLE_NAME = "sluice-io";
    /**
     * How far ahead of each partition's writer the journal keeps blocks reserved and pages pre-touched under the
     * standard profile (the low-latency profile keeps the journal's default, pre-touched before the engine accepts):
     * a head start of ~75k events of 24 bytes, tens of milliseconds of appends at full speed, which the allocator
     * duty (woken at least every millisecond) keeps up as the writer moves on. The journal's 16 MiB default made
     * the duty reserve and pre-touch 16 MiB per partition right after every launch, while the first events were
     * processed: on a 2-core machine, W1 of the peer comparison (300k events, 2 partitions) spent 30 ns more CPU
     * per event on the duties' thread than with 2 MiB.
     */
    static final int STANDARD_RESERVE_AHEAD_BYTES = 4 << 20;

    /** How long {@link #close()} waits for the final checkpoint before it reports it failed. */
    private static final long FINAL_CHECKPOINT_TIMEOUT_SECONDS = 60;

    /** The background duties (scheduler, checkpoint writer, journal duties, added ones), per the threading mode. */
    private volatile EngineDuties duties;
    private volatile boolean accepting;
    /** Whether a checkpoint barrier waits for room in a full ring; see {@link #startCheckpoint()}. */
    private volatile boolean barriersPending;
    private String profileReport;
    /** The checkpoint the partitions' instances were restored from by {@link #preparation}, or null. */
    private CheckpointStore.LoadedCheckpoint restoredByPreparation;
    private volatile boolean closed;
    private volatile boolean finalCheckpointAttempted;
    private volatile CheckpointManifest finalCheckpoint;
    private volatile Throwable finalCheckpointFailure;

    private Engine(final EngineContext context, final List<SourceGroups.Plan> plans)
    {
        this.context = context;
        this.errorLog = new DistinctErrorLog(context.errorLogBuffer(), context.clock());
        this.checkpointStore = context.checkpoints() ?
            new CheckpointStore(context.directory().resolve("checkpoints"), context.checkpointsRetained(), context.checkpointFaults()) : null;
        // The checkpoint loads and verifies while the journal opens: a restart waits for the longer, not the sum.
        this.preload = checkpointStore == null ? null : new CheckpointPreload(checkpointStore, context.restoreCheckpointAtMost());
        // So do the partitions' instances: built, then restored once the checkpoint is loaded, on recovering threads.
        this.preparation = new PartitionPreparation(plans, context.partitions(), errorLog, preload, timings);
        final long start = System.nanoTime();
        final long cpu = RecoveryTimings.threadCpuNanos();
        try
        {
            this.journal = Journal.open(new JournalContext()
                .directory(context.directory().resolve("journal"))
                .segmentLength(context.journalSegmentLength())
                .groupCommit(context.groupCommit())
                .externalDuties(true)
                .reserveAheadBytes(context.journalReserveAheadBytes(context.profile() == EngineProfile.LOW_LATENCY))
                // The low-latency profile pays the first stretch of each partition's page faults before accepting.
                .pretouchOnOpen(context.profile() == EngineProfile.LOW_LATENCY)
                // Runs of live events are written with one pwrite each, those of an event or two stored through the mapping.
                .stagedWrites(context.journalWritesStaged())
                .stagedSmallRunRecords(EngineContext.Configuration.journalStagedSmallRunRecords())
                .retentionBytes(context.journalRetentionBytes())
                .retentionMillis(context.journalRetentionMillis()));
        }
        catch (final RuntimeException | Error ex)
        {
            preparation.close();
            if (preload != null)
            {
                preload.abandon();
            }
            throw ex;
        }
        timings.journalOpened(System.nanoTime() - start, cpu);
    }

    /**
     * Builds the topology for the pipelines, replays the journal, and starts the partition threads.
     *
     * @param context   settings; concluded if it was not.
     * @param pipelines to run; pipelines sharing a source topic must agree on its schema, key and time.
     * @return the running engine.
     * @throws EngineException naming the pipelines and what is inconsistent.
     */
    public static Engine launch(final EngineContext context, final List<Pipeline> pipelines)
    {
        if (!context.isConcluded())
        {
            context.conclude();
        }
        if (pipelines.isEmpty())
        {
            throw new EngineException("no pipelines to run");
        }
        final List<SourceGroups.Plan> plans = SourceGroups.plan(pipelines);
        final String profileReport = applyProfile(context, plans);
        final long start = System.nanoTime();
        final Engine engine = new Engine(context, plans);
        engine.profileReport = profileReport;
        try
        {
            long phase = System.nanoTime();
            final long buildCpu = RecoveryTimings.threadCpuNanos();
            engine.build(plans);
            engine.timings.built(System.nanoTime() - phase, buildCpu);
            engine.recover();
            phase = System.nanoTime();
            engine.warmUp(plans);
            engine.start();
            engine.timings.started(System.nanoTime() - phase);
            engine.recoveryEvents.add(engine.timings.describe(System.nanoTime() - start));
        }
        catch (final RuntimeException ex)
        {
            engine.close();
            throw ex;
        }
        return engine;
    }

    /**
     * Resolves {@link EngineProfile#LOW_LATENCY} against this machine before anything is built (the
     * processing threads take their idle strategy at construction): every processing thread spinning,
     * each on a core of its own when there are enough (see {@link LowLatencyPlan}).
     *
     * @return the one line that says what the profile does here, null under STANDARD.
     */
    private static String applyProfile(final EngineContext context, final List<SourceGroups.Plan> plans)
    {
        if (context.profile() != EngineProfile.LOW_LATENCY)
        {
            return null;
        }
        // As many processing threads as ProcessingThreads will start: M, never more than the N partitions.
        final int threads = Math.min(context.processingThreads(), plans.size() * context.partitions());
        final LowLatencyPlan plan = LowLatencyPlan.decide(threads, CoreBudget.ofThisMachine(),
            context.warmUpEvents());
        context.waitStrategy(plan.waitStrategy()).pinThreads(plan.pin());
        return plan.line() + (context.journalWritesStaged() ? "; journal writes staged (a pwrite per turn)" :
            "; journal writes mapped (no pwrite per event at low rates; docs/journal.md, Staged writes)");
    }

    /**
     * How many partitions (of every source group) an engine launched with these settings and pipelines
     * runs: the most processing threads it can start (the demo's layout budgets cores for that many).
     * The engine starts {@code min(M, N)} of them, M being {@link EngineContext#processingThreads(int)}.
     *
     * @param context   settings (need not be concluded).
     * @param pipelines as they would be launched.
     * @return the number of partitions, N.
     * @throws EngineException if the pipelines are inconsistent (as {@link #launch} would).
     */
    public static int processingThreadCount(final EngineContext context, final List<Pipeline> pipelines)
    {
        return SourceGroups.plan(pipelines).size() * context.partitions();
    }

    /**
     * Warms the JIT up on the pipelines' code (see {@link EngineWarmUp}) when the context asks for it, then,
     * if {@code sluice.engine.warm.up.jit.settle.ms} is set, lets the JIT compile what it warmed ({@link EngineWarmUp#settle}),
     * saying how that went in the profile's line;
     * a failure of the warm-up is recorded and does not stop the launch.
     */
    private void warmUp(final List<SourceGroups.Plan> plans)
    {
        if (context.warmUpEvents() > 0)
        {
            try
            {
                EngineWarmUp.run(plans, context.warmUpEvents(), context.checkpointSliceRows(), errorLog);
                if (EngineWarmUp.JIT_SETTLE_MS > 0)
                {
                    final EngineWarmUp.Settled settled = EngineWarmUp.settle(plans, context.warmUpEvents(), context.checkpointSliceRows(),
                        errorLog, EngineWarmUp.JIT_SETTLE_MS, CompileQueue.ofThisJvm());
                    profileReport = profileReport == null ? null : profileReport + "; " + settled.describe();
                }
            }
            catch (final RuntimeException ex)
            {
                errorLog.record(ex);
            }
        }
    }

    /**
     * What the engine's profile did on this machine, in one line: under {@link EngineProfile#LOW_LATENCY}
     * the layout of the processing threads and the cores they have, or, when the machine cannot honour
     * the profile, why and what the engine does instead. For the embedding application to log at start.
     *
     * @return the line, or null under {@link EngineProfile#STANDARD}.
     */
    public String profileReport()
    {
        return profileReport;
    }

    private void build(final List<SourceGroups.Plan> plans)
    {
        restoredByPreparation = preparation.join();
        processingThreads = new ProcessingThreads(context, plans.size() * context.partitions(), errorLog);
        final GroupBuilder builder = new GroupBuilder(context, journal, errorLog, partitionCounters, instanceCounters, processingThreads);
        int firstStage = StageLatencyListener.FIRST_PIPELINE;
        int topicId = 0;
        for (final SourceGroups.Plan plan : plans)
        {
            final GroupRuntime group;
            try
            {
                directoryCounters.add(EngineCounters.topicEntry(context.countersManager(), plan.name(), topicId, context.partitions()));
                for (int i = 0; i < plan.pipelines().size(); i++)
                {
                    directoryCounters.add(EngineCounters.pipelineEntry(
                        context.countersManager(), plan.pipelines().get(i).name(), topicId, firstStage - StageLatencyListener.FIRST_PIPELINE + i));
                }
                group = builder.build(plan, topicId, firstStage, preparation);
            }
            catch (final IllegalStateException ex)
            {
                throw new EngineException("cannot allocate the counters of group '" + plan.name() + "' (" + plan.pipelines().size() +
                    " pipelines x " + context.partitions() + " partitions): " + ex.getMessage() +
                    "; give the engine a larger CountersManager (EngineContext.countersManager)", ex);
            }
            firstStage += plan.pipelines().size();
            topicId++;
            topics.put(plan.name(), group);
            for (final SourceGroups.Binding binding : plan.sources())
            {
                groupByTopic.put(binding.topic(), group);
            }
        }
    }

    /**
     * Event-sourced recovery (see {@link EngineRecovery}), then the checkpoint coordinator, which
     * continues the checkpoint ids and knows the last complete checkpoint.
     */
    private void recover()
    {
        // What the journal repaired on open (torn tails truncated, indexes rebuilt) is part of recovery too.
        for (final io.sluice.journal.RecoveryEvent event : journal.recoveryEvents())
        {
            recoveryEvents.add("journal: " + event);
        }
        final CheckpointStore.LoadedCheckpoint loaded = preload == null ? null : preload.join(recoveryEvents);
        if (preload != null)
        {
            timings.checkpointLoaded(preload.nanos(), preload.cpuNanos());
        }
        final CheckpointManifest restored = EngineRecovery.recover(topics.values(), loaded, restoredByPreparation,
            preparation.misfit(), recoveryEvents, timings);
        if (preload != null)
        {
            preload.abandon(); // restored: the loaded state blobs can go
        }
        if (checkpointStore != null)
        {
            int partitions = 0;
            for (final GroupRuntime group : topics.values())
            {
                partitions += group.partitions.length;
            }
            checkpoints = new CheckpointCoordinator(checkpointStore, context.clock(), partitions, restored);
            checkpoints.listenerErrors(errorLog::record);
            for (final GroupRuntime group : topics.values())
            {
                for (final PartitionRuntime runtime : group.partitions)
                {
                    runtime.handler.checkpoints(checkpoints);
                }
            }
        }
    }

    private void start()
    {
        // Every topic may need a tick: one whose pipelines ask for them (idle timeouts, processing time) at
        // every interval, any other when a partition went quiet with results still to emit (publishTicks).
        final boolean ticks = !topics.isEmpty();
        processingThreads.start();
        accepting = true;
        // Duties that wait on the disk (a force, a checkpoint's files) apart from those that must run on
        // time: on a busy disk a force can take seconds, and the network server's Aeron client dies when
        // its conductor is not invoked for ten.
        final List<Agent> io = new ArrayList<>(journal.duties());
        if (checkpoints != null)
        {
            io.add(checkpoints.agent());
        }
        final List<Agent> timely = new ArrayList<>();
        final boolean periodicCheckpoints = checkpoints != null && context.checkpointIntervalMillis() > 0;
        final boolean retention = context.journalRetentionBytes() > 0 || context.journalRetentionMillis() > 0;
        if ((ticks && context.tickIntervalMillis() > 0) || checkpoints != null || retention)
        {
            final boolean tickTopics = ticks && context.tickIntervalMillis() > 0;
            timely.add(new EngineSchedulerAgent(
                () -> accepting,
                tickTopics ? context.tickIntervalMillis() : 0, this::publishTicks,
                periodicCheckpoints ? context.checkpointIntervalMillis() : 0, this::startCheckpoint,
                retention ? context.retentionIntervalMillis() : 0, this::enforceRetention,
                this::publishPendingBarriers,
                errorLog));
        }
        startDuties(io, timely);
    }

    /**
     * Longest an idle built-in duties thread sleeps while the processing threads busy-spin (and so do
     * their journal's checksums and reservations themselves, between events): nothing the built-in duties
     * still do then needs answering within a millisecond (ticks every 100 ms by default, the journal's
     * checksum and allocator duties only step in for a writer that falls behind, with tens of
     * milliseconds of slack at 1M events/s), and each wake-up takes a core from whatever runs there: on
     * 2 cores, the producer. Group commit and added duties (the network server) lower it as before.
     */
    static final long BUSY_SPIN_DUTY_IDLE_NS = 10_000_000L;
    /** Longest an idle built-in duties thread sleeps otherwise. */
    static final long DUTY_IDLE_NS = 1_000_000L;

    /**
     * Runs the background duties in the context's threading mode ({@link EngineDuties}). Group commit,
     * when on, sets how briefly an idle duties thread sleeps; the other duties are content with a
     * millisecond, or with {@link #BUSY_SPIN_DUTY_IDLE_NS} while the processing threads busy-spin.
     */
    private void startDuties(final List<Agent> io, final List<Agent> timely)
    {
        final long idleNs = context.groupCommit() ? Journal.groupCommitIdleNs(new JournalContext()) :
            context.waitStrategy() == WaitStrategyKind.BUSY_SPIN ? BUSY_SPIN_DUTY_IDLE_NS : DUTY_IDLE_NS;
        // Low-latency with pinned processing threads: keep the duties off the cores they spin on.
        final java.util.BitSet dutyCpus = context.profile() == EngineProfile.LOW_LATENCY && context.pinThreads() ?
            CoreBudget.ofThisMachine().others() : null;
        this.duties = new EngineDuties(context.threadingMode(), idleNs, context.groupCommit(), dutyCpus, errorLog);
        this.duties.start(io, timely);
    }

    /**
     * Longest the shared duties thread idles now (see {@link #BUSY_SPIN_DUTY_IDLE_NS}), for tests.
     *
     * @return nanoseconds, or 0 when the duties are not SHARED.
     */
    long sharedDutiesIdleCeilingNs()
    {
        return duties.sharedIdleCeilingNs();
    }

    /**
     * Runs an agent as one of the engine's background duties, in the engine's threading mode: on the
     * shared low-priority duties thread ({@link ThreadingMode#SHARED}) or on a thread of its own
     * ({@link ThreadingMode#DEDICATED}), off the spinning cores under a pinned low-latency profile. For
     * components that live beside the engine and must not take a core of their own, such as the network
     * server. The duty's {@code onStart} and {@code onClose} run on its thread; {@link #close()} stops it
     * after the final checkpoint if its handle has not.
     *
     * <p>Idle: the thread waits with a few yields, then parks doubling from a microsecond up to
     * {@code maxIdleNs} (in SHARED mode the shared thread's ceiling is lowered to the most demanding
     * duty's), so an idle duty costs little CPU and answers within about {@code maxIdleNs}.
     *
     * @param duty      to run: a duty cycle that returns its work count, never blocking.
     * @param maxIdleNs longest the duty may wait, once idle, before its next duty cycle.
     * @return the handle that stops it.
     * @throws EngineException if the engine is closed or the duties thread does not take the duty.
     */
    public EngineDuty addDuty(final Agent duty, final long maxIdleNs)
    {
        if (duties == null || closed)
        {
            throw new EngineException("the engine is not running: cannot add duty '" + duty.roleName() + "'");
        }
        return duties.add(duty, maxIdleNs);
    }

    /**
     * Runs an agent that waits on the disk as one of the engine's disk duties: in {@link ThreadingMode#SHARED} on
     * the low-priority thread of the journal's force, segment allocation and the checkpoint writer
     * ({@link #SHARED_IO_DUTIES_ROLE_NAME}), never on the thread of the duties added with {@link #addDuty} (the
     * network server, whose Aeron client dies when its conductor is not invoked for ten seconds); in
     * {@link ThreadingMode#DEDICATED} on a thread of its own. For a component's writes that must not hold up its
     * timely duty, such as the consumer groups' offsets files. Idle, it waits as the disk duties do (up to a
     * millisecond, ten while the processing threads busy-spin). Its {@code onStart} and {@code onClose} run on its
     * thread; {@link #close()} stops it after the final checkpoint if its handle has not.
     *
     * @param duty to run: a duty cycle that returns its work count; it may block on the disk.
     * @return the handle that stops it.
     * @throws EngineException if the engine is not running or the thread does not take the duty.
     */
    public EngineDuty addDiskDuty(final Agent duty)
    {
        if (duties == null || closed)
        {
            throw new EngineException("the engine is not running: cannot add duty '" + duty.roleName() + "'");
        }
        return duties.addDisk(duty);
    }

    /**
     * Runs an agent on the first processing thread ({@code sluice-processing-0}), after its partitions' turns,
     * every turn: for a component that feeds the partitions and answers from their progress, such as the
     * network ingress (events in, ACKs out) and egress (results out), so that neither direction waits for
     * another thread to wake up. The duty shares that thread's time and its wait strategy: it must return
     * quickly, never block and never yield (bounded work per call), and it runs as often as the thread turns:
     * continuously under {@code busy_spin} and {@code yield}, at least every park under {@code sleep}. Its
     * {@code onStart} and {@code onClose} run on that thread; {@link #close()} stops it with the processing
     * threads, after the final checkpoint.
     *
     * @param duty to run.
     * @return the handle that stops it.
     * @throws EngineException if the engine is not running, or its processing threads wait with
     *                         {@link WaitStrategyKind#BLOCK} (woken only by events: the duty would not run while
     *                         they wait), or the thread does not take the duty.
     */
    public EngineDuty addProcessingDuty(final Agent duty)
    {
        if (processingThreads == null || closed)
        {
            throw new EngineException("the engine is not running: cannot add duty '" + duty.roleName() + "' to a processing thread");
        }
        if (context.waitStrategy() == WaitStrategyKind.BLOCK)
        {
            throw new EngineException("cannot run duty '" + duty.roleName() + "' on a processing thread: they wait with " +
                "wait_strategy: block, woken only by events, so the duty would not run while they wait (use yield, busy_spin or sleep)");
        }
        final DutyHost host = processingThreads.dutyHost(0);
        final DutyHost.Member member = host.add(duty);
        return new EngineDuty(() -> host.remove(member), ProcessingAgent.ROLE_NAME_PREFIX + 0);
    }

    private void publishTicks()
    {
        final long now = context.clock().time();
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                // A partition whose journal did not move for a whole interval while results were still
                // pending in slices (a window firing, an interval join's eviction) would otherwise hold them
                // until its next event: this tick emits a slice and the partition thread queues continuation
                // ticks behind it for the rest. Only a drained one gets such a tick: at most one is ever
                // waiting in a paused partition's ring.
                final long journalEnd = runtime.handler.publishedJournalEnd();
                final boolean quietWithResultsPending = runtime.handler.resultsPending() &&
                    journalEnd == runtime.journalEndAtLastTickRound && runtime.drained();
                runtime.journalEndAtLastTickRound = journalEnd;
                if (accepting && (topic.needsTicks || quietWithResultsPending))
                {
                    // A full ring is busy: its events carry time on, and the next round ticks again.
                    runtime.tryPublishControl(RingSlot.TICK, now);
                }
            }
        }
    }

    /**
     * Starts a checkpoint now: a barrier enters every partition ring behind the events already
     * published; each partition copies its state at the barrier and goes on; the checkpoint thread
     * writes the copies and then the manifest.
     *
     * @return completes with the manifest once the checkpoint is complete on disk.
     * @throws EngineException if checkpointing is off.
     */
    public java.util.concurrent.CompletableFuture<CheckpointManifest> checkpoint()
    {
        if (checkpoints == null)
        {
            throw new EngineException("checkpoints are disabled in this engine's context");
        }
        checkAccepting();
        return startCheckpoint();
    }

    /**
     * Begins a checkpoint and puts its barrier in every ring that has room; a full ring (a paused
     * partition, or one far behind) gets it from {@link #publishPendingBarriers()} on a later scheduler
     * cycle. Neither the scheduler's thread nor a control call (JMX, ctl, the dashboard) ever waits on a
     * partition: the checkpoint completes once every partition has passed its barrier.
     */
    private synchronized java.util.concurrent.CompletableFuture<CheckpointManifest> startCheckpoint()
    {
        final CheckpointCoordinator.Started started = checkpoints.begin();
        if (started.id() >= 0)
        {
            for (final GroupRuntime topic : topics.values())
            {
                for (final PartitionRuntime runtime : topic.partitions)
                {
                    if (!runtime.tryPublishControl(RingSlot.BARRIER, started.id()))
                    {
                        runtime.pendingBarrier = started.id();
                        barriersPending = true;
                    }
                }
            }
        }
        return started.future();
    }

    /** Retries the barriers full rings could not take; the scheduler's every cycle, cheap when none wait. */
    private void publishPendingBarriers()
    {
        if (barriersPending)
        {
            retryPendingBarriers();
        }
    }

    private synchronized void retryPendingBarriers()
    {
        boolean stillPending = false;
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                if (runtime.pendingBarrier >= 0)
                {
                    if (runtime.tryPublishControl(RingSlot.BARRIER, runtime.pendingBarrier))
                    {
                        runtime.pendingBarrier = -1;
                    }
                    else
                    {
                        stillPending = true;
                    }
                }
            }
        }
        barriersPending = stillPending;
    }

    /**
     * The checkpoint {@link #close()} took, if it completed: a caller reports a final checkpoint only
     * from this, never from {@link CheckpointCoordinator#lastCompleted()}, which may be an older one.
     *
     * @return the final checkpoint's manifest, or null if none was taken or it did not complete.
     */
    public CheckpointManifest finalCheckpoint()
    {
        return finalCheckpoint;
    }

    /**
     * Why the final checkpoint at {@link #close()} did not complete.
     *
     * @return the failure, or null if it completed or was not attempted.
     */
    public Throwable finalCheckpointFailure()
    {
        return finalCheckpointFailure;
    }

    /**
     * Whether {@link #close()} attempted a final checkpoint (it does when checkpoints are on, the rings
     * drained and every partition was running).
     *
     * @return true if attempted.
     */
    public boolean finalCheckpointAttempted()
    {
        return finalCheckpointAttempted;
    }

    /**
     * What recovery found and did at launch (checkpoint loaded or rejected, records replayed), the last
     * saying where the launch's time went (journal open, checkpoint load, restore, replay).
     *
     * @return the recovery events.
     */
    public List<String> recoveryEvents()
    {
        return List.copyOf(recoveryEvents);
    }

    /**
     * The checkpoint coordinator (counts, last checkpoint, pause histogram), or null when off.
     *
     * @return the coordinator or null.
     */
    public CheckpointCoordinator checkpoints()
    {
        return checkpoints;
    }

    /**
     * Applies the journal's retention by size and age, never deleting what a retained checkpoint
     * (or, without one, a full replay) still needs.
     *
     * @return segments deleted.
     */
    public int enforceRetention()
    {
        final long now = context.clock().time();
        int deleted = 0;
        for (final GroupRuntime topic : topics.values())
        {
            for (int p = 0; p < topic.partitions.length; p++)
            {
                final long keepFrom = checkpointStore == null ? 0 : checkpointStore.retainFrom(topic.name, p);
                deleted += topic.journalTopic.partition(p).enforceRetention(now, keepFrom);
            }
        }
        return deleted;
    }

    /**
     * A publisher for a source topic, for one producing thread.
     *
     * @param topic source topic of some pipeline.
     * @return a new publisher.
     */
    public EventPublisher publisher(final String topic)
    {
        final GroupRuntime runtime = topicRuntime(topic);
        @SuppressWarnings({"unchecked", "rawtypes"})
        final RingBuffer<RingSlot>[] rings = new RingBuffer[runtime.partitions.length];
        final PartitionProcessor[] processors = new PartitionProcessor[rings.length];
        for (int p = 0; p < rings.length; p++)
        {
            rings[p] = runtime.partitions[p].ring;
            processors[p] = runtime.partitions[p].handler;
        }
        final SourceGroups.Binding binding = runtime.binding(topic);
        return new EventPublisher(this, runtime, topic, binding.source().schema(), rings, processors, binding.source().partitionKeyField(),
            binding.source().eventTimeField(), context.clock(), binding.index());
    }

    /**
     * A publisher for an external source (Kafka, a change stream) feeding a source topic: the source
     * picks the partition and journals its own position with each event, and learns after a restart
     * where to resume ({@link ExternalSourcePublisher#position(int)}). The hook is described in
     * {@link io.sluice.engine.checkpoint.SourcePositions}.
     *
     * @param topic source topic of some pipeline.
     * @return a new publisher, for one producing thread.
     * @throws EngineException if no pipeline reads the topic, or its events plus the 8-byte position
     *                         do not fit the engine's maxEventLength.
     */
    public ExternalSourcePublisher externalSource(final String topic)
    {
        final GroupRuntime runtime = topicRuntime(topic);
        final SourceGroups.Binding binding = runtime.binding(topic);
        final int length = binding.source().schema().length() + SourcePositionDescriptor.POSITION_LENGTH;
        if (length > context.maxEventLength())
        {
            throw new EngineException("events of topic '" + topic + "' are " + binding.source().schema().length() +
                " bytes; with their 8-byte source position they exceed the engine's maxEventLength " + context.maxEventLength());
        }
        if (binding.index() > SourcePositionDescriptor.SOURCE_MASK)
        {
            throw new EngineException("topic '" + topic + "' is source " + binding.index() + " of its group, more than " +
                SourcePositionDescriptor.SOURCE_MASK + " sources cannot carry positions");
        }
        return new ExternalSourcePublisher(this, topic, binding.source().schema(), runtime.partitions,
            binding.source().partitionKeyField(), binding.source().eventTimeField(), context.clock(), binding.index(), runtime.name);
    }

    /**
     * Adds a listener told of every checkpoint completed from now on (see
     * {@link io.sluice.engine.checkpoint.CheckpointListener}); a listener's exception goes to the error log.
     *
     * @param listener to add, from any thread.
     * @throws EngineException if checkpoints are disabled in this engine's context.
     */
    public void addCheckpointListener(final io.sluice.engine.checkpoint.CheckpointListener listener)
    {
        if (checkpoints == null)
        {
            throw new EngineException("checkpoints are disabled in this engine's context: no checkpoint will ever complete");
        }
        checkpoints.addListener(listener);
    }

    /**
     * Removes a listener added with {@link #addCheckpointListener}.
     *
     * @param listener to remove, from any thread.
     */
    public void removeCheckpointListener(final io.sluice.engine.checkpoint.CheckpointListener listener)
    {
        if (checkpoints != null)
        {
            checkpoints.removeListener(listener);
        }
    }

    /**
     * A micro-batching publisher for a source topic, for one producing thread (see
     * {@link BatchingPublisher} for the latency/throughput trade-off).
     *
     * @param topic     source topic of some pipeline.
     * @param batchSize events per batch, 1 to the ring size.
     * @return a new publisher.
     */
    public BatchingPublisher batchingPublisher(final String topic, final int batchSize)
    {
        final GroupRuntime runtime = topicRuntime(topic);
        @SuppressWarnings({"unchecked", "rawtypes"})
        final RingBuffer<RingSlot>[] rings = new RingBuffer[runtime.partitions.length];
        final PartitionProcessor[] processors = new PartitionProcessor[rings.length];
        for (int p = 0; p < rings.length; p++)
        {
            rings[p] = runtime.partitions[p].ring;
            processors[p] = runtime.partitions[p].handler;
        }
        final SourceGroups.Binding binding = runtime.binding(topic);
        return new BatchingPublisher(this, runtime, topic, binding.source().schema(), rings, processors, binding.source().partitionKeyField(),
            binding.source().eventTimeField(), context.clock(), binding.index(), batchSize);
    }

    /**
     * Ends a bounded input on every partition of a topic's source group: the end is journaled and
     * every open window and pending result is emitted. Idempotent per group: the topics of a join
     * end together, at the first call for any of them, and later calls for the group do nothing.
     * From then on publishing to a topic of the group is refused with an {@link EngineException}
     * (an event after the end could only be late).
     *
     * @param topic whose input ended.
     */
    public void endOfInput(final String topic)
    {
        checkAccepting();
        final GroupRuntime group = topicRuntime(topic);
        if (!group.endInput())
        {
            return;
        }
        final long now = context.clock().time();
        for (final PartitionRuntime runtime : group.partitions)
        {
            runtime.publishControl(RingSlot.END_OF_INPUT, now);
        }
    }

    /**
     * Waits until every ring has been consumed.
     *
     * @param timeout  longest wait.
     * @param unit     of the timeout.
     * @return true if drained in time.
     */
    public boolean drain(final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                while (!runtime.drained() && processing(runtime))
                {
                    if (runtime.handler.refusal() != null)
                    {
                        return false; // DEGRADED or FAILED: its ring will not drain now
                    }
                    if (System.nanoTime() > deadline)
                    {
                        return false;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            }
        }
        return true;
    }

    /**
     * The description of a running pipeline (its name, sources, stages): the immutable DSL object it was
     * launched from, never its per-partition runtime, so readers on other threads (JMX, status) touch no
     * single-writer state.
     *
     * @param name of the pipeline.
     * @return the pipeline's description.
     * @throws IllegalArgumentException if no pipeline has that name.
     */
    public Pipeline pipeline(final String name)
    {
        for (final GroupRuntime topic : topics.values())
        {
            for (final PipelineInstance instance : topic.partitions[0].handler.instances())
            {
                if (instance.pipeline().name().equals(name))
                {
                    return instance.pipeline();
                }
            }
        }
        throw new IllegalArgumentException("no pipeline named '" + name + "' (pipelines: " + pipelineNames() + ")");
    }

    /**
     * The pipeline instances of a pipeline, one per partition, for tests. Their counters may be read from
     * any thread; anything else only on the partition's thread. Readers outside the engine use
     * {@link #pipeline(String)} and the counters.
     *
     * @param pipeline name.
     * @return the instances in partition order.
     */
    public List<PipelineInstance> instances(final String pipeline)
    {
        final List<PipelineInstance> found = new ArrayList<>();
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                for (final PipelineInstance instance : runtime.handler.instances())
                {
                    if (instance.pipeline().name().equals(pipeline))
                    {
                        found.add(instance);
                    }
                }
            }
        }
        return found;
    }

    /**
     * Pauses the partitions of a pipeline's source topic: they stop taking events (every pipeline on
     * that topic pauses with it, being fused in the same partitions), the rings fill and producers feel
     * back-pressure. Nothing is dropped. Other partitions on the same processing threads go on.
     *
     * @param pipeline name.
     */
    public void pause(final String pipeline)
    {
        for (final PartitionRuntime runtime : topicRuntime(sourceTopicOf(pipeline)).partitions)
        {
            runtime.handler.paused(true);
            runtime.wake();
        }
    }

    /**
     * Resumes what {@link #pause} paused.
     *
     * @param pipeline name.
     */
    public void resume(final String pipeline)
    {
        for (final PartitionRuntime runtime : topicRuntime(sourceTopicOf(pipeline)).partitions)
        {
            runtime.handler.paused(false);
        }
    }

    /**
     * Whether a pipeline's partitions are paused.
     *
     * @param pipeline name.
     * @return true if paused.
     */
    public boolean isPaused(final String pipeline)
    {
        return topicRuntime(sourceTopicOf(pipeline)).partitions[0].handler.paused();
    }

    /**
     * Re-runs a pipeline over its journal from an offset (the same offset in every partition,
     * clamped to what each retains): its window and join state is reset and recomputed from there,
     * and its outputs are emitted again, numbered on from its current sequence. The request is
     * journaled, so recovery repeats it at the same point. Other pipelines are unaffected.
     *
     * @param pipeline   name.
     * @param fromOffset journal offset to re-run from.
     */
    public void replay(final String pipeline, final long fromOffset)
    {
        publishReplay(pipeline, PartitionProcessor.REPLAY_FROM_OFFSET, fromOffset);
    }

    /**
     * Re-runs a pipeline over its journal from the first record at or after a time, in every
     * partition (see {@link #replay(String, long)}).
     *
     * @param pipeline  name.
     * @param timestamp record timestamp to re-run from.
     */
    public void replayFromTime(final String pipeline, final long timestamp)
    {
        publishReplay(pipeline, PartitionProcessor.REPLAY_FROM_TIME, timestamp);
    }

    private void publishReplay(final String pipeline, final int mode, final long value)
    {
        checkAccepting();
        final GroupRuntime group = topicRuntime(sourceTopicOf(pipeline));
        final PipelineInstance[] instances = group.partitions[0].handler.instances();
        int index = -1;
        for (int i = 0; i < instances.length; i++)
        {
            if (instances[i].pipeline().name().equals(pipeline))
            {
                index = i;
            }
        }
        final long now = context.clock().time();
        for (final PartitionRuntime runtime : group.partitions)
        {
            runtime.publishReplay(index, mode, value, now);
        }
    }

    /**
     * Names of the running pipelines, in launch order.
     *
     * @return pipeline names.
     */
    public List<String> pipelineNames()
    {
        final List<String> names = new ArrayList<>();
        for (final GroupRuntime topic : topics.values())
        {
            for (final PipelineInstance instance : topic.partitions[0].handler.instances())
            {
                names.add(instance.pipeline().name());
            }
        }
        return names;
    }

    /**
     * Names of the stages {@link StageLatencyListener} reports, indexed by stage id: "ring-wait",
     * "journal-append", then the pipelines in {@link #pipelineNames()} order.
     *
     * @return stage names by id.
     */
    public List<String> stageNames()
    {
        final List<String> names = new ArrayList<>();
        names.add(STAGE_RING_WAIT);
        names.add(STAGE_JOURNAL_APPEND);
        names.addAll(pipelineNames());
        return names;
    }

    /**
     * Names of the stages {@link StageLatencyListener} reports for an engine launched with these
     * pipelines, by stage id, known before launch (to size and label recorders): as {@link #stageNames()}.
     *
     * @param pipelines as they will be passed to {@link #launch}.
     * @return stage names by id.
     * @throws EngineException if the pipelines are inconsistent (as {@link #launch} would).
     */
    public static List<String> stageNames(final List<Pipeline> pipelines)
    {
        final List<String> names = new ArrayList<>();
        names.add(STAGE_RING_WAIT);
        names.add(STAGE_JOURNAL_APPEND);
        for (final SourceGroups.Plan plan : SourceGroups.plan(pipelines))
        {
            for (final Pipeline pipeline : plan.pipelines())
            {
                names.add(pipeline.name());
            }
        }
        return names;
    }

    /**
     * Names of the source topics.
     *
     * @return topic names.
     */
    public List<String> topicNames()
    {
        return List.copyOf(groupByTopic.keySet());
    }

    /**
     * The journal topic a source topic's events are journaled to: the topic itself, or for topics that
     * meet in a join, the group's topic (their names joined with '.'), where each record's flags give
     * the index of its source topic among the group's topics sorted by name.
     *
     * @param topic source topic.
     * @return the journal topic's name.
     */
    public String journalTopicOf(final String topic)
    {
        return topicRuntime(topic).name;
    }

    /**
     * The highest ring sequence a partition thread has finished with: every event published at or
     * below it is journaled and processed (see {@link EventPublisher#lastSequence()}).
     *
     * @param topic     source topic.
     * @param partition number.
     * @return the processed ring sequence, -1 before the first.
     */
    public long processedSequence(final String topic, final int partition)
    {
        return topicRuntime(topic).partitions[partition].agent.sequence().get();
    }

    /**
     * Which partitions run on which processing thread: each thread's name ({@code sluice-processing-<i>})
     * to its partitions ({@code journalTopic/partition}) in the order it gives them turns.
     *
     * @return the mapping, unmodifiable, in thread order.
     */
    public Map<String, List<String>> processingThreads()
    {
        return processingThreads.mapping();
    }

    /**
     * The mapping of {@link #processingThreads()} on one line, for start-up logs and status:
     * {@code sluice-processing-0 [trades/0 trades/2], sluice-processing-1 [trades/1 trades/3]}.
     *
     * @return the mapping as text.
     */
    public String processingThreadsText()
    {
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<String, List<String>> thread : processingThreads().entrySet())
        {
            text.append(text.length() == 0 ? "" : ", ").append(thread.getKey()).append(" [")
                .append(String.join(" ", thread.getValue())).append(']');
        }
        return text.toString();
    }

    /**
     * Number of partitions of every source topic.
     *
     * @return the partition count.
     */
    public int partitionCount()
    {
        return context.partitions();
    }

    private String sourceTopicOf(final String pipeline)
    {
        for (final GroupRuntime topic : topics.values())
        {
            for (final PipelineInstance instance : topic.partitions[0].handler.instances())
            {
                if (instance.pipeline().name().equals(pipeline))
                {
                    return instance.pipeline().sourceTopic();
                }
            }
        }
        throw new EngineException("no pipeline '" + pipeline + "' (pipelines: " + pipelineNames() + ")");
    }

    /**
     * The failure that stopped a partition thread (a journal error), or null while it runs.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @return the failure or null.
     */
    public Throwable partitionFailure(final String topic, final int partition)
    {
        return topicRuntime(topic).partitions[partition].handler.failure();
    }

    /**
     * The engine's journal.
     *
     * @return the journal.
     */
    public Journal journal()
    {
        return journal;
    }

    /**
     * The engine's settings.
     *
     * @return the context.
     */
    public EngineContext context()
    {
        return context;
    }

    /**
     * The distinct error log of stage and journal failures.
     *
     * @return the error log.
     */
    public DistinctErrorLog errorLog()
    {
        return errorLog;
    }

    /**
     * Whether publishers stamp each event with the clock at ingest: only when a latency listener
     * (ingest or stage) will read the stamp, so that publishing reads no clock per event otherwise.
     *
     * @return true if a latency listener is set.
     */
    boolean stampsIngest()
    {
        return context.latencyListener() != null || context.stageLatencyListener() != null;
    }

    /**
     * The processors of a source topic's partitions, by partition (for tests of the processing thread's work).
     *
     * @param topic source topic of some pipeline.
     * @return the processors.
     */
    PartitionProcessor[] processors(final String topic)
    {
        final GroupRuntime runtime = topicRuntime(topic);
        final PartitionProcessor[] processors = new PartitionProcessor[runtime.partitions.length];
        for (int p = 0; p < processors.length; p++)
        {
            processors[p] = runtime.partitions[p].handler;
        }
        return processors;
    }

    void checkAccepting()
    {
        if (!accepting)
        {
            throw new EngineException(closed ? "the engine is closed" : "the engine is not accepting input");
        }
    }

    private GroupRuntime topicRuntime(final String topic)
    {
        final GroupRuntime runtime = groupByTopic.get(topic);
        if (runtime == null)
        {
            throw new EngineException("no pipeline reads topic '" + topic + "' (topics: " + groupByTopic.keySet() + ")");
        }
        return runtime;
    }

    /**
     * Stops ingress, drains the rings (up to 30 s), stops the partition threads and closes the journal.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        accepting = false;
        preparation.close(); // a launch that failed before recovery: the preparing threads end first,
        if (preload != null)
        {
            preload.abandon(); // then the loading thread
        }
        final boolean drained = drain(30, TimeUnit.SECONDS);
        if (checkpoints != null && drained && allPartitionsRunning())
        {
            takeFinalCheckpoint();
        }
        if (processingThreads != null)
        {
            // Each thread stops after its current turn; its partitions publish their counters, a DEGRADED one FAILS.
            processingThreads.close();
        }
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                runtime.handler.onClosed();
            }
        }
        if (checkpoints != null)
        {
            checkpoints.close();
        }
        CloseHelper.quietClose(duties);
        CloseHelper.quietClose(checkpointStore); // its scratch maps, once the checkpoint duty has stopped
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                if (processingThreads == null || processingThreads.stopped(runtime.thread))
                {
                    runtime.handler.closeStaging(); // else leaked: a thread that would not stop may still write it
                }
            }
        }
        partitionCounters.forEach(EngineCounters.PartitionCounters::close);
        instanceCounters.forEach(EngineCounters.InstanceCounters::close);
        directoryCounters.forEach(org.agrona.concurrent.status.AtomicCounter::close);
        journal.close();
    }

    private boolean allPartitionsRunning()
    {
        for (final GroupRuntime topic : topics.values())
        {
            for (final PartitionRuntime runtime : topic.partitions)
            {
                if (!processing(runtime) || runtime.handler.refusal() != null)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void takeFinalCheckpoint()
    {
        finalCheckpointAttempted = true;
        try
        {
            finalCheckpoint = startCheckpoint().get(FINAL_CHECKPOINT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            finalCheckpointFailure = ex.getCause() != null ? ex.getCause() : ex;
            errorLog.record(ex);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            // A TimeoutException has no message: the operator's log line must say what happened.
            finalCheckpointFailure = new io.sluice.engine.checkpoint.CheckpointException(
                "the final checkpoint did not complete within " + FINAL_CHECKPOINT_TIMEOUT_SECONDS + " s", ex);
            errorLog.record(finalCheckpointFailure);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether a partition is being processed: its thread runs and it has not FAILED.
     */
    private boolean processing(final PartitionRuntime runtime)
    {
        return !runtime.agent.failed() && processingThreads.running(runtime.thread);
    }
}
