package io.sluice.engine.exec;

import java.util.List;
import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.StageSpec;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.EventFlyweight;
import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.engine.time.Watermarks;
import io.sluice.engine.window.ColumnarWindowOperator;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowOperatorContext;

/**
 * One partition's instance of a {@link Pipeline}: its stages fused into a chain of direct calls,
 * with their state. Fed either by the partition's ring (live) or by a journal reader (replay and
 * recovery); the same sequence of calls gives the same outputs, byte for byte.
 *
 * <p>Threading: every method is called from the one thread that owns the partition, except the
 * counter getters, which other threads may read (values may lag by one event).
 */
public final class PipelineInstance
{
    /** The instance processes events. */
    public static final int RUNNING = 0;
    /** A stage with the HALT policy failed; the instance refuses events. */
    public static final int HALTED = 1;

    /** Events a join looks at ahead of processing them ({@link JoinStage#prefetch}), a power of two. */
    static final int JOIN_PREFETCH_EVENTS = 32;
    private static final EventSink DISCARD = (partition, sequence, key, timestamp, event) -> { };

    private final Pipeline pipeline;
    private final int partition;
    private final StageErrorHandler errorHandler;
    /** What every sink stage hands its results to instead of the pipeline's sink (a scratch copy, see {@link #scratch}), or null. */
    private final EventSink outputsOverride;
    /** Whether a leading window stage gets the columnar kernel where it applies ({@link #createColumnar}). */
    private final boolean columnar;
    private final EventFlyweight inputView;
    private final Stage head;
    private final Stages.Sink sink;
    private final Stages.Window window;
    private final WindowSpec windowSpec;
    private final SuppressStage suppress;
    private JoinStage join;
    private volatile int state = RUNNING;
    private volatile Throwable haltCause;
    private long eventsIn;
    private long outputs;
    private long errors;
    private long lateEvents;

    /**
     * Builds the fused chain of stages of a pipeline for one partition, with fresh state.
     *
     * @param pipeline     the description to run.
     * @param partition    the instance serves.
     * @param errorHandler receiving stage failures.
     * @return the instance.
     */
    public static PipelineInstance create(final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler)
    {
        return new PipelineInstance(pipeline, partition, errorHandler, null, false, false);
    }

    /**
     * Builds the instance as {@link #create} does, for a launch that may restore a checkpoint into it: its window state is
     * sized by the restore (for the larger of the pipeline's hint and the snapshot), or by {@link #presize()} when none is
     * restored, instead of at build and again, larger, at the restore ({@link WindowOperatorContext#deferSizing}).
     *
     * @param pipeline     the description to run.
     * @param partition    the instance serves.
     * @param errorHandler receiving stage failures.
     * @return the instance, whose window state is not sized yet.
     */
    public static PipelineInstance createForRestore(final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler)
    {
        return new PipelineInstance(pipeline, partition, errorHandler, null, false, true);
    }

    /**
     * Builds the instance of a pipeline for a backtest that hands it events as columns ({@link #onColumns}): a
     * window stage that comes first runs the columnar kernel ({@link WindowOperatorContext#buildColumnar()}) when
     * it applies, with the same results as {@link #create}'s operator; otherwise the instance is {@link #create}'s.
     * The kernel keeps no snapshot, so such an instance takes no checkpoints. See {@link #takesColumns()}.
     *
     * @param pipeline     the description to run.
     * @param partition    the instance serves.
     * @param errorHandler receiving stage failures.
     * @return the instance.
     */
    public static PipelineInstance createColumnar(final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler)
    {
        return new PipelineInstance(pipeline, partition, errorHandler, null, true, false);
    }

    /**
     * Builds a scratch copy of a pipeline for one partition: the same stages with fresh state, except
     * that every sink discards what it is given. For warming the JIT up on the pipeline's code without
     * any output leaving it (user filters and mappers do run).
     *
     * @param pipeline     the description to copy.
     * @param partition    the copy pretends to serve.
     * @param errorHandler receiving stage failures.
     * @return the scratch instance.
     */
    public static PipelineInstance scratch(final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler)
    {
        return scratch(pipeline, partition, errorHandler, DISCARD);
    }

