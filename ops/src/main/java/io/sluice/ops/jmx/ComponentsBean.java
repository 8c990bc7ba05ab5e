package io.sluice.ops.jmx;

import java.util.LinkedHashMap;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

/**
 * Reads the component counters (type ids {@value #MIN_TYPE_ID}-{@value #MAX_TYPE_ID}) from the
 * counters file on each call.
 *
 * <p>Threading: JMX threads; reads only.
 */
final class ComponentsBean implements ComponentsMXBean
{
    /** First type id reserved for daemon components. */
    static final int MIN_TYPE_ID = 3000;
    /** Last type id reserved for daemon components. */
    static final int MAX_TYPE_ID = 3999;

    private final CountersReader reader;

    ComponentsBean(final CountersReader reader)
    {
        this.reader = reader;
    }

    @Override
    public Map<String, Long> getCounters()
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId >= MIN_TYPE_ID && typeId <= MAX_TYPE_ID)
            {
                values.put(label, reader.getCounterValue(counterId));
            }
        });
        return values;
    }
}
