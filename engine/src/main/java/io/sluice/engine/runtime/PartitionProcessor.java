package io.sluice.engine.runtime;

import org.agrona.concurrent.errors.DistinctErrorLog;

import com.lmax.disruptor.RingBuffer;

import io.sluice.engine.checkpoint.CheckpointCoordinator;
import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.exec.EventBatch;
import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.journal.JournalException;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.RecordBatch;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordView;

/**
 * The work of one partition on its processing thread: journal each slot first, then run it through
 * every pipeline instance of the partition, fused, on this thread. Nothing downstream sees an event
 * that is not in the journal (event sourcing: the journal is the truth, the state is derived). Its
 * {@link PartitionAgent} hands it the slots, a bounded batch per turn.
 *
 * <p>Also replays journaled records through the same instances (recovery, {@link #replay}), which
 * is why the instances see only (bytes, key, timestamp) and never the ring slot.
 *
 * <p>A stage failing under HALT halts only its pipeline instance; the others go on. A journal
 * failure stops the partition: the event was not journaled, so nothing may process it. A journal
 * short of space makes it DEGRADED: the slot is tried again after a back-off, without blocking the
 * processing thread (other partitions share it).
 *
 * <p>Threading: the processing thread (the single writer of the partition's journal, state and
 * counters) for {@link #onStart()}, {@link #onSlot}, {@link #onShutdown()} and the duty checks;
 * recovery's {@link #replay} on the launching thread before that thread starts; the state queries
 * ({@link #refusal()}, {@link #failure()}, {@link #paused()}) from any thread.
 */
final class PartitionProcessor
{
    /** Journal record types written by the engine. */
    static final int RECORD_EVENT = RingSlot.EVENT;
    static final int RECORD_TICK = RingSlot.TICK;
    static final int RECORD_END_OF_INPUT = RingSlot.END_OF_INPUT;
    static final int RECORD_REPLAY = RingSlot.REPLAY;

    /**
     * Payload of a REPLAY record:
     * <pre>
     *   0                   1                   2                   3
     *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *  +---------------------------------------------------------------+
     *  |          Pipeline instance index within the partition         |  0
     *  +---------------------------------------------------------------+
     *  |                 Mode: 0 from offset, 1 from time              |  4
     *  +---------------------------------------------------------------+
     *  |                   Journal offset or timestamp                 |  8
     *  |                                                               |
     *  +---------------------------------------------------------------+
     * </pre>
     */
    static final int REPLAY_INSTANCE_OFFSET = 0;
    static final int REPLAY_MODE_OFFSET = 4;
    static final int REPLAY_VALUE_OFFSET = 8;
    static final int REPLAY_LENGTH = 16;
    static final int REPLAY_FROM_OFFSET = 0;
    static final int REPLAY_FROM_TIME = 1;

    private final String topic;
    private final int partition;
    private final PartitionWriter writer;
    private final io.sluice.journal.Partition journalPartition;
    /** Records recovery's replay reads from the journal at once, and events it hands to the instances at once. */
    private static final int REPLAY_BATCH = 256;
    /** Recovery's replay: the records of one read, decoded where the reader left them (see {@link #replay}). */
    private final RecordBatch replayRecords = new RecordBatch(REPLAY_BATCH);
    /** Recovery's replay: the events of a run of records, left where the reader read them (no further copy). */
    private final EventBatch replayEvents = new EventBatch(REPLAY_BATCH);
    /**
     * Live EVENT slots of the agent's turn that are journaled but not yet processed, referred to where they lie
     * in the ring's block (see {@link #onSlot}); processed as one run before anything else happens.
     */
    private final EventBatch liveEvents;
    /**
     * Whether a latency listener (ingest or stage) wants the time each live event's processing ended: the run is then
     * journaled as one (one write), and its events processed one by one after it, each timed
     * ({@link #processTimedRun}).
     */
    private final boolean timed;
    /** With {@link #timed}: the ingest stamp of each event of {@link #liveEvents}, by its index in the run; else null. */
    private final long[] liveIngestNanos;
    /** Journal records checksummed at most per {@link #checksumAppended()}. */
    private final int checksumPerTurn;
    /** Runs of live events processed ({@link #processLiveEvents}); processing thread only. */
    private long liveRuns;
    private PartitionReader replayReader;
    private int replayInstance = -1;
    private long replayEnd;
    private long replays;
    private final PartitionStageErrors stageErrors;
    private final PartitionDispatcher dispatcher;
    private final PipelineInstance[] instances;
    /** Written by the partition thread at the end of each batch, read by the engine's scheduler. */
    private volatile boolean resultsPending;
    private final EngineCounters.PartitionCounters counters;
    private final EngineCounters.InstanceCounters[] instanceCounters;
    private final DistinctErrorLog errorLog;
    private final IngestLatencyListener latencyListener;
    /** Null unless stage latency is wanted: then, and only then, the thread reads the clock per stage. */
    private final StageLatencyListener stageListener;
    /** Stage id of this partition's first instance: {@link StageLatencyListener#FIRST_PIPELINE} + the group's base. */
    private final int firstPipelineStage;
    /**
     * With a stage listener, the clock after the journal append ([0]) and after each instance ([1 + i]);
     * partition thread only, reused for every event.
     */
    private final long[] stageEnds;
    private final PartitionSnapshotter snapshotter;
    /**
     * Whether the thread does the journal's background work for its partition between events
     * ({@link #onIdle}): when it busy-spins (the low-latency profile), so that no background thread takes
     * another core's CPU for it. Cleared after a failure, leaving it to the journal's duties.
     */
    private boolean journalWorkWhileIdle;
    /** A CHECKPOINT_STEP slot this thread published is still ahead in the ring. */
    private boolean stepQueued;
    /** A continuation tick this thread published is still ahead in the ring ({@link #continueResults}). */
    private boolean continuationQueued;
    /** When an empty ring with results pending has been quiet long enough to continue them ({@link #onIdle}). */
    private final QuietContinuation quiet = new QuietContinuation();
    /** Events between two slices of a checkpoint copy in progress, besides the step slots. */
    private static final int SLICE_EVERY_EVENTS = 128;
    private int eventsUntilSlice = SLICE_EVERY_EVENTS;
    /**
     * Slices of a checkpoint copy in progress that the live events of the run not yet processed have made due
     * ({@link #oweSlice}): copied once the run is processed, so that a copy does not split the run (a staged journal
     * writer would write each event on its own).
     */
    private int slicesOwed;
    private RingBuffer<RingSlot> ringBuffer;
    /** The ring's slots by address: the live events' path reads them there, not through the ring's slot objects. */
    private RingSlots slots;
    private long eventsIn;
    /**
     * Per source index, the position of the last positioned event journaled (see
     * {@link SourcePositionDescriptor}); written by the processing thread (or by recovery before it starts).
     */
    private final long[] sourcePositions;
    private volatile Throwable failure;
    /** The journal error a DEGRADED partition is retrying, or null. */
    private volatile JournalException degraded;
    /** Processing thread: a slot waits for the journal (DEGRADED) and is appended again at {@link #retryAtNanos}. */
    private boolean retrying;
    private long retryAtNanos;
    private long retryBackoffNanos;
    private static final long RETRY_BACKOFF_MIN_NANOS = 1_000_000L;
    private static final long RETRY_BACKOFF_MAX_NANOS = 100_000_000L;
    private volatile boolean paused;
    /** Processing thread: PAUSED is in the state counter (so resuming must publish the state again). */
    private boolean pauseShown;