    /**
     * Builds a scratch copy of a pipeline for one partition whose sinks hand their results to {@code discarding}, which
     * must keep nothing of them. A JIT warm-up that runs copies with sinks of different classes leaves the sink stage's
     * call polymorphic, so the first live result (a sink of yet another class) takes no trap out of compiled code.
     *
     * @param pipeline     the description to copy.
     * @param partition    the copy pretends to serve.
     * @param errorHandler receiving stage failures.
     * @param discarding   sink every sink stage of the copy hands its results to.
     * @return the scratch instance.
     */
    public static PipelineInstance scratch(
        final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler, final EventSink discarding)
    {
        return new PipelineInstance(pipeline, partition, errorHandler, Objects.requireNonNull(discarding, "discarding"), false, false);
    }

    /**
     * A scratch copy's sink stage hands its results to {@code discarding} from now on, which must keep nothing of them.
     * For a JIT warm-up that changes the class of the discarding sink between events, so that the sink stage's call is
     * profiled with several classes from its first calls on (the interpreter's profile is the only one a method compiled
     * without profiling has, and the first live result of a sink of another class would otherwise trap out of the
     * compiled event path). The instance's thread only, between events.
     *
     * @param discarding sink the copy's sink stage hands its results to.
     * @throws IllegalStateException if this instance is not a scratch copy ({@link #scratch}): a live instance's sink
     *                               is the pipeline's.
     */
    public void discardInto(final EventSink discarding)
    {
        if (outputsOverride == null)
        {
            throw new IllegalStateException("pipeline " + pipeline.name() + ": only a scratch copy's sink can be changed");
        }
        if (sink != null)
        {
            sink.discardInto(Objects.requireNonNull(discarding, "discarding"));
        }
    }

    private PipelineInstance(
        final Pipeline pipeline, final int partition, final StageErrorHandler errorHandler,
        final EventSink outputsOverride, final boolean columnar, final boolean deferSizing)
    {
        this.outputsOverride = outputsOverride;
        this.columnar = columnar;
        this.pipeline = pipeline;
        this.partition = partition;
        this.errorHandler = errorHandler;
        this.inputView = new EventFlyweight(pipeline.inputSchema());
        final List<StageSpec> specs = pipeline.stages();
        Stage next = null;
        Stages.Sink lastSink = null;
        Stages.Window windowStage = null;
        WindowSpec foundWindowSpec = null;
        SuppressStage suppressStage = null;
        for (int i = specs.size() - 1; i >= 0; i--)
        {
            final StageSpec spec = specs.get(i);
            next = newStage(spec, next);
            if (next instanceof Stages.Sink)
            {
                lastSink = (Stages.Sink)next;
            }
            if (next instanceof SuppressStage)
            {
                suppressStage = (SuppressStage)next;
            }
            if (next instanceof Stages.Window)
            {
                windowStage = (Stages.Window)next;
                foundWindowSpec = ((StageSpec.WindowStageSpec)spec).spec();
                windowStage.operator(newWindowOperator(foundWindowSpec, windowStage, columnar && i == 0, deferSizing));
            }
        }
        this.head = next;
        this.sink = lastSink;
        this.window = windowStage;
        this.windowSpec = foundWindowSpec;
        this.suppress = suppressStage;
        this.join = pipeline.join() == null ? null : new JoinStage(this, pipeline.join(), next);
    }

    private Stage newStage(final StageSpec spec, final Stage next)
    {
        if (spec instanceof StageSpec.FilterSpec filter)
        {
            return new Stages.Filter(this, spec.description(), spec.policy(), next, filter.predicate());
        }
        if (spec instanceof StageSpec.MapSpec map)
        {
            return new Stages.Map(this, spec.description(), spec.policy(), next, map.mapper(), map.output());
        }
        if (spec instanceof StageSpec.KeyBySpec keyBy)
        {
            return new Stages.KeyBy(this, spec.description(), spec.policy(), next, keyBy.selector());
        }
        if (spec instanceof StageSpec.WindowStageSpec window)
        {
            return new Stages.Window(this, spec.description(), spec.policy(), next, window.spec());
        }
        if (spec instanceof StageSpec.SuppressSpec suppressSpec)
        {
            return new SuppressStage(this, suppressSpec, next);
        }
        if (spec instanceof StageSpec.SinkSpec sink)
        {
            return new Stages.Sink(this, spec.description(), spec.policy(), outputsOverride != null ? outputsOverride : sink.sink());
        }
        throw new IllegalArgumentException("unknown stage " + spec.description());
    }

