package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Sensor readings: every device reports a value near its own baseline once per round, with
 * injected drifts (a device's value climbs steadily for {@link #DRIFT_MS}) and outages (a device
 * reports nothing for {@link #OUTAGE_MIN_MS} to {@link #OUTAGE_MAX_MS}). See {@link SensorDesk} for
 * the rules both sides share.
 *
 * <p>Normal traffic stays inside the rules by construction: baselines are in [18, 22] and noise
 * within +-1, so no normal one-minute mean reaches {@link SensorDesk#DRIFT_MEAN} (26); a drift adds
 * {@link #DRIFT_PER_S} per simulated second, 15 by its end. Devices are visited in rounds (a fresh
 * seeded shuffle each round, about 10 s of simulated time), so a reporting device is never silent for
 * more than 20 s, well under the outage rule's {@link SensorDesk#OUTAGE_GAP_MS} (60 s). A device in
 * an outage is skipped: its turn goes to the next device of the round.
 *
 * <p>Simulated time: event i has time {@code BASE_EPOCH_MS + i * msPerEvent}.
 *
 * <p>Event layout ({@link #SCHEMA}, 40 bytes, little-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         device (LONG)                         |  0
 *  +---------------------------------------------------------------+
 *  |                ts (TIMESTAMP, simulated epoch ms)             |  8
 *  +---------------------------------------------------------------+
 *  |                          value (DOUBLE)                       | 16
 *  +---------------------------------------------------------------+
 *  |                   seq (LONG, index in the run)                | 24
 *  +---------------------------------------------------------------+
 *  |        sent_ns (LONG, scheduled send time, by the sender)     | 32
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SensorScenario extends SteppedScenario
{
    /** Name of the scenario. */
    public static final String NAME = "sensors";
    /** Topic of readings. */
    public static final String TOPIC = "sensors";
    /** Schema of a reading. */
    public static final Schema SCHEMA = Schema.builder("reading")
        .longField("device").timestampField("ts").doubleField("value").longField("seq")
        .longField(ScenarioTopic.SENT_NS).build();
    /** Simulated time of the first event: 2026-01-01T00:00:00Z. */
    public static final long BASE_EPOCH_MS = CardTransactionScenario.BASE_EPOCH_MS;
    /** Fewest events a run may have. */
    public static final long MIN_EVENTS = 10_000;
    /** Length of an injected drift, simulated ms. */
    public static final long DRIFT_MS = 300_000;
    /** Rise of a drifting value per simulated second. */
    public static final double DRIFT_PER_S = 0.05;
    /** Shortest injected outage, simulated ms. */
    public static final long OUTAGE_MIN_MS = 180_000;
    /** Longest injected outage, simulated ms. */
    public static final long OUTAGE_MAX_MS = 300_000;

    static final int DEVICE = 0;
    static final int TS = 1;
    static final int VALUE = 2;
    static final int SEQ = 3;

    private static final long ROUND_MS = 10_000;
    private static final int[] DEVICE_COUNTS = {1_000, 500, 200, 100};

    private final int devices;
    private final double[] baseline;
    private final KeyRounds rounds;
    private final SplittableRandom random;
    private final EventFlyweight event = new EventFlyweight(SCHEMA);
    private final List<InjectedPattern> injected = new ArrayList<>();
    private final int[] driftDevice;
    private final long[] driftStart;
    private final int[] outageDevice;
    private final long[] outageStart;
    private final long[] outageEnd;
    /**
     * Plans a run.
     *
     * @param seed   of every random choice.
     * @param events in the run, at least {@link #MIN_EVENTS}.
     */
    public SensorScenario(final long seed, final long events)
    {
        super(NAME, List.of(new ScenarioTopic(TOPIC, SCHEMA, "device", "ts", ScenarioTopic.SENT_NS)), events, MIN_EVENTS,
            BASE_EPOCH_MS, ROUND_MS / Workload.keysFor(events, DEVICE_COUNTS));
        this.devices = Workload.keysFor(events, DEVICE_COUNTS);
        this.random = new SplittableRandom(seed);
        baseline = new double[devices];
        for (int d = 0; d < devices; d++)
        {
            baseline[d] = 18 + random.nextDouble() * 4;
        }
        final SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        final int perKind = (int)Math.max(1, Math.min(25, events / 40_000));
        final int[] candidates = Workload.shuffled(devices, rng);
        final long lo = time(events / 10);
        final long hi = time(events * 9 / 10);
        driftDevice = new int[perKind];
        driftStart = new long[perKind];
        outageDevice = new int[perKind];
        outageStart = new long[perKind];
        outageEnd = new long[perKind];
        int next = 0;
        for (int k = 0; k < perKind; k++)
        {
            driftDevice[k] = candidates[next++];
            driftStart[k] = lo + (long)(rng.nextDouble() * (hi - lo - DRIFT_MS));
            injected.add(new InjectedPattern(SensorDesk.DRIFT, driftDevice[k], driftStart[k], driftStart[k] + DRIFT_MS - 1,
                (int)(DRIFT_MS / ROUND_MS)));

            final long length = OUTAGE_MIN_MS + (long)(rng.nextDouble() * (OUTAGE_MAX_MS - OUTAGE_MIN_MS));
            outageDevice[k] = candidates[next++];
            outageStart[k] = lo + (long)(rng.nextDouble() * (hi - lo - length));
            outageEnd[k] = outageStart[k] + length;
            injected.add(new InjectedPattern(SensorDesk.OUTAGE, outageDevice[k], outageStart[k], outageEnd[k],
                (int)(length / ROUND_MS)));
        }
        injected.sort((a, b) -> Long.compare(a.firstTs(), b.firstTs()));
        rounds = new KeyRounds(devices, random);
    }

    /**
     * Devices in this run.
     *
     * @return the device count.
     */
    public int devices()
    {
        return devices;
    }

    @Override
    int write(final MutableDirectBuffer buffer, final int offset, final long position)
    {
        final long ts = time(position);
        int device = rounds.next();
        for (int tries = 1; tries < devices && silent(device, ts); tries++)
        {
            device = rounds.next();
        }
        final double value = baseline[device] + (random.nextDouble() * 2 - 1) + drift(device, ts);
        event.wrapForWrite(buffer, offset).putLong(DEVICE, device).putLong(TS, ts)
            .putDouble(VALUE, Math.round(value * 1_000) / 1_000.0).putLong(SEQ, position).putLong(SEQ + 1, 0);
        return 0;
    }

    private boolean silent(final int device, final long ts)
    {
        for (int k = 0; k < outageDevice.length; k++)
        {
            if (outageDevice[k] == device && ts >= outageStart[k] && ts < outageEnd[k])
            {
                return true;
            }
        }
        return false;
    }

    private double drift(final int device, final long ts)
    {
        for (int k = 0; k < driftDevice.length; k++)
        {
            if (driftDevice[k] == device && ts >= driftStart[k] && ts < driftStart[k] + DRIFT_MS)
            {
                return DRIFT_PER_S * (ts - driftStart[k]) / 1_000.0;
            }
        }
        return 0;
    }

    @Override
    public List<InjectedPattern> injected()
    {
        return List.copyOf(injected);
    }
}
