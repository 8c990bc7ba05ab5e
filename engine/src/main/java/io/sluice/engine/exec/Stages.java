package io.sluice.engine.exec;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.EventMapper;
import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.KeySelector;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.schema.EventValues;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowResult;
import io.sluice.engine.window.WindowResultHandler;

/**
 * The fused stage implementations. Each holds its next stage and calls it directly; user code runs
 * inside a try block whose failure goes to the instance's error handling under the stage's policy.
 */
final class Stages
{
    private Stages()
    {
    }

    /**
     * Common plumbing: the next stage and failure reporting.
     */
    abstract static class Base implements Stage
    {
        final PipelineInstance instance;
        final String description;
        final ErrorPolicy policy;
        final Stage next;

        Base(final PipelineInstance instance, final String description, final ErrorPolicy policy, final Stage next)
        {
            this.instance = instance;
            this.description = description;
            this.policy = policy;
            this.next = next;
        }

        final void fail(final EventFlyweight event, final long key, final long timestamp, final Throwable error)
        {
            instance.onStageError(description, policy, event, key, timestamp, error);
        }

        @Override
        public long prefetch(final long[] keys, final int count)
        {
            // a filter or a map keeps the event's key: the hint holds for the next stage
            return next == null ? 0 : next.prefetch(keys, count);
        }

        @Override
        public void onProcessingTime(final long processingTime)
        {
            next.onProcessingTime(processingTime);
        }

        @Override
        public void onEndOfInput()
        {
            next.onEndOfInput();
        }
    }

    static final class Filter extends Base
    {
        private final EventPredicate predicate;

        Filter(final PipelineInstance instance, final String description, final ErrorPolicy policy, final Stage next,
            final EventPredicate predicate)
        {
            super(instance, description, policy, next);
            this.predicate = predicate;
        }

        @Override
        public void onEvent(final EventFlyweight event, final long key, final long timestamp)
        {
            final boolean pass;
            try
            {
                pass = predicate.test(event);
            }
            catch (final RuntimeException ex)
            {
                fail(event, key, timestamp, ex);
                return;
            }
            if (pass)
            {
                next.onEvent(event, key, timestamp);
            }
        }
    }

    static final class Map extends Base
    {
        private final EventMapper mapper;
        private final EventFlyweight out;

        Map(final PipelineInstance instance, final String description, final ErrorPolicy policy, final Stage next,
            final EventMapper mapper, final Schema outSchema)
        {
            super(instance, description, policy, next);
            this.mapper = mapper;
            this.out = new EventFlyweight(outSchema).wrapForWrite(new UnsafeBuffer(new byte[outSchema.length()]), 0);
        }

        @Override
        public void onEvent(final EventFlyweight event, final long key, final long timestamp)
        {
            final boolean emit;
            try
            {
                out.clear();
                emit = mapper.map(event, out);
            }
            catch (final RuntimeException ex)
            {
                fail(event, key, timestamp, ex);
                return;
            }
            if (emit)
            {
                next.onEvent(out, key, timestamp);
            }
        }
    }

    static final class KeyBy extends Base
    {
        private final KeySelector selector;

        KeyBy(final PipelineInstance instance, final String description, final ErrorPolicy policy, final Stage next,
            final KeySelector selector)
        {
            super(instance, description, policy, next);
            this.selector = selector;
        }

        @Override
        public void onEvent(final EventFlyweight event, final long key, final long timestamp)
        {
            final long newKey;
            try
            {
                newKey = selector.key(event);
            }
            catch (final RuntimeException ex)
            {
                fail(event, key, timestamp, ex);
                return;
            }
            next.onEvent(event, newKey, timestamp);
        }

        @Override
        public long prefetch(final long[] keys, final int count)
        {
            return 0; // the keys change here
        }
    }

    /**
     * Feeds a window operator and turns each of its results into an event of the result schema.
     */
    static final class Window extends Base implements WindowResultHandler
    {
        private final EventFlyweight result;
        private final int aggregateCount;
        private final boolean[] doubleResult;
        /** Per aggregate: the error counted when its DECIMAL result overflowed, or null for other types. */
        private final RuntimeException[] decimalOverflow;
        private final boolean decimalResults;
        private final int firstAggregateField;
        private WindowOperator operator;

        Window(final PipelineInstance instance, final String description, final ErrorPolicy policy, final Stage next,
            final WindowSpec spec)
        {
            super(instance, description, policy, next);
            final Schema schema = spec.resultSchema();
            this.result = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
            this.aggregateCount = schema.fieldCount() - 4;
            this.firstAggregateField = 4;
            this.doubleResult = new boolean[aggregateCount];
            this.decimalOverflow = new RuntimeException[aggregateCount];
            boolean decimals = false;
            for (int i = 0; i < aggregateCount; i++)
            {
                doubleResult[i] = spec.resultType(i) == io.sluice.schema.FieldType.DOUBLE;
                if (spec.resultType(i) == io.sluice.schema.FieldType.DECIMAL)
                {
                    // Built once: counting an overflow allocates nothing.
                    decimalOverflow[i] = new io.sluice.schema.Decimals.DecimalException("decimal overflow: aggregate '" +
                        schema.field(firstAggregateField + i).name() + "' has more than " + io.sluice.schema.Decimals.MAX_PRECISION +
                        " digits; the result shows OVERFLOW");
                    decimals = true;
                }
            }
            this.decimalResults = decimals;
        }