    /**
     * Forgets all window and join state (fresh operators, as at launch), keeping the output sequence
     * and the counters, which only ever grow: outputs recomputed after a reset are new outputs. Used
     * by an operator's replay of a pipeline from an offset. Partition thread only.
     */
    public void resetState()
    {
        // A snapshot in progress is of the state before the reset: finish it from the old operators.
        continueSnapshot(Integer.MAX_VALUE);
        if (window != null)
        {
            window.operator(newWindowOperator(windowSpec, window, columnar && head == window, false));
        }
        if (join != null)
        {
            join = new JoinStage(this, pipeline.join(), head);
        }
        if (suppress != null)
        {
            suppress.reset();
        }
    }

    private WindowOperator newWindowOperator(
        final WindowSpec spec, final Stages.Window stage, final boolean kernel, final boolean deferSizing)
    {
        final WatermarkGenerator watermarks = pipeline.eventTimeField() < 0 ?
            Watermarks.processingTime() :
            Watermarks.boundedOutOfOrderness(pipeline.maxOutOfOrderness(), pipeline.idleTimeout());
        final WindowOperatorContext context = new WindowOperatorContext()
            .offset(spec.offset())
            .allowedLateness(spec.allowedLateness())
            .earlyOnUpdate(spec.earlyOnUpdate())
            .expectedEntries(spec.expectedEntries())
            .deferSizing(deferSizing)
            .firingSlice(spec.firingSlice())
            .firingPace(spec.firingPace())
            .watermarks(watermarks)
            .aggregators(spec.aggregators())
            .resultHandler(stage)
            .lateEventHandler(new Stages.LateOutput(this));
        switch (spec.kind())
        {
            case "tumbling":
                context.tumbling(spec.size());
                break;
            case "sliding":
                context.sliding(spec.size(), spec.hop());
                break;
            case "hopping":
                context.hopping(spec.size(), spec.hop());
                break;
            default:
                context.session(spec.gap());
                break;
        }
        final WindowOperator columns = kernel ? context.buildColumnar() : null;
        return columns != null ? columns : context.build();
    }

    /**
     * Processes one input event.
     *
     * @param buffer    holding the event's bytes (input schema layout).
     * @param offset    of the event in the buffer.
     * @param key       of the event (the partition key's value).
     * @param timestamp of the event (event time, or journaled ingest time in processing-time mode).
     * @throws PipelineHaltedException if the instance is or becomes halted.
     */
    public void onEvent(final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        onEvent(0, buffer, offset, key, timestamp);
    }

    /**
     * Processes one event of one of the pipeline's inputs (0, or 0 = left and 1 = right of a join).
     *
     * @param input     index of the source in {@link Pipeline#sources()}.
     * @param buffer    holding the event's bytes (that source's schema layout).
     * @param offset    of the event in the buffer.
     * @param key       of the event (its partition key's value).
     * @param timestamp of the event.
     * @throws PipelineHaltedException if the instance is or becomes halted.
     */
    public void onEvent(final int input, final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        if (state != RUNNING)
        {
            throw halted();
        }
        eventsIn++;
        if (join != null)
        {
            join.onInput(input, buffer, offset, key, timestamp);
        }
        else
        {
            head.onEvent(inputView.wrap(buffer, offset), key, timestamp);
        }
        if (state != RUNNING)
        {
            throw halted();
        }
    }