    /**
     * @param topic              the group's journal topic.
     * @param partition          number.
     * @param journalPartition   the partition of the topic, whose writer this thread owns once started.
     * @param dispatcher         over the partition's pipeline instances (built with {@code stageErrors}).
     * @param stageErrors        where the instances report failures; its error log is the engine's.
     * @param counters           of the partition.
     * @param instanceCounters   of each instance, in the dispatcher's order.
     * @param context            of the engine, for its latency listeners.
     * @param firstPipelineStage stage latency id of the first instance.
     */
    PartitionProcessor(
        final String topic,
        final int partition,
        final io.sluice.journal.Partition journalPartition,
        final PartitionDispatcher dispatcher,
        final PartitionStageErrors stageErrors,
        final EngineCounters.PartitionCounters counters,
        final EngineCounters.InstanceCounters[] instanceCounters,
        final EngineContext context,
        final int firstPipelineStage)
    {
        this.topic = topic;
        this.partition = partition;
        this.journalPartition = journalPartition;
        this.writer = journalPartition.writer();
        this.stageErrors = stageErrors;
        this.dispatcher = dispatcher;
        this.instances = dispatcher.instances();
        this.counters = counters;
        this.instanceCounters = instanceCounters;
        this.errorLog = stageErrors.errorLog();
        this.latencyListener = context.latencyListener();
        this.stageListener = context.stageLatencyListener();
        this.firstPipelineStage = firstPipelineStage;
        this.stageEnds = new long[instances.length + 1];
        this.sourcePositions = new long[dispatcher.sources()];
        this.snapshotter = new PartitionSnapshotter(topic, partition, instances, errorLog, context.checkpointSliceRows());
        this.liveEvents = new EventBatch(Math.max(1, context.partitionBatchLimit()));
        this.checksumPerTurn = 2 * Math.max(1, context.partitionBatchLimit());
        this.timed = latencyListener != null || stageListener != null;
        this.liveIngestNanos = timed ? new long[Math.max(1, context.partitionBatchLimit())] : null;
        this.journalWorkWhileIdle = context.waitStrategy() == WaitStrategyKind.BUSY_SPIN;
        java.util.Arrays.fill(sourcePositions, io.sluice.engine.checkpoint.SourcePositions.NO_POSITION);
    }

    void ringBuffer(final RingBuffer<RingSlot> ringBuffer, final RingSlots slots)
    {
        this.ringBuffer = ringBuffer;
        this.slots = slots;
    }

    /**
     * The partition ring's slots by address, for the publishers' runs.
     *
     * @return the slots, set with the ring.
     */
    RingSlots slots()
    {
        return slots;
    }

    void checkpoints(final CheckpointCoordinator checkpoints)
    {
        snapshotter.coordinator(checkpoints);
    }

    /**
     * Frees the checkpoint staging memory, once the partition thread has stopped and the checkpoint
     * thread has written what it was given.
     */
    void closeStaging()
    {
        snapshotter.close();
    }