        void operator(final WindowOperator operator)
        {
            this.operator = operator;
        }

        WindowOperator operator()
        {
            return operator;
        }

        @Override
        public void onEvent(final EventFlyweight event, final long key, final long timestamp)
        {
            operator.onEvent(key, timestamp, event);
        }

        @Override
        public long prefetch(final long[] keys, final int count)
        {
            return operator.prefetch(keys, count);
        }

        @Override
        public void onProcessingTime(final long processingTime)
        {
            operator.onProcessingTime(processingTime);
            next.onProcessingTime(processingTime);
        }

        @Override
        public void onEndOfInput()
        {
            operator.endOfInput();
            next.onEndOfInput();
        }

        @Override
        public void onResult(final long key, final long windowStart, final long windowEnd, final int flags, final WindowResult values)
        {
            result.putLong(0, key).putLong(1, windowStart).putLong(2, windowEnd).putInt(3, flags);
            for (int i = 0; i < aggregateCount; i++)
            {
                if (doubleResult[i])
                {
                    result.putDouble(firstAggregateField + i, values.doubleValue(i));
                }
                else
                {
                    result.putLong(firstAggregateField + i, values.longValue(i));
                }
            }
            for (int i = 0; decimalResults && i < aggregateCount; i++)
            {
                if (decimalOverflow[i] != null && values.longValue(i) == io.sluice.schema.Decimals.OVERFLOW)
                {
                    // Counted under the stage's policy; the result still goes out, showing OVERFLOW rather than a wrong sum.
                    fail(result, key, windowEnd - 1, decimalOverflow[i]);
                }
            }
            // Flink's convention: a window result's timestamp is the window's last instant.
            next.onEvent(result, key, windowEnd - 1);
        }
    }

    /**
     * Terminal stage: numbers the outputs and hands them to the sink.
     */
    static final class Sink extends Base
    {
        /** The pipeline's sink; a scratch copy's discarding sink, which its warm-up changes between events ({@link #discardInto}). */
        private EventSink sink;
        private long sequence;
        /** {@link #sequence} at the last {@link #onTurnEnd}: a turn without outputs does not call the sink. */
        private long sequenceAtTurnEnd;

        Sink(final PipelineInstance instance, final String description, final ErrorPolicy policy, final EventSink sink)
        {
            super(instance, description, policy, null);
            this.sink = sink;
        }

        @Override
        public void onEvent(final EventFlyweight event, final long key, final long timestamp)
        {
            final long outputSequence = sequence++;
            instance.onOutput();
            try
            {
                sink.onEvent(instance.partition(), outputSequence, key, timestamp, event);
            }
            catch (final RuntimeException ex)
            {
                fail(event, key, timestamp, ex);
            }
        }

        long sequence()
        {
            return sequence;
        }

        /**
         * A scratch copy's results go to {@code discarding} from now on. Its thread only, between events: a JIT warm-up
         * that hands results to discarding sinks of several classes in turn leaves the call above profiled as a call of
         * any class from its first profile on, so code compiled from that profile takes no trap at a live sink's first result.
         */
        void discardInto(final EventSink discarding)
        {
            this.sink = discarding;
        }

        void onCheckpoint(final long checkpointId)
        {
            sink.onCheckpoint(instance.partition(), checkpointId);
        }

        /**
         * The partition thread's turn ended: tells the sink if it was given outputs since the last turn's end
         * ({@link EventSink#onTurnEnd}). A sink that fails to publish them halts the instance, whatever the stage's
         * policy: the outputs it took did not reach its readers, and the next ones would not either.
         */
        void onTurnEnd()
        {
            final long sequence = this.sequence;
            if (sequence != sequenceAtTurnEnd)
            {
                sequenceAtTurnEnd = sequence;
                try
                {
                    sink.onTurnEnd(instance.partition());
                }
                catch (final RuntimeException ex)
                {
                    instance.onStageError(description, ErrorPolicy.HALT, null, 0, 0, ex);
                }
            }
        }

        void sequence(final long sequence)
        {
            this.sequence = sequence;
            this.sequenceAtTurnEnd = sequence;
        }

        @Override
        public void onProcessingTime(final long processingTime)
        {
        }

        @Override
        public void onEndOfInput()
        {
            sink.onEndOfInput(instance.partition());
        }
    }

    /**
     * Late events of a window stage go to the pipeline's late side output.
     */
    static final class LateOutput implements io.sluice.engine.window.LateEventHandler
    {
        private final PipelineInstance instance;

        LateOutput(final PipelineInstance instance)
        {
            this.instance = instance;
        }

        @Override
        public void onLateEvent(final long key, final long timestamp, final long watermark, final EventValues values)
        {
            instance.onLateEvent(key, timestamp, watermark, values);
        }
    }
}