    /**
     * A hint that events of these keys (their partition keys) come next, passed along the stages while
     * the key stays the event's own, so a keyed state can load their entries together (recovery's
     * replay). Changes nothing; a join or a halted instance ignores it.
     *
     * @param keys  of the coming events.
     * @param count of keys, from index 0.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    public long prefetch(final long[] keys, final int count)
    {
        return state == RUNNING && join == null ? head.prefetch(keys, count) : 0;
    }

    /**
     * A run of events, each as {@link #onEvent(int, DirectBuffer, int, long, long)} would process it,
     * in order, skipping those whose source the instance does not read; a halt stops the run before the
     * next event (nothing is thrown: the halt shows in {@link #state()}). A window stage that comes first
     * gets each event straight from this loop, after a look at all the run's keys
     * ({@link WindowOperator#prefetch}); a join looks at the next {@value #JOIN_PREFETCH_EVENTS} events' keys before
     * processing them ({@link JoinStage#prefetch}). Partition thread only.
     *
     * @param batch         of consecutive events of the instance's partition.
     * @param inputOfSource the input each source feeds ({@code inputOfSource[batch.source(i)]}), -1 for none.
     */
    public void onEvents(final EventBatch batch, final int[] inputOfSource)
    {
        final DirectBuffer buffer = batch.buffer();
        final int size = batch.size();
        final EventFlyweight view = inputView;
        final WindowOperator operator = join == null && window != null && head == window ? window.operator() : null;
        if (operator != null)
        {
            // The run's keys first: their state comes into the cache with the misses overlapped.
            operator.prefetch(batch.keys(), batch.timestamps(), size);
        }
        for (int e = 0; e < size; e++)
        {
            if (join != null && (e & (JOIN_PREFETCH_EVENTS - 1)) == 0)
            {
                // The next events' key index entries first, a few at a time, so they are still in the first-level cache when used.
                join.prefetch(batch.keys(), e, Math.min(size, e + JOIN_PREFETCH_EVENTS));
            }
            final int input = inputOfSource[batch.source(e)];
            if (input < 0)
            {
                continue;
            }
            if (state != RUNNING)
            {
                return;
            }
            eventsIn++;
            if (operator != null)
            {
                // What the window stage's onEvent does, without the call through the stage chain.
                operator.onEvent(batch.key(e), batch.timestamp(e), view.wrap(buffer, batch.offset(e)));
            }
            else if (join != null)
            {
                join.onInput(input, buffer, batch.offset(e), batch.key(e), batch.timestamp(e));
            }
            else
            {
                head.onEvent(view.wrap(buffer, batch.offset(e)), batch.key(e), batch.timestamp(e));
            }
        }
    }

    /**
     * Whether the instance takes events as columns ({@link #onColumns}): it was built by {@link #createColumnar} and
     * its first stage is a window the columnar kernel runs.
     *
     * @return true when {@link #onColumns} may be called.
     */
    public boolean takesColumns()
    {
        return join == null && window != null && head == window && window.operator() instanceof ColumnarWindowOperator;
    }

    /**
     * A run of events of the instance's only input given as columns, each processed as {@link #onEvent} would
     * process it, in index order; a halt stops the run before the next event (nothing is thrown: the halt shows in
     * {@link #state()}). Only for an instance that {@link #takesColumns()}. Partition thread only.
     *
     * @param columns each field's values by field index of the input schema (its key and event-time fields included).
     * @param from    first event.
     * @param to      one past the last event.
     */
    public void onColumns(final long[][] columns, final int from, final int to)
    {
        final ColumnarWindowOperator kernel = (ColumnarWindowOperator)window.operator();
        final long[] keys = columns[pipeline.partitionKeyField()];
        final long[] times = columns[pipeline.eventTimeField()];
        int next = from;
        while (next < to && state == RUNNING)
        {
            // The kernel stops after an event that emitted results: a sink failing under HALT stops the run there.
            final int processed = kernel.onColumns(keys, times, columns, next, to);
            eventsIn += processed - next;
            next = processed;
        }
    }

    /**
     * Whether results are still waiting to be emitted in slices (a window firing in progress,
     * {@link WindowOperator#firingInProgress}, or an interval join's eviction with its null-padded rows,
     * {@link io.sluice.engine.join.IntervalJoinOperator#evictionPending}): the engine then journals
     * continuation ticks, each emitting one slice, so the rest does not wait for the next event.
     *
     * @return true while this running instance has results pending (a halted or failed instance
     *         ignores ticks, so it never asks for one).
     */
    public boolean resultsPending()
    {
        return state == RUNNING &&
            ((window != null && window.operator().firingInProgress()) || (join != null && join.resultsPending()));
    }