    /**
     * Called by the partition's agent when its ring had nothing to take: under a busy-spinning wait, one
     * short step (a few microseconds) of the journal's background work for this partition
     * ({@link PartitionWriter#doIdleWork}: checksums of the records just appended, the reservation ahead of
     * the writer), so it runs on this thread's own core, between events, and the journal's background
     * thread stays asleep instead of taking another core's CPU. An error (disk full) stops these steps:
     * the journal's duties and the append itself then report it. Under any other wait, the checksums of
     * the records just appended ({@link #checksumAppended()}).
     *
     * <p>With results pending in slices and no continuation tick ahead, it times the ring's quiet and, once it has
     * lasted {@link QuietContinuation#QUIET_NANOS}, starts the chain of continuation ticks ({@link #continueResults}), so
     * that a firing that outlives its input (the end of a burst, or of the input) emits the rest now, not at the
     * scheduler's quiet tick one to two tick intervals (100-200 ms by default) later. Reads the clock only then.
     *
     * @return true while that quiet is being timed: the thread is to keep polling, not yield or park (see
     *         {@link QuietContinuation}).
     */
    boolean onIdle()
    {
        final boolean pending = resultsPending && !continuationQueued;
        final int quietState = quiet.onIdlePoll(pending, eventsIn, pending ? System.nanoTime() : 0);
        if (quietState == QuietContinuation.CONTINUE)
        {
            continueResults(false);
            if (!continuationQueued)
            {
                // Nothing was queued (the results went meanwhile, or the ring filled): look again from the next batch.
                resultsPending = anyResultsPending();
            }
        }
        if (journalWorkWhileIdle)
        {
            try
            {
                writer.doIdleWork();
            }
            catch (final RuntimeException ex)
            {
                journalWorkWhileIdle = false;
            }
        }
        else
        {
            checksumAppended();
        }
        return quietState == QuietContinuation.WAITING;
    }

    /**
     * Publishes the journal's end offset past the live events appended so far ({@link PartitionWriter#publishAppended}):
     * once per agent turn, before the turn frees its slots to the producers, and before any slot but a live EVENT is
     * handled, so that readers by offset, the journal's checksum duty and force() see every record journaled in a turn
     * by its end.
     */
    void publishAppended()
    {
        writer.publishAppended();
    }

    /**
     * The end of the agent's turn, before it frees the turn's slots to the producers: publishes the journal's end
     * offset ({@link #publishAppended}), then lets each instance's sink publish the outputs the turn gave it
     * ({@link PartitionDispatcher#onTurnEnd}; a sink's failure halts its instance), so that a drain which sees the
     * slots processed sees their outputs too.
     *
     * @throws JournalException FATAL if a staged journal writer's write failed (the sinks are told all the same).
     */
    void endTurn()
    {
        try
        {
            writer.publishAppended();
        }
        finally
        {
            dispatcher.onTurnEnd();
        }
    }

    /**
     * Called by the partition's agent when the thread has a moment: after a turn that took fewer slots than
     * its limit (it keeps up with the producers), and when the ring had nothing to take. Checksums the
     * journal records this thread appended and nothing checksummed yet ({@link PartitionWriter#checksumAppended}),
     * while their lines are still in its cache, a CRC32C of each at a few nanoseconds, so that the journal's
     * checksum duty does not pull every record this thread wrote across to another core (tens of nanoseconds
     * of that core's CPU per event, on a machine whose cores the partitions need). A thread that is behind
     * (full turns, one after the other) leaves them to the duty, which takes over once the records not yet
     * checksummed pass {@code 16,384}. Up to twice a turn's slot limit per call.
     */
    void checksumAppended()
    {
        try
        {
            writer.checksumAppended(checksumPerTurn);
        }
        catch (final JournalException ex)
        {
            // A frame damaged in the mapping stopped the writer (FATAL): its next append reports it and fails the partition.
        }
    }

    /**
     * Takes ownership of the partition on the processing thread, before its first slot.
     */
    void onStart()
    {
        // The processing thread becomes the journal writers' single owner from here on.
        writer.releaseOwnership();
        stageErrors.releaseOwnership();
        for (final PipelineInstance instance : instances)
        {
            instance.releaseOwnership();
        }
        // Release store: the partition is RUNNING (or HALTED after recovery) from its thread's start, events or not.
        counters.state.setRelease(state());
    }

    /**
     * Whether the partition is paused by an operator, in which case its agent takes nothing this turn:
     * the ring fills and producers feel back-pressure; nothing is lost. Shows PAUSED in the state counter
     * from the first such turn, and the state again from the first turn after the resume.
     *
     * @return true while paused.
     */
    boolean holdIfPaused()
    {
        if (paused)
        {
            if (!pauseShown)
            {
                pauseShown = true;
                // Release store: ops see PAUSED while the partition holds, not the state of the last batch.
                counters.state.setRelease(PartitionState.PAUSED.code());
            }
            return true;
        }
        if (pauseShown)
        {
            pauseShown = false;
            counters.state.setRelease(state());
        }
        return false;
    }

