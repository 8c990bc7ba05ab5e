package io.sluice.loadgen;

import java.util.function.ToDoubleFunction;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.EventFlyweight;

/**
 * Turns a detector pipeline's window results into alerts in an {@link AlertLog}: the key, the
 * window's [start, end) and the value that crossed the threshold.
 *
 * <p>Threading: called on partition threads; appends to that partition's log, no allocation.
 */
public final class AlertSink implements EventSink
{
    private final AlertLog log;
    private final int kind;
    private final ToDoubleFunction<EventFlyweight> value;
    private final int startField;
    private final int endField;

    /**
     * Creates the sink for window results.
     *
     * @param log    receiving the alerts.
     * @param kind   of the alerts.
     * @param value  read from a result; must not allocate.
     * @param result schema of the window results.
     */
    public AlertSink(
        final AlertLog log, final String kind, final ToDoubleFunction<EventFlyweight> value,
        final io.sluice.schema.Schema result)
    {
        this.log = log;
        this.kind = log.kind(kind);
        this.value = value;
        this.startField = result.field(WindowSpec.WINDOW_START).index();
        this.endField = result.field(WindowSpec.WINDOW_END).index();
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        log.append(partition, kind, key, event.getLong(startField), event.getLong(endField), value.applyAsDouble(event));
    }
}