    /**
     * A journaled processing-time tick: lets idle partitions and processing-time windows advance.
     *
     * @param processingTime journaled time of the tick.
     */
    public void onProcessingTime(final long processingTime)
    {
        if (state == RUNNING)
        {
            if (join != null)
            {
                join.onProcessingTime(processingTime);
            }
            else
            {
                head.onProcessingTime(processingTime);
            }
        }
    }

    /**
     * End of a bounded input: every open window and pending result is emitted.
     */
    public void onEndOfInput()
    {
        if (state == RUNNING)
        {
            if (join != null)
            {
                join.onEndOfInput();
            }
            else
            {
                head.onEndOfInput();
            }
        }
    }

    /**
     * Sizes the window state that {@link #createForRestore} left unsized, for the pipeline's hint: when no checkpoint is
     * restored into the instance. Nothing happens when it is sized already.
     */
    public void presize()
    {
        if (window != null)
        {
            window.operator().presize();
        }
    }

    /**
     * Tells the instance's window operator that recovery is replaying the journal through it, or has finished
     * ({@link WindowOperator#recovering}).
     *
     * @param recovering true before the replay, false after it.
     */
    public void recovering(final boolean recovering)
    {
        if (window != null)
        {
            window.operator().recovering(recovering);
        }
    }

    /**
     * Hands the instance's operators to the thread that calls them next (recovery runs on the
     * start-up thread, processing on the partition thread, started after it).
     */
    public void releaseOwnership()
    {
        if (window != null)
        {
            window.operator().releaseOwnership();
        }
    }

    /**
     * A checkpoint barrier: lets the sink make its outputs so far durable. Called on the partition
     * thread right after {@link #snapshotTo}.
     */
    public void onCheckpoint()
    {
        onCheckpoint(-1);
    }

    /**
     * A checkpoint barrier of a known checkpoint: lets the sink make its outputs so far durable, or
     * prepare them to be committed once the checkpoint completes
     * ({@link EventSink#onCheckpoint(int, long)}). Called on the partition thread right after
     * {@link #snapshotTo}.
     *
     * @param checkpointId of the checkpoint whose barrier this is, or -1 if unknown.
     */
    public void onCheckpoint(final long checkpointId)
    {
        sink.onCheckpoint(checkpointId);
    }

    /**
     * The partition thread's turn ended (or recovery's replay did): lets the sink publish the outputs it was given since
     * the last turn's end ({@link EventSink#onTurnEnd}); nothing when there were none. Called on the thread that
     * delivered them.
     */
    public void onTurnEnd()
    {
        if (sink != null)
        {
            sink.onTurnEnd();
        }
    }

    void onOutput()
    {
        outputs++;
    }

    void onLateEvent(final long key, final long timestamp, final long watermark, final io.sluice.schema.EventValues event)
    {
        lateEvents++;
    }

    void onLateJoinEvent()
    {
        lateEvents++;
    }

    void onStageError(
        final String stage, final ErrorPolicy policy, final EventFlyweight event, final long key, final long timestamp, final Throwable error)
    {
        errors++;
        if (policy == ErrorPolicy.HALT)
        {
            haltCause = error;
            state = HALTED; // volatile: other threads see the halt together with its cause
        }
        errorHandler.onStageError(pipeline.name(), stage, policy, event, key, timestamp, error);
    }

    private PipelineHaltedException halted()
    {
        return new PipelineHaltedException(
            "pipeline '" + pipeline.name() + "' partition " + partition + " is halted: " + haltCause, haltCause);
    }

    /**
     * The definition this instance runs.
     *
     * @return the pipeline.
     */
    public Pipeline pipeline()
    {
        return pipeline;
    }

    /**
     * The partition it serves.
     *
     * @return the partition.
     */
    public int partition()
    {
        return partition;
    }

    /**
     * RUNNING or HALTED.
     *
     * @return the state.
     */
    public int state()
    {
        return state;
    }

    /**
     * Why the instance halted, or null.
     *
     * @return the cause or null.
     */
    public Throwable haltCause()
    {
        return haltCause;
    }

    /**
     * Events received.
     *
     * @return the count.
     */
    public long eventsIn()
    {
        return eventsIn;
    }

    /**
     * Outputs delivered to the sink; also the next output sequence number.
     *
     * @return the count.
     */
    public long outputs()
    {
        return outputs;
    }