    /**
     * Whether the partition may take a slot now: always, unless it is DEGRADED and its back-off has not
     * yet passed (one clock read per turn, only while DEGRADED).
     *
     * @return true if the agent may hand it slots.
     */
    boolean mayRetryAppend()
    {
        return !retrying || System.nanoTime() - retryAtNanos >= 0;
    }

    /**
     * Journals a slot and runs it through the pipeline instances.
     *
     * <p>An EVENT is journaled at once and processed with the EVENTs that follow it in the agent's turn, as
     * one run ({@link PartitionDispatcher#onEvents}) left in place in the ring's block, as recovery and the
     * backtest hand events over: each instance sees the same calls in the same order, every event is in
     * the journal before anything processes it, and the run is processed before any other slot (tick,
     * barrier, end of input, replay), before a checkpoint's state copy advances (while a copy is in progress the
     * slices its events make due follow the run, so a staged journal writer still writes the run at once), before a
     * DEGRADED return, and at the end of the turn, so before the agent frees the slots to the producers. With a latency
     * listener the run is journaled the same way and its events are then processed and timed one by one
     * ({@link #processTimedRun}). A live EVENT is read where it lies in the ring's block ({@link RingSlots}); any other
     * slot through its {@link RingSlot}.
     *
     * @param sequence   of the slot in the ring.
     * @param endOfBatch whether it is the last slot of the agent's turn (the run is processed and the counters
     *                   are published then).
     * @return true if the slot was taken; false if the journal cannot take it now (DEGRADED): the agent
     *         leaves it in the ring and hands it over again once {@link #mayRetryAppend()}.
     */
    boolean onSlot(final long sequence, final boolean endOfBatch)
    {
        final long address = slots.address(sequence);
        if (RingSlot.type(address) == RingSlot.EVENT)
        {
            return onLiveEvent(sequence, address, endOfBatch);
        }
        return onEvent(ringBuffer.get(sequence), endOfBatch);
    }

    /**
     * {@link #onSlot} of any slot but a live EVENT (a tick, barrier, checkpoint step, end of input, replay, wake):
     * processes the run first.
     */
    private boolean onEvent(final RingSlot slot, final boolean endOfBatch)
    {
        final int type = slot.type();
        processLiveEvents();
        // Whatever this slot does (a barrier's offset, a checkpoint, a replay), the run's records are published first.
        publishAppended();
        if (type == RingSlot.WAKE)
        {
            publishCounters();
            return true;
        }
        if (type == RingSlot.BARRIER)
        {
            snapshotter.onBarrier(slot.timestamp(), writer.nextOffset(), sourcePositions);
            stepCheckpoint();
            if (endOfBatch)
            {
                publishCounters();
            }
            return true;
        }
        if (type == RingSlot.CHECKPOINT_STEP)
        {
            stepQueued = false;
            stepCheckpoint();
            if (endOfBatch)
            {
                // A turn that ends on a step (a copy's last ones come alone) publishes its runs' counts too.
                publishCounters();
            }
            return true;
        }
        if (snapshotter.inProgress() && (--eventsUntilSlice <= 0 || !stepQueued))
        {
            // Every SLICE_EVERY_EVENTS events while a copy is in progress (a step slot waits behind a
            // whole ring of them), or at once if the ring was full when the last step was due.
            eventsUntilSlice = SLICE_EVERY_EVENTS;
            stepCheckpoint();
        }
        final StageLatencyListener stages = stageListener;
        final long pickedUp = stages == null ? 0 : System.nanoTime();
        try
        {
            writer.append(type, slot.source(), slot.timestamp(), slot.key(), slot.buffer, 0, slot.length());
        }
        catch (final JournalException ex)
        {
            return refused(ex);
        }
        if (retrying)
        {
            recovered();
        }
        final long journaled = stages == null ? 0 : System.nanoTime();
        final int source = slot.source() & SourcePositionDescriptor.SOURCE_MASK;
        if ((slot.source() & SourcePositionDescriptor.POSITIONED_FLAG) != 0)
        {
            sourcePositions[source] = slot.buffer.getLong(SourcePositionDescriptor.positionOffset(slot.length()));
        }
        if (type == RingSlot.REPLAY)
        {
            replayPipeline(slot.buffer, 0, writer.nextOffset() - 1);
        }
        else
        {
            dispatch(type, source, slot.buffer, 0, slot.key(), slot.timestamp());
        }
        if (stages != null)
        {
            reportJournalStages(stages, slot.ingestNanos(), pickedUp, journaled);
        }
        if (type == RingSlot.TICK)
        {
            continueResults(slot.timestamp() == WatermarkGenerator.CONTINUATION);
        }
        if (latencyListener != null)
        {
            latencyListener.onProcessed(partition, slot.ingestNanos(), System.nanoTime());
        }
        if (endOfBatch)
        {
            publishCounters();
        }
        return true;
    }

