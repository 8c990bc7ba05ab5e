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
            final int figure = networkFigure(typeId);
            if (figure >= 0)
            {
                final String name = SluiceCounters.name(reader, counterId);
                final long[] figures = byEndpoint.computeIfAbsent(name.isEmpty() ? "network" : name, k -> new long[NETWORK_FIGURES]);
                figures[figure] = reader.getCounterValue(counterId);
            }
        });
        final String[] lines = new String[byEndpoint.size()];
        int i = 0;
        for (final Map.Entry<String, long[]> endpoint : byEndpoint.entrySet())
        {
            final long[] figures = endpoint.getValue();
            final long losses = figures[LOSSES];
            final String lost = losses == 0 ? "" : " (Aeron client lost " + losses + (losses == 1 ? " time)" : " times)");
            lines[i++] = endpoint.getKey() + (figures[UP] == 1 ? ": UP" + lost :
                ": DOWN, its Aeron client died and it is reconnecting" + lost) + commits(figures);
        }
        return lines;
    }

    private static final int UP = 0;
    private static final int LOSSES = 1;
    private static final int COMMITS_PENDING = 2;
    private static final int COMMIT_STORES = 3;
    private static final int COMMIT_STORE_FAILURES = 4;
    private static final int COMMIT_STORE_MAX_US = 5;
    private static final int NETWORK_FIGURES = 6;

    private static int networkFigure(final int typeId)
    {
        switch (typeId)
        {
            case SluiceCounters.NET_CLIENT_UP_TYPE_ID: return UP;
            case SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID: return LOSSES;
            case SluiceCounters.NET_COMMITS_PENDING_TYPE_ID: return COMMITS_PENDING;
            case SluiceCounters.NET_COMMIT_STORES_TYPE_ID: return COMMIT_STORES;
            case SluiceCounters.NET_COMMIT_STORE_FAILURES_TYPE_ID: return COMMIT_STORE_FAILURES;
            case SluiceCounters.NET_COMMIT_STORE_MAX_US_TYPE_ID: return COMMIT_STORE_MAX_US;
            default: return -1;
        }
    }

    /**
     * The consumer commits of an egress endpoint, when it has had any: pending (accepted, awaiting the disk), the
     * offsets files stored and the longest store, the stores that failed.
     */
    private static String commits(final long[] figures)
    {
        if (figures[COMMITS_PENDING] == 0 && figures[COMMIT_STORES] == 0 && figures[COMMIT_STORE_FAILURES] == 0)
        {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "; commits: %d pending, %d stores (longest %.1f ms), %d failed%s",
            figures[COMMITS_PENDING], figures[COMMIT_STORES], figures[COMMIT_STORE_MAX_US] / 1000.0, figures[COMMIT_STORE_FAILURES],
            figures[COMMIT_STORE_FAILURES] > 0 ? " (sluice ctl errors names the group and its file)" : "");
    }
}
