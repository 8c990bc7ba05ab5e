package io.sluice.perf;

import java.util.Locale;

import org.agrona.concurrent.status.CountersReader;

import io.aeron.AeronCounters;

/**
 * The media driver's own counters over one phase of {@link NetLatencyClient} (the daemon's driver, which every
 * process of the benchmark uses): what Aeron did besides delivering, so that a phase whose tail stands out can
 * be told apart as loss and its repair (NAKs, retransmits, gap fills: UDP only), flow control (a sender held
 * at its receiver's window) or a driver thread that did not run for a while (duty cycles over Aeron's stall
 * threshold).
 *
 * <p>Threading: the client's thread only.
 */
final class NetDriverCounts
{
    private static final int[] IDS = {
        AeronCounters.SYSTEM_COUNTER_ID_NAK_MESSAGES_SENT,
        AeronCounters.SYSTEM_COUNTER_ID_RETRANSMITS_SENT,
        AeronCounters.SYSTEM_COUNTER_ID_LOSS_GAP_FILLS,
        AeronCounters.SYSTEM_COUNTER_ID_SENDER_FLOW_CONTROL_LIMITS,
        AeronCounters.SYSTEM_COUNTER_ID_SHORT_SENDS,
        AeronCounters.SYSTEM_COUNTER_ID_CONDUCTOR_CYCLE_TIME_THRESHOLD_EXCEEDED,
    };
    private static final String FORMAT = "NAKs %d, retransmits %d, gap fills %d, sender flow-control limits %d, short sends %d, " +
        "driver cycles over its stall threshold %d";

    private final CountersReader reader;
    private final long[] start = new long[IDS.length];
    private final long[] delta = new long[IDS.length];

    /**
     * @param reader of the driver's counters (a connected client's).
     */
    NetDriverCounts(final CountersReader reader)
    {
        this.reader = reader;
    }

    /** At the start of a phase. */
    void begin()
    {
        for (int i = 0; i < IDS.length; i++)
        {
            start[i] = reader.getCounterValue(IDS[i]);
        }
    }

    /** At the end of a phase: keeps what the phase counted. */
    void end()
    {
        for (int i = 0; i < IDS.length; i++)
        {
            delta[i] = reader.getCounterValue(IDS[i]) - start[i];
        }
    }

    /**
     * The last phase's counts.
     *
     * @return e.g. {@code NAKs 0, retransmits 0, gap fills 0, sender flow-control limits 0, short sends 0, ...}.
     */
    String text()
    {
        final Object[] values = new Object[IDS.length];
        for (int i = 0; i < IDS.length; i++)
        {
            values[i] = delta[i];
        }
        return String.format(Locale.ROOT, FORMAT, values);
    }
}
