package io.sluice.ops.jmx;

import java.util.LinkedHashMap;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;

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

    @Override
    public String[] getNetworkStatus()
    {
        final Map<String, long[]> byEndpoint = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == SluiceCounters.NET_CLIENT_UP_TYPE_ID || typeId == SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID)
            {
                final String name = SluiceCounters.name(reader, counterId);
                final long[] figures = byEndpoint.computeIfAbsent(name.isEmpty() ? "network" : name, k -> new long[2]);
                figures[typeId == SluiceCounters.NET_CLIENT_UP_TYPE_ID ? 0 : 1] = reader.getCounterValue(counterId);
            }
        });
        final String[] lines = new String[byEndpoint.size()];
        int i = 0;
        for (final Map.Entry<String, long[]> endpoint : byEndpoint.entrySet())
        {
            final long losses = endpoint.getValue()[1];
            final String lost = losses == 0 ? "" : " (Aeron client lost " + losses + (losses == 1 ? " time)" : " times)");
            lines[i++] = endpoint.getKey() + (endpoint.getValue()[0] == 1 ? ": UP" + lost :
                ": DOWN, its Aeron client died and it is reconnecting" + lost);
        }
        return lines;
    }
}
