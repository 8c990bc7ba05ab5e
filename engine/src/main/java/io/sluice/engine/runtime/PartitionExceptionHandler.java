package io.sluice.engine.runtime;

import org.agrona.concurrent.errors.DistinctErrorLog;

import com.lmax.disruptor.ExceptionHandler;

/**
 * Records a partition's fatal failure and stops its processor, so the failure is visible as state
 * ({@link Engine#partitionFailure}) rather than a silently dead thread (the Disruptor's default
 * handler would just rethrow).
 */
final class PartitionExceptionHandler implements ExceptionHandler<RingSlot>
{
    private final PartitionProcessor handler;
    private final DistinctErrorLog errorLog;

    PartitionExceptionHandler(final PartitionProcessor handler, final DistinctErrorLog errorLog)
    {
        this.handler = handler;
        this.errorLog = errorLog;
    }

    @Override
    public void handleEventException(final Throwable ex, final long sequence, final RingSlot event)
    {
        errorLog.record(ex);
        handler.onFatal(ex);
        throw new EngineException("partition " + handler.topic() + "/" + handler.partition() + " stopped at ring sequence " +
            sequence + ": " + ex.getMessage(), ex);
    }

    @Override
    public void handleOnStartException(final Throwable ex)
    {
        errorLog.record(ex);
    }

    @Override
    public void handleOnShutdownException(final Throwable ex)
    {
        errorLog.record(ex);
    }
}
