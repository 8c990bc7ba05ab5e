package io.sluice.loadgen;

import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Turns a join pipeline's rows into alerts in an {@link AlertLog}: one join feeds several rules (the
 * interval join both unpaid orders and short payments, the lookup both blocked accounts and orders
 * over the limit), so a classifier names each row's rule. The alert's key is the join key and its
 * span the left event's time {@code [ts, ts + 1)}.
 *
 * <p>Threading: called on partition threads; appends to that partition's log, no allocation.
 */
public final class JoinAlertSink implements EventSink
{
    private final AlertLog log;
    private final int[] kinds;
    private final ToIntFunction<EventFlyweight> classifier;
    private final ToDoubleFunction<EventFlyweight> value;
    private final int keyField;
    private final int timeField;

    /**
     * Creates the sink for join rows.
     *
     * @param log        receiving the alerts.
     * @param kinds      of the rules the join feeds.
     * @param classifier giving a row's index into {@code kinds}; must not allocate.
     * @param value      read from a row (an amount, a ratio); must not allocate.
     * @param rows       schema of the join rows.
     * @param timeField  name of the row field whose time the alert carries (the left event's time).
     */
    public JoinAlertSink(
        final AlertLog log, final String[] kinds, final ToIntFunction<EventFlyweight> classifier,
        final ToDoubleFunction<EventFlyweight> value, final Schema rows, final String timeField)
    {
        this.log = log;
        this.kinds = new int[kinds.length];
        for (int k = 0; k < kinds.length; k++)
        {
            this.kinds[k] = log.kind(kinds[k]);
        }
        this.classifier = classifier;
        this.value = value;
        this.keyField = rows.field(JoinSpec.KEY).index();
        this.timeField = rows.field(timeField).index();
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        final long ts = event.getLong(timeField);
        log.append(partition, kinds[classifier.applyAsInt(event)], event.getLong(keyField), ts, ts + 1, value.applyAsDouble(event));
    }
}