    /**
     * An EVENT slot of a run (see {@link #onSlot}), read where it lies in the ring's block: journaled now,
     * processed with the run.
     */
    private boolean onLiveEvent(final long sequence, final long address, final boolean endOfBatch)
    {
        final int flags = RingSlot.source(address);
        final long key = RingSlot.key(address);
        final long timestamp = RingSlot.timestamp(address);
        final int length = RingSlot.length(address);
        final org.agrona.concurrent.UnsafeBuffer block = slots.block();
        final int payload = slots.payloadOffset(sequence);
        try
        {
            // The journal's end offset is published once per turn (publishAppended), not once per event.
            writer.appendUnpublished(RingSlot.EVENT, flags, timestamp, key, block, payload, length);
        }
        catch (final JournalException ex)
        {
            processLiveEvents();
            return refused(ex);
        }
        if (retrying)
        {
            recovered();
        }
        final int source = flags & SourcePositionDescriptor.SOURCE_MASK;
        if ((flags & SourcePositionDescriptor.POSITIONED_FLAG) != 0)
        {
            sourcePositions[source] = block.getLong(payload + SourcePositionDescriptor.positionOffset(length));
        }
        if (snapshotter.inProgress())
        {
            oweSlice();
        }
        final EventBatch events = liveEvents;
        final int index = events.size();
        if (index == 0)
        {
            events.clear(block);
        }
        if (timed)
        {
            liveIngestNanos[index] = RingSlot.ingestNanos(address);
        }
        if (events.addAt(source, payload, key, timestamp) || endOfBatch)
        {
            processLiveEvents();
        }
        if (endOfBatch)
        {
            publishCounters();
        }
        return true;
    }

    /**
     * Processes the run of journaled live events held in {@link #liveEvents}, if any, and empties it.
     */
    private void processLiveEvents()
    {
        final EventBatch events = liveEvents;
        final int size = events.size();
        if (size > 0)
        {
            try
            {
                if (timed)
                {
                    processTimedRun(events, size);
                }
                else
                {
                    // The run is JOURNALED before anything processes it: a staged journal writer writes its frames now
                    // (one pwrite, JournalContext#stagedWrites); a mapped one has them in the page cache and publishes.
                    writer.publishAppended();
                    eventsIn += size;
                    liveRuns++;
                    dispatcher.onEvents(events);
                }
            }
            finally
            {
                events.clear();
            }
            // The copy advances only once the run is processed, which copies first any row it changes (copy on write).
            for (; slicesOwed > 0; slicesOwed--)
            {
                stepCheckpoint();
            }
        }
    }

    /**
     * A live event taken while a checkpoint's copy is in progress: makes a slice due every {@link #SLICE_EVERY_EVENTS}
     * events, and for every event while no step slot is queued (the ring was full when the last one was due: the events
     * then drive the copy), as for any other slot in {@link #onEvent}; the run copies them once processed.
     */
    private void oweSlice()
    {
        if (--eventsUntilSlice <= 0 || !stepQueued)
        {
            eventsUntilSlice = SLICE_EVERY_EVENTS;
            slicesOwed++;
        }
    }

    /**
     * The journal refused a slot: a partition short of space is DEGRADED (the slot is offered again later);
     * any other journal error fails it.
     *
     * @return false: the slot was not taken.
     */
    private boolean refused(final JournalException ex)
    {
        if (ex.category() != JournalException.Category.IO)
        {
            fail(ex);
            throw ex;
        }
        degrade(ex);
        return false;
    }

    private void dispatch(
        final int type, final int source, final org.agrona.DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        switch (type)
        {
            case RECORD_EVENT:
                eventsIn++;
                dispatcher.onEvent(source, buffer, offset, key, timestamp);
                break;
            case RECORD_TICK:
                dispatcher.onProcessingTime(timestamp);
                break;
            case RECORD_END_OF_INPUT:
                dispatcher.onEndOfInput();
                break;
            default:
                break;
        }
    }

    /**
     * {@link #processLiveEvents} with a latency listener: the run is journaled as one (one write), then each event is
     * processed on its own and timed, so that the listener sees each event's end after the point it became JOURNALED,
     * and the stage listener the run's write as each event's journal append, then each instance's time. One clock read
     * per event (per instance with a stage listener) and one per run, as the listeners want; the instances see the
     * same calls in the same order as from {@link PartitionDispatcher#onEvents}.
     */
    private void processTimedRun(final EventBatch events, final int size)
    {
        final StageLatencyListener stages = stageListener;
        final long pickedUp = stages == null ? 0 : System.nanoTime();
        writer.publishAppended();
        eventsIn += size;
        liveRuns++;
        final long journaled = System.nanoTime();
        final org.agrona.DirectBuffer buffer = events.buffer();
        final long[] ingest = liveIngestNanos;
        long done = journaled;
        for (int e = 0; e < size; e++)
        {
            if (stages == null)
            {
                dispatcher.onEvent(events.source(e), buffer, events.offset(e), events.key(e), events.timestamp(e));
                done = System.nanoTime();
            }
            else
            {
                // Each instance's time from the previous event's end: the run's write is reported once per event, below.
                final long start = done;
                done = dispatcher.onEventTimed(events.source(e), buffer, events.offset(e), events.key(e), events.timestamp(e),
                    start, stageEnds);
                reportJournalStages(stages, ingest[e], pickedUp, journaled);
                reportInstanceStages(stages);
            }
            if (latencyListener != null)
            {
                latencyListener.onProcessed(partition, ingest[e], done);
            }
        }
    }

