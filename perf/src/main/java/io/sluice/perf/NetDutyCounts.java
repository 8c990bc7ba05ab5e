package io.sluice.perf;

import java.nio.file.Path;
import java.util.Locale;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.ops.stat.CountersFile;

/**
 * The daemon's network counters around the Sluice phases of {@link NetLatencyClient}, read from its
 * counters file (as {@code sluice stat} does), so that the work per message can be counted where the
 * latencies on a busy machine are mostly waiting for a CPU: ACK frames, RECORD frames, duty cycles of the
 * ingress and the egress server, and the ingress duty's cycles that yielded while events were in the
 * engine awaiting their ACK (instead of backing off into a park), and the waits for the engine longer than the
 * 20 idle cycles after which a backing-off duty parks.
 *
 * <p>Threading: the client's thread only.
 */
final class NetDutyCounts implements AutoCloseable
{
    private static final int EVENTS_IN = 0;
    private static final int ACKS_OUT = 1;
    private static final int INGRESS_CYCLES = 2;
    private static final int ENGINE_WAITS = 3;
    private static final int RECORDS_OUT = 4;
    private static final int EGRESS_CYCLES = 5;
    private static final int LONG_WAITS = 6;
    private static final int FIGURES = 7;

    private final CountersFile file;
    private final CountersReader reader;
    private final int[] ids = new int[FIGURES];
    private final long[] start = new long[FIGURES];
    private final long[] sum = new long[FIGURES];

    /**
     * @param dataDir the daemon's data directory.
     * @param ingress the ingress item of the medium, e.g. {@code ingress[0]}.
     * @param egress  the egress item of the medium, e.g. {@code egress[0]}.
     */
    NetDutyCounts(final Path dataDir, final String ingress, final String egress)
    {
        this.file = CountersFile.openForReading(dataDir);
        this.reader = file.newCountersReader();
        ids[EVENTS_IN] = find(SluiceCounters.NET_EVENTS_IN_TYPE_ID, ingress);
        ids[ACKS_OUT] = find(SluiceCounters.NET_ACKS_OUT_TYPE_ID, ingress);
        ids[INGRESS_CYCLES] = find(SluiceCounters.NET_DUTY_CYCLES_TYPE_ID, ingress);
        ids[ENGINE_WAITS] = find(SluiceCounters.NET_ENGINE_WAITS_TYPE_ID, ingress);
        ids[RECORDS_OUT] = find(SluiceCounters.NET_RECORDS_OUT_TYPE_ID, egress);
        ids[EGRESS_CYCLES] = find(SluiceCounters.NET_DUTY_CYCLES_TYPE_ID, egress);
        ids[LONG_WAITS] = find(SluiceCounters.NET_ENGINE_LONG_WAITS_TYPE_ID, ingress);
    }

    private int find(final int typeId, final String scope)
    {
        final int[] found = {CountersReader.NULL_COUNTER_ID};
        reader.forEach((counterId, type, key, label) ->
        {
            final int length = key.getInt(SluiceCounters.NAME_LENGTH_OFFSET);
            if (type == typeId && length == scope.length() &&
                scope.equals(key.getStringWithoutLengthUtf8(SluiceCounters.NAME_OFFSET, length)))
            {
                found[0] = counterId;
            }
        });
        if (found[0] == CountersReader.NULL_COUNTER_ID)
        {
            throw new IllegalStateException("the daemon has no counter " + SluiceCounters.metricName(typeId) + " of " + scope);
        }
        return found[0];
    }

    /** At the start of a phase. */
    void begin()
    {
        for (int i = 0; i < FIGURES; i++)
        {
            start[i] = reader.getCounterValue(ids[i]);
        }
    }

    /** At the end of a phase: adds what the phase did. */
    void end()
    {
        for (int i = 0; i < FIGURES; i++)
        {
            sum[i] += reader.getCounterValue(ids[i]) - start[i];
        }
    }

    /**
     * One line of the phases' sums per event.
     *
     * @param media the medium.
     * @return e.g. {@code COUNTS media=ipc events=100000 per event: acks 1.00, records 1.00, ...}.
     */
    String line(final String media)
    {
        final double events = Math.max(1, sum[EVENTS_IN]);
        return String.format(Locale.ROOT, "COUNTS media=%s events=%d per event: ACK frames %.3f, RECORD frames %.3f, ingress duty cycles " +
            "%.2f (of which yields awaiting the engine %.2f), egress duty cycles %.2f; waits for the engine longer than 20 idle cycles " +
            "(a backing-off duty parks there) %.4f", media, sum[EVENTS_IN], sum[ACKS_OUT] / events, sum[RECORDS_OUT] / events,
            sum[INGRESS_CYCLES] / events, sum[ENGINE_WAITS] / events, sum[EGRESS_CYCLES] / events, sum[LONG_WAITS] / events);
    }

    @Override
    public void close()
    {
        file.close();
    }
}