    /**
     * Failures of user code.
     *
     * @return the count.
     */
    public long errors()
    {
        return errors;
    }

    /**
     * Events later than the allowed lateness, sent to the late side output.
     *
     * @return the count.
     */
    public long lateEvents()
    {
        return lateEvents;
    }

    /**
     * Events in gaps of hopping windows (belonging to no window).
     *
     * @return the count, 0 without a window stage.
     */
    public long unassignedEvents()
    {
        return window == null ? 0 : window.operator().unassignedEvents();
    }

    /**
     * The current watermark of the window stage.
     *
     * @return the watermark, Long.MIN_VALUE without a window stage.
     */
    public long watermark()
    {
        if (window != null)
        {
            return window.operator().watermark();
        }
        return join == null ? Long.MIN_VALUE : join.watermark();
    }

    /**
     * Entries of window state held.
     *
     * @return the count, 0 without a window stage.
     */
    public int stateEntries()
    {
        return (window == null ? 0 : window.operator().stateEntries()) + (join == null ? 0 : join.operator().stateEntries());
    }

    /**
     * Bytes of join state held (records and table rows), 0 without a join.
     *
     * @return the bytes.
     */
    public long joinStateBytes()
    {
        return join == null ? 0 : join.operator().stateBytes();
    }

    /**
     * Outputs dropped by the pipeline's suppression (cooldown or on change).
     *
     * @return the count, 0 without a suppression.
     */
    public long suppressedOutputs()
    {
        return suppress == null ? 0 : suppress.suppressed();
    }

    /**
     * Upper bound of the bytes {@link #snapshotTo} writes.
     *
     * @return the length in bytes.
     */
    public int snapshotLength()
    {
        return 16 + (window == null ? 0 : window.operator().snapshotLength()) + (join == null ? 0 : join.operator().snapshotLength()) +
            (suppress == null ? 0 : suppress.snapshotLength());
    }

    /**
     * Writes the instance's state: output sequence, counters and window state.
     *
     * @param buffer to write into.
     * @param offset to start at.
     * @return bytes written.
     */
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        continueSnapshot(Integer.MAX_VALUE);
        return length;
    }

    /**
     * Starts a snapshot of the instance's state at a checkpoint barrier: the output sequence and the
     * counters are written now, the join, window and suppression state's headers now and their rows in
     * {@link #continueSnapshot} slices (or before they change). The finished bytes hold the state
     * {@link #snapshotTo} would have written at this call (rows possibly in another order).
     *
     * @param buffer to write into, untouched by others until the snapshot is complete.
     * @param offset to start at.
     * @return the bytes the complete snapshot takes.
     */
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, sink.sequence());
        buffer.putLong(offset + 8, lateEvents);
        int length = 16;
        if (join != null)
        {
            length += join.operator().beginSnapshot(buffer, offset + length);
        }
        if (window != null)
        {
            length += window.operator().beginSnapshot(buffer, offset + length);
        }
        if (suppress != null)
        {
            length += suppress.beginSnapshot(buffer, offset + length);
        }
        return length;
    }

    /**
     * Writes the next slice of the snapshot begun at the last barrier.
     *
     * @param budget rows of state to look at, at least 1; {@link Integer#MAX_VALUE} for the rest.
     * @return true once the snapshot is complete (also when none is in progress).
     */
    public boolean continueSnapshot(final int budget)
    {
        return (join == null || join.operator().continueSnapshot(budget)) &&
            (window == null || window.operator().continueSnapshot(budget)) &&
            (suppress == null || suppress.continueSnapshot(budget));
    }

    /**
     * Restores state written by {@link #snapshotTo} of an identically defined pipeline.
     *
     * @param buffer to read.
     * @param offset to start at.
     * @return bytes read.
     */
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        sink.sequence(buffer.getLong(offset));
        outputs = buffer.getLong(offset);
        lateEvents = buffer.getLong(offset + 8);
        int length = 16;
        if (join != null)
        {
            length += join.operator().restoreFrom(buffer, offset + length);
        }
        if (window != null)
        {
            length += window.operator().restoreFrom(buffer, offset + length);
        }
        if (suppress != null)
        {
            length += suppress.restoreFrom(buffer, offset + length);
        }
        return length;
    }
}