    /**
     * Tells the stage listener a slot's ring wait (ingest to pick-up) and its journal append (pick-up to journaled).
     */
    private void reportJournalStages(final StageLatencyListener stages, final long ingestNanos, final long pickedUp, final long journaled)
    {
        // max(0, ...): nanoTime is monotonic across threads on supported platforms; a report is never negative regardless.
        stages.onStage(partition, StageLatencyListener.RING_WAIT, Math.max(0, pickedUp - ingestNanos));
        stages.onStage(partition, StageLatencyListener.JOURNAL_APPEND, journaled - pickedUp);
    }

    /**
     * Tells the stage listener the time of each instance that ran the last timed event (from {@link #stageEnds}).
     */
    private void reportInstanceStages(final StageLatencyListener stages)
    {
        final long[] ends = stageEnds;
        long previous = ends[0];
        for (int i = 1; i < ends.length; i++)
        {
            if (ends[i] != PartitionDispatcher.NOT_RUN)
            {
                stages.onStage(partition, firstPipelineStage + i - 1, ends[i] - previous);
                previous = ends[i];
            }
        }
    }

    /**
     * After a live tick: if results are still pending in slices (a window firing, an interval join's
     * eviction), queues a continuation tick ({@link WatermarkGenerator#CONTINUATION}) behind the slots
     * already in the ring. It is journaled like any tick when taken and emits the next slice, so once a
     * tick started (the scheduler journals one for a partition gone quiet with results pending) the rest
     * follows slice by slice at once, each event that arrives meanwhile waiting behind one slice at most;
     * replay runs the same journaled ticks, so outputs stay a function of the journal. If the ring is
     * full, events are waiting and each takes a slice; the scheduler's next quiet tick resumes the chain.
     *
     * @param continuation whether the tick just taken is the continuation this thread queued.
     */
    private void continueResults(final boolean continuation)
    {
        if (continuation)
        {
            continuationQueued = false;
        }
        if (continuationQueued || ringBuffer == null || !anyResultsPending())
        {
            return;
        }
        try
        {
            final long sequence = ringBuffer.tryNext();
            final RingSlot tick = ringBuffer.get(sequence);
            // Stamped whenever a listener reads it: the stage listener's ring wait is measured from this stamp too.
            final boolean timed = latencyListener != null || stageListener != null;
            tick.header(RingSlot.TICK, 0, 0, WatermarkGenerator.CONTINUATION, 0, timed ? System.nanoTime() : 0);
            ringBuffer.publish(sequence);
            continuationQueued = true;
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            // full: events are waiting, and each takes a slice
        }
    }

