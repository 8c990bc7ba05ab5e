package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Card transactions with injected fraud: bursts of small charges on one card (velocity), a charge
 * far above the card's norm (amount), and a charge at a merchant on another continent minutes after
 * one at home (impossible travel). See {@link FraudRules} for the thresholds both sides share.
 *
 * <p>Normal traffic stays well inside the rules by construction, so a correct detector raises no
 * false alert: cards are visited in rounds, each round a fresh seeded shuffle of all cards, so a card
 * charges once per round (between 1 and 2 rounds apart); a round lasts about 10 s of simulated time,
 * so no card makes more than 7 normal charges in 60 s (the velocity threshold is 10). Each card has a
 * home location (charges within 0.25 degrees of it) and a norm (charges 0.5 to 1.5 times it, so the
 * largest is at most 3 times the mean of the others; the amount rule needs 5).
 *
 * <p>Simulated time: event i has time {@code BASE_EPOCH_MS + i * msPerEvent}. The number of cards and
 * the step are chosen from the event count so that short runs still span many windows.
 *
 * <p>Event layout ({@link #SCHEMA}, 64 bytes, little-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          card (LONG)                          |  0
 *  +---------------------------------------------------------------+
 *  |                ts (TIMESTAMP, simulated epoch ms)             |  8
 *  +---------------------------------------------------------------+
 *  |                       amount (LONG, cents)                    | 16
 *  +---------------------------------------------------------------+
 *  |                        merchant (LONG)                        | 24
 *  +---------------------------------------------------------------+
 *  |                  lat (DOUBLE, merchant degrees)               | 32
 *  +---------------------------------------------------------------+
 *  |                  lon (DOUBLE, merchant degrees)               | 40
 *  +---------------------------------------------------------------+
 *  |                   seq (LONG, index in the run)                | 48
 *  +---------------------------------------------------------------+
 *  |        sent_ns (LONG, scheduled send time, by the sender)     | 56
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CardTransactionScenario extends SteppedScenario
{
    /** Name of the scenario. */
    public static final String NAME = "cards";
    /** Topic of card transactions. */
    public static final String TOPIC = "cards";
    /** Schema of a card transaction. */
    public static final Schema SCHEMA = Schema.builder("card_tx")
        .longField("card").timestampField("ts").longField("amount").longField("merchant")
        .doubleField("lat").doubleField("lon").longField("seq").longField(ScenarioTopic.SENT_NS).build();
    /** Simulated time of the first event: 2026-01-01T00:00:00Z, aligned to every window size used. */
    public static final long BASE_EPOCH_MS = 1_767_225_600_000L;
    /** Fewest events a run may have: enough for several windows of every rule. */
    public static final long MIN_EVENTS = 20_000;
    /** Charges in one injected velocity burst. */
    public static final int BURST_CHARGES = 12;

    static final int CARD = 0;
    static final int TS = 1;
    static final int AMOUNT = 2;
    static final int MERCHANT = 3;
    static final int LAT = 4;
    static final int LON = 5;
    static final int SEQ = 6;

    private static final long ROUND_MS = 10_000;
    private static final int[] CARD_COUNTS = {10_000, 5_000, 2_500, 2_000, 1_000, 500};
    private static final int MERCHANTS = 50_000;

    private final int cards;
    private final double[] homeLat;
    private final double[] homeLon;
    private final long[] norm;
    private final KeyRounds rounds;
    private final SplittableRandom random;
    private final EventFlyweight event = new EventFlyweight(SCHEMA);
    private final List<InjectedPattern> injected = new ArrayList<>();
    private final InjectionSchedule schedule;
    private final long[] injectCard;
    private final long[] injectAmount;
    private final double[] injectLat;
    private final double[] injectLon;
    /**
     * Plans a run.
     *
     * @param seed   of every random choice.
     * @param events in the run, at least {@link #MIN_EVENTS}.
     */
    public CardTransactionScenario(final long seed, final long events)
    {
        super(NAME, List.of(new ScenarioTopic(TOPIC, SCHEMA, "card", "ts", ScenarioTopic.SENT_NS)), events, MIN_EVENTS,
            BASE_EPOCH_MS, ROUND_MS / Workload.keysFor(events, CARD_COUNTS));
        this.cards = Workload.keysFor(events, CARD_COUNTS);
        this.random = new SplittableRandom(seed);
        homeLat = new double[cards];
        homeLon = new double[cards];
        norm = new long[cards];
        for (int c = 0; c < cards; c++)
        {
            homeLat[c] = -45 + random.nextDouble() * 100;
            homeLon[c] = -120 + random.nextDouble() * 260;
            norm[c] = 2_000 + random.nextInt(18_001);
        }
        final TreeMap<Long, double[]> plan = plan(new SplittableRandom(seed ^ 0x5DEECE66DL));
        final long[] injectPosition = new long[plan.size()];
        injectCard = new long[plan.size()];
        injectAmount = new long[plan.size()];
        injectLat = new double[plan.size()];
        injectLon = new double[plan.size()];
        int i = 0;
        for (final var entry : plan.entrySet())
        {
            injectPosition[i] = entry.getKey();
            injectCard[i] = (long)entry.getValue()[0];
            injectAmount[i] = (long)entry.getValue()[1];
            injectLat[i] = entry.getValue()[2];
            injectLon[i] = entry.getValue()[3];
            i++;
        }
        schedule = new InjectionSchedule(injectPosition);
        rounds = new KeyRounds(cards, random);
    }

    /**
     * Places the patterns: distinct cards, positions in the middle 80% of the run, each kind as often.
     */
    private TreeMap<Long, double[]> plan(final SplittableRandom rng)
    {
        final long events = eventCount();
        final int perKind = (int)Math.max(1, Math.min(25, events / 150_000));
        final int[] candidates = Workload.shuffled(cards, rng);
        final TreeMap<Long, double[]> plan = new TreeMap<>();
        final long spacing = 1_000 / msPerEvent();
        final long lo = events / 10;
        final long hi = events * 9 / 10 - BURST_CHARGES * spacing;
        int next = 0;
        final List<InjectedPattern> patterns = new ArrayList<>();
        for (int k = 0; k < perKind; k++)
        {
            // Velocity: a burst of small charges one simulated second apart.
            final int burstCard = candidates[next++];
            long p;
            do
            {
                p = lo + (long)(rng.nextDouble() * (hi - lo));
            }
            while (!free(plan, p, spacing, BURST_CHARGES));
            for (int b = 0; b < BURST_CHARGES; b++)
            {
                plan.put(p + b * spacing, new double[] {burstCard, 100 + rng.nextInt(300),
                    homeLat[burstCard] + jitter(rng), homeLon[burstCard] + jitter(rng)});
            }
            patterns.add(new InjectedPattern(FraudRules.VELOCITY, burstCard, time(p),
                time(p + (BURST_CHARGES - 1) * spacing), BURST_CHARGES));

            // Amount: one charge 10 to 20 times the norm, in a norm window that has enough other charges.
            final int bigCard = candidates[next++];
            do
            {
                p = lo + (long)(rng.nextDouble() * (hi - lo));
            }
            while (!free(plan, p, 1, 1) || !normWindowLongEnough(p));
            plan.put(p, new double[] {bigCard, norm[bigCard] * (10 + rng.nextDouble() * 10),
                homeLat[bigCard] + jitter(rng), homeLon[bigCard] + jitter(rng)});
            patterns.add(new InjectedPattern(FraudRules.AMOUNT, bigCard, time(p), time(p), 1));

            // Travel: one ordinary charge 90 to 150 degrees of longitude from home.
            final int travelCard = candidates[next++];
            do
            {
                p = lo + (long)(rng.nextDouble() * (hi - lo));
            }
            while (!free(plan, p, 1, 1));
            double lon = homeLon[travelCard] + 90 + rng.nextDouble() * 60;
            if (lon >= 180)
            {
                lon -= 360;
            }
            plan.put(p, new double[] {travelCard, normalAmount(rng, travelCard), homeLat[travelCard] + jitter(rng), lon});
            patterns.add(new InjectedPattern(FraudRules.TRAVEL, travelCard, time(p), time(p), 1));
        }
        patterns.sort((a, b) -> Long.compare(a.firstTs(), b.firstTs()));
        injected.addAll(patterns);
        return plan;
    }

    private static boolean free(final TreeMap<Long, double[]> plan, final long first, final long spacing, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (plan.containsKey(first + i * spacing))
            {
                return false;
            }
        }
        return true;
    }

    private boolean normWindowLongEnough(final long position)
    {
        final long windowPositions = FraudRules.NORM_WINDOW_MS / msPerEvent();
        final long start = position / windowPositions * windowPositions;
        final long end = Math.min(start + windowPositions, eventCount());
        // At least 100 s of the window inside the run: every card charges in it at least 4 times.
        return (end - start) * msPerEvent() >= 5 * 2 * ROUND_MS;
    }

    private static double jitter(final SplittableRandom rng)
    {
        return (rng.nextDouble() - 0.5) * 0.5;
    }

    private long normalAmount(final SplittableRandom rng, final int card)
    {
        return (long)(norm[card] * (0.5 + rng.nextDouble()));
    }

    /**
     * Cards in this run.
     *
     * @return the card count.
     */
    public int cards()
    {
        return cards;
    }

    @Override
    int write(final MutableDirectBuffer buffer, final int offset, final long position)
    {
        final EventFlyweight e = event.wrapForWrite(buffer, offset);
        e.putLong(TS, time(position)).putLong(SEQ, position).putLong(SEQ + 1, 0);
        final int i = schedule.take(position);
        if (i >= 0)
        {
            e.putLong(CARD, injectCard[i]).putLong(AMOUNT, injectAmount[i]).putLong(MERCHANT, random.nextInt(MERCHANTS))
                .putDouble(LAT, injectLat[i]).putDouble(LON, injectLon[i]);
        }
        else
        {
            final int card = rounds.next();
            e.putLong(CARD, card).putLong(AMOUNT, normalAmount(random, card)).putLong(MERCHANT, random.nextInt(MERCHANTS))
                .putDouble(LAT, homeLat[card] + jitter(random)).putDouble(LON, homeLon[card] + jitter(random));
        }
        return 0;
    }

    @Override
    public List<InjectedPattern> injected()
    {
        return List.copyOf(injected);
    }
}
