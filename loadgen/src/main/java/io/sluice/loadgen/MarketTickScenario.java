package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Market ticks: every symbol's price is a geometric random walk (each tick moves it at most
 * {@link MarketDesk#MAX_STEP_BP} basis points), with injected spikes: one tick of a symbol jumps
 * {@link #SPIKE_MIN_BP} to {@link #SPIKE_MAX_BP} basis points away from the walk, and a tick one
 * simulated second later brings it back. Each tick carries {@code change_bp}, its net change against
 * the symbol's previous tick (as quote feeds carry a net change), which is what the detector of
 * {@link MarketDesk} watches.
 *
 * <p>Normal traffic stays inside the rule by construction: symbols are visited in rounds (a fresh
 * seeded shuffle each round, about 10 s of simulated time), and a normal tick moves at most
 * {@link MarketDesk#MAX_STEP_BP} from the last reported price, far below {@link MarketDesk#SPIKE_BP}.
 *
 * <p>Simulated time: event i has time {@code BASE_EPOCH_MS + i * msPerEvent}.
 *
 * <p>Event layout ({@link #SCHEMA}, 56 bytes, little-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         symbol (LONG)                         |  0
 *  +---------------------------------------------------------------+
 *  |                ts (TIMESTAMP, simulated epoch ms)             |  8
 *  +---------------------------------------------------------------+
 *  |                          price (DOUBLE)                       | 16
 *  +---------------------------------------------------------------+
 *  |     change_bp (LONG, basis points from the previous tick)     | 24
 *  +---------------------------------------------------------------+
 *  |                           qty (LONG)                          | 32
 *  +---------------------------------------------------------------+
 *  |                   seq (LONG, index in the run)                | 40
 *  +---------------------------------------------------------------+
 *  |        sent_ns (LONG, scheduled send time, by the sender)     | 48
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MarketTickScenario extends SteppedScenario
{
    /** Name of the scenario. */
    public static final String NAME = "ticks";
    /** Topic of ticks. */
    public static final String TOPIC = "ticks";
    /** Schema of a tick. */
    public static final Schema SCHEMA = Schema.builder("tick")
        .longField("symbol").timestampField("ts").doubleField("price").longField("change_bp").longField("qty")
        .longField("seq").longField(ScenarioTopic.SENT_NS).build();
    /** Simulated time of the first event: 2026-01-01T00:00:00Z. */
    public static final long BASE_EPOCH_MS = CardTransactionScenario.BASE_EPOCH_MS;
    /** Fewest events a run may have. */
    public static final long MIN_EVENTS = 10_000;
    /** Smallest injected jump, basis points. */
    public static final int SPIKE_MIN_BP = 300;
    /** Largest injected jump, basis points. */
    public static final int SPIKE_MAX_BP = 800;

    static final int SYMBOL = 0;
    static final int TS = 1;
    static final int PRICE = 2;
    static final int CHANGE = 3;
    static final int QTY = 4;
    static final int SEQ = 5;

    private static final long ROUND_MS = 10_000;
    private static final int[] SYMBOL_COUNTS = {1_000, 500, 200, 100};

    private final int symbols;
    private final double[] walk;
    private final double[] last;
    private final KeyRounds rounds;
    private final SplittableRandom random;
    private final EventFlyweight event = new EventFlyweight(SCHEMA);
    private final List<InjectedPattern> injected = new ArrayList<>();
    private final InjectionSchedule schedule;
    private final int[] injectSymbol;
    private final double[] injectFactor;
    /**
     * Plans a run.
     *
     * @param seed   of every random choice.
     * @param events in the run, at least {@link #MIN_EVENTS}.
     */
    public MarketTickScenario(final long seed, final long events)
    {
        super(NAME, List.of(new ScenarioTopic(TOPIC, SCHEMA, "symbol", "ts", ScenarioTopic.SENT_NS)), events, MIN_EVENTS,
            BASE_EPOCH_MS, ROUND_MS / Workload.keysFor(events, SYMBOL_COUNTS));
        this.symbols = Workload.keysFor(events, SYMBOL_COUNTS);
        this.random = new SplittableRandom(seed);
        walk = new double[symbols];
        last = new double[symbols];
        for (int s = 0; s < symbols; s++)
        {
            walk[s] = 10 + random.nextInt(491) + random.nextInt(100) / 100.0;
            last[s] = walk[s];
        }
        final TreeMap<Long, double[]> plan = plan(new SplittableRandom(seed ^ 0x5DEECE66DL));
        final long[] injectPosition = new long[plan.size()];
        injectSymbol = new int[plan.size()];
        injectFactor = new double[plan.size()];
        int i = 0;
        for (final var entry : plan.entrySet())
        {
            injectPosition[i] = entry.getKey();
            injectSymbol[i] = (int)entry.getValue()[0];
            injectFactor[i] = entry.getValue()[1];
            i++;
        }
        schedule = new InjectionSchedule(injectPosition);
        rounds = new KeyRounds(symbols, random);
    }

    /**
     * Places the spikes: distinct symbols, positions in the middle 80% of the run. A spike is two
     * planned ticks of its symbol one simulated second apart: the jump (factor away from the walk)
     * and the return to the walk (factor 1).
     */
    private TreeMap<Long, double[]> plan(final SplittableRandom rng)
    {
        final long events = eventCount();
        final int count = (int)Math.max(1, Math.min(25, events / 20_000));
        final int[] candidates = Workload.shuffled(symbols, rng);
        final TreeMap<Long, double[]> plan = new TreeMap<>();
        final long spacing = Math.max(1, 1_000 / msPerEvent());
        final long lo = events / 10;
        final long hi = events * 9 / 10 - spacing;
        for (int k = 0; k < count; k++)
        {
            final int symbol = candidates[k];
            long p;
            do
            {
                p = lo + (long)(rng.nextDouble() * (hi - lo));
            }
            while (plan.containsKey(p) || plan.containsKey(p + spacing));
            final double bp = SPIKE_MIN_BP + rng.nextInt(SPIKE_MAX_BP - SPIKE_MIN_BP + 1);
            final double factor = rng.nextBoolean() ? 1 + bp / 10_000 : 1 - bp / 10_000;
            plan.put(p, new double[] {symbol, factor});
            plan.put(p + spacing, new double[] {symbol, 1});
            injected.add(new InjectedPattern(MarketDesk.SPIKE, symbol, time(p), time(p + spacing), 2));
        }
        injected.sort((a, b) -> Long.compare(a.firstTs(), b.firstTs()));
        return plan;
    }

    /**
     * Symbols in this run.
     *
     * @return the symbol count.
     */
    public int symbols()
    {
        return symbols;
    }

    @Override
    int write(final MutableDirectBuffer buffer, final int offset, final long position)
    {
        final int symbol;
        double price;
        final int i = schedule.take(position);
        if (i >= 0)
        {
            symbol = injectSymbol[i];
            price = step(symbol) * injectFactor[i];
        }
        else
        {
            symbol = rounds.next();
            price = step(symbol);
        }
        price = Math.round(price * 100) / 100.0;
        final long change = Math.round((price - last[symbol]) / last[symbol] * 10_000);
        last[symbol] = price;
        event.wrapForWrite(buffer, offset).putLong(SYMBOL, symbol).putLong(TS, time(position)).putDouble(PRICE, price)
            .putLong(CHANGE, change).putLong(QTY, 1 + random.nextInt(1_000)).putLong(SEQ, position).putLong(SEQ + 1, 0);
        return 0;
    }

    /**
     * Moves a symbol's walk one step, kept inside a band so the walk cannot drift to zero. The step
     * is against the last reported price, so a normal tick's change stays within the step bound even
     * when the last tick was a spike's return (which reports the walk itself).
     */
    private double step(final int symbol)
    {
        final double bp = (random.nextDouble() * 2 - 1) * MarketDesk.MAX_STEP_BP * 0.9;
        double next = walk[symbol] * (1 + bp / 10_000);
        if (next < 1)
        {
            next = walk[symbol] * (1 + Math.abs(bp) / 10_000);
        }
        walk[symbol] = next;
        return next;
    }

    @Override
    public List<InjectedPattern> injected()
    {
        return List.copyOf(injected);
    }
}