    private boolean anyResultsPending()
    {
        for (int i = 0; i < instances.length; i++)
        {
            if (instances[i].resultsPending())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies one slice of a checkpoint's state copy in progress (see {@link PartitionSnapshotter}) and,
     * if more remain, queues a CHECKPOINT_STEP slot behind the events already in the ring, so the copy
     * advances between events and also when no event comes. If the ring is full the next event does
     * the slice instead.
     */
    private void stepCheckpoint()
    {
        if (!snapshotter.inProgress())
        {
            return;
        }
        snapshotter.copySlice();
        if (snapshotter.inProgress() && !stepQueued)
        {
            if (ringBuffer == null)
            {
                snapshotter.complete();
                return;
            }
            try
            {
                final long sequence = ringBuffer.tryNext();
                final RingSlot step = ringBuffer.get(sequence);
                step.header(RingSlot.CHECKPOINT_STEP, 0, 0, 0, 0, 0);
                ringBuffer.publish(sequence);
                stepQueued = true;
            }
            catch (final com.lmax.disruptor.InsufficientCapacityException ex)
            {
                // full: events are waiting, and the next one takes the slice
            }
        }
    }

    /**
     * Runs journaled records from the reader's position to the end through the instances, without
     * journaling them again. Called before the processing thread starts.
     * <p>
     * The records are read a batch at a time and decoded where the reader left them (the mapped segment, or the
     * reader's copy of it when it {@link PartitionReader#copyReads copies}, as recovery's does); each run of
     * events between two other records goes to the instances as one {@link EventBatch} that refers to the
     * events where they lie, so a window stage that comes first takes the run in one call,
     * after a look at all its keys (their state entries load together, the cache misses overlap), as in a
     * backtest. The instances see the same calls in the same order as one record at a time; their window
     * operators are told they are {@link PipelineInstance#recovering recovering}, so the sort of new keys between
     * windows waits for the events after ready.
     *
     * @return records replayed.
     */
    long replay(final PartitionReader reader)
    {
        final RecordBatch records = replayRecords;
        long replayed = 0;
        int read;
        recovering(true);
        try
        {
            while ((read = reader.poll(records, REPLAY_BATCH)) > 0)
            {
                replayBatch(records);
                replayed += read;
            }
        }
        finally
        {
            recovering(false);
        }
        // The replay's outputs reach the sinks' readers now, not at the processing thread's first turn.
        dispatcher.onTurnEnd();
        publishCounters();
        return replayed;
    }

    /** The instances' window operators may leave work between windows to the events after the replay. */
    private void recovering(final boolean recovering)
    {
        for (final PipelineInstance instance : instances)
        {
            instance.recovering(recovering);
        }
    }

    private void replayBatch(final RecordBatch records)
    {
        final org.agrona.DirectBuffer buffer = records.buffer();
        final EventBatch events = replayEvents;
        events.clear(buffer);
        for (int i = 0, size = records.size(); i < size; i++)
        {
            final int type = records.type(i);
            final int flags = records.flags(i);
            final int payload = records.payloadOffset(i);
            if (type == RECORD_EVENT)
            {
                if (SourcePositionDescriptor.isPositioned(flags))
                {
                    sourcePositions[SourcePositionDescriptor.sourceIndex(flags)] =
                        buffer.getLong(payload + SourcePositionDescriptor.positionOffset(records.payloadLength(i)));
                }
                events.addAt(SourcePositionDescriptor.sourceIndex(flags), payload, records.key(i), records.timestamp(i));
                continue;
            }
            replayEvents(events);
            events.clear(buffer);
            if (type == RECORD_REPLAY)
            {
                replayPipeline(buffer, payload, records.offset(i));
            }
            else
            {
                dispatch(type, SourcePositionDescriptor.sourceIndex(flags), buffer, payload, records.key(i), records.timestamp(i));
            }
        }
        replayEvents(events);
    }

    private void replayEvents(final EventBatch events)
    {
        if (events.size() > 0)
        {
            eventsIn += events.size();
            dispatcher.onEvents(events);
        }
    }

    /**
     * An operator's replay of one pipeline, at the REPLAY record at {@code at}: its state is reset and
     * the journal from the requested offset (or the first record at or after the requested time) up
     * to the REPLAY record is run through it alone, with outputs numbered on from its current
     * sequence. Live and in recovery the same happens at the same journal position, so outputs stay a
     * function of the journal. The range is clamped to what retention kept; REPLAY records inside it
     * are skipped.
     */
    private void replayPipeline(final org.agrona.DirectBuffer payload, final int offset, final long at)
    {
        final int instance = payload.getInt(offset + REPLAY_INSTANCE_OFFSET);
        if (instance < 0 || instance >= instances.length)
        {
            errorLog.record(new IllegalArgumentException("REPLAY record at offset " + at + " names pipeline instance " + instance +
                " of " + instances.length + " on " + topic + "/" + partition));
            return;
        }
        if (replayReader == null)
        {
            replayReader = journalPartition.newReader();
        }
        final long value = payload.getLong(offset + REPLAY_VALUE_OFFSET);
        if (payload.getInt(offset + REPLAY_MODE_OFFSET) == REPLAY_FROM_TIME)
        {
            replayReader.seekToTimestamp(value);
        }
        else
        {
            replayReader.seek(Math.max(journalPartition.startOffset(), Math.min(value, at)));
        }
        instances[instance].resetState();
        replayInstance = instance;
        replayEnd = at;
        while (replayReader.position() < at && replayReader.poll(this::replayOne, (int)Math.min(4096, at - replayReader.position())) > 0)
        {
            // run the range through the one instance
        }
        replayInstance = -1;
        replays++;
    }

    private void replayOne(final RecordView record)
    {
        if (record.offset() >= replayEnd || record.type() == RECORD_REPLAY)
        {
            return;
        }
        switch (record.type())
        {
            case RECORD_EVENT:
                dispatcher.onEvent(replayInstance, SourcePositionDescriptor.sourceIndex(record.flags()), record.buffer(),
                    record.payloadOffset(), record.key(), record.timestamp());
                break;
            case RECORD_TICK:
                dispatcher.onProcessingTime(replayInstance, record.timestamp());
                break;
            case RECORD_END_OF_INPUT:
                dispatcher.onEndOfInput(replayInstance);
                break;
            default:
                break;
        }
    }

    /**
     * Sets the source positions a checkpoint covers, before replaying the journal after it (recovery,
     * before the processing thread starts).
     *
     * @param positions per source index, from the checkpoint's entry.
     */
    void restoreSourcePositions(final long[] positions)
    {
        for (int i = 0; i < sourcePositions.length; i++)
        {
            sourcePositions[i] = i < positions.length ? positions[i] : io.sluice.engine.checkpoint.SourcePositions.NO_POSITION;
        }
    }

    /**
     * The position of the last positioned event of a source journaled on this partition. Exact once
     * recovery is done and before the source publishes again; the processing thread advances it after.
     *
     * @param source index within the group.
     * @return the position or {@link io.sluice.engine.checkpoint.SourcePositions#NO_POSITION}.
     */
    long sourcePosition(final int source)
    {
        return sourcePositions[source];
    }

    /**
     * Operator replays performed on this partition.
     *
     * @return the count.
     */
    long replays()
    {
        return replays;
    }

    /**
     * Whether, at the end of the last batch, a pipeline had results still to emit in slices (a window
     * firing in progress); read by the engine's scheduler, which journals a tick for a quiet partition in
     * that state.
     *
     * @return true while results are pending.
     */
    boolean resultsPending()
    {
        return resultsPending;
    }

    /**
     * The journal end the partition thread last published (at the end of its last batch).
     *
     * @return the published journal end offset.
     */
    long publishedJournalEnd()
    {
        return counters.journalEnd.get();
    }

    void publishCounters()
    {
        final boolean pending = anyResultsPending();
        if (pending != resultsPending)
        {
            resultsPending = pending;
        }
        counters.state.setRelease(state());
        // Before the events in: a reader that sees the events in sees the journal writes that took them at least.
        counters.journalWrites.setRelease(writer.stagedWriteCount());
        counters.eventsIn.setRelease(eventsIn);
        counters.journalEnd.setRelease(writer.nextOffset());
        // The journal writer's own reservations: this thread (the partition's writer) makes them, so the values are its own.
        counters.writerReservations.setRelease(journalPartition.writerReservations());
        counters.writerReservedBytes.setRelease(journalPartition.writerReservedBytes());
        if (ringBuffer != null)
        {
            counters.ringRemaining.setRelease(ringBuffer.remainingCapacity());
        }
        for (int i = 0; i < instances.length; i++)
        {
            instanceCounters[i].update(instances[i]);
        }
        snapshotter.expectCopyLength();
    }

    /**
     * On the processing thread as it stops (engine close): a partition still DEGRADED then FAILS with
     * its last journal error (the slot it holds will never be journaled); the counters are published.
     */
    void onShutdown()
    {
        if (retrying)
        {
            final JournalException last = degraded;
            retrying = false;
            degraded = null;
            fail(last);
        }
        snapshotter.complete();
        publishCounters();
    }

    String topic()
    {
        return topic;
    }

    int partition()
    {
        return partition;
    }

    PipelineInstance[] instances()
    {
        return instances;
    }

    Throwable failure()
    {
        return failure;
    }

    /**
     * The journal refused the slot for want of space or an I/O error (e.g. a segment could not be
     * allocated: disk full). Nothing of the slot was written, so the append can be tried again: the
     * partition is DEGRADED, producers are refused with the cause, and the slot is offered again after
     * a back-off (1 ms doubling to 100 ms) until the append succeeds (space returned: RUNNING again) or
     * the engine closes (FAILED). Events already in the ring wait; none is lost or reordered; the
     * processing thread goes on with its other partitions meanwhile.
     */
    private void degrade(final JournalException ex)
    {
        errorLog.record(ex);
        if (!retrying)
        {
            retrying = true;
            retryBackoffNanos = RETRY_BACKOFF_MIN_NANOS;
            counters.errors.incrementRelease();
            // Volatile store: publishers refuse with the cause from now on instead of filling the ring.
            degraded = ex;
            counters.state.setRelease(PartitionState.DEGRADED.code());
        }
        else
        {
            degraded = ex; // volatile: producers are refused with the latest cause
            retryBackoffNanos = Math.min(retryBackoffNanos * 2, RETRY_BACKOFF_MAX_NANOS);
        }
        retryAtNanos = System.nanoTime() + retryBackoffNanos;
    }

    /**
     * The journal took the slot again: the partition accepts events and shows its state.
     */
    private void recovered()
    {
        retrying = false;
        degraded = null; // volatile: publishers are accepted again
        counters.state.setRelease(state());
    }

    private void fail(final Throwable cause)
    {
        // Refuse producers with the cause before the thread stops: publishing fails fast from here on.
        failure = cause;
        errorLog.record(cause);
        counters.errors.incrementRelease();
        counters.state.setRelease(PartitionState.FAILED.code());
    }

    /**
     * Why producers are refused now: the failure of a FAILED partition, the journal error of a
     * DEGRADED one, or null while it accepts events. Any thread.
     *
     * @return the cause or null.
     */
    Throwable refusal()
    {
        final Throwable failed = failure;
        return failed != null ? failed : degraded;
    }

    /**
     * Records the failure that stops the partition, so that it is visible as
     * state ({@link Engine#partitionFailure}, the FAILED state counter) rather than a silently dead thread.
     * Called on the processing thread by the partition's agent, the state counter's writer.
     */
    void onFatal(final Throwable cause)
    {
        if (failure == null)
        {
            failure = cause;
            counters.errors.incrementRelease();
        }
        // Release store: readers in other processes see FAILED as a whole value.
        counters.state.setRelease(PartitionState.FAILED.code());
    }

    /**
     * The partition's state now, most severe first (see {@link PartitionState}). Partition thread.
     *
     * @return the state's code.
     */
    private int state()
    {
        if (failure != null)
        {
            return PartitionState.FAILED.code();
        }
        if (degraded != null)
        {
            return PartitionState.DEGRADED.code();
        }
        if (paused)
        {
            return PartitionState.PAUSED.code();
        }
        for (final PipelineInstance instance : instances)
        {
            if (instance.state() != PipelineInstance.RUNNING)
            {
                return PartitionState.HALTED.code();
            }
        }
        return PartitionState.RUNNING.code();
    }

    /**
     * Marks the partition CLOSED once its thread has stopped (engine close, any thread after the join).
     */
    void onClosed()
    {
        if (failure == null)
        {
            // Release store: the processing thread has stopped, so this thread is now the counter's only writer.
            counters.state.setRelease(PartitionState.CLOSED.code());
        }
    }

    void paused(final boolean paused)
    {
        this.paused = paused; // volatile: the processing thread sees it before the partition's next turn
    }

    boolean paused()
    {
        return paused;
    }

    long eventsIn()
    {
        return eventsIn;
    }

    /**
     * Runs of live events processed so far (see {@link #onSlot}); exact once the processing thread has stopped.
     *
     * @return the count.
     */
    long liveRuns()
    {
        return liveRuns;
    }
}
