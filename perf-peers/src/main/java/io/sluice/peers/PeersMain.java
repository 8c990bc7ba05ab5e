package io.sluice.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.sluice.perf.Machine;

/**
 * The peer comparison in one command: the plain loop, Sluice (backtest, live p=1, live p=2), Flink 2.3 (p=1, p=2)
 * and Kafka Streams 4.4 (TTD, in-memory and RocksDB) run W1, W2, W3 and J1 over the same {@link Workload}; every
 * run of every system is a fresh instance, timed from its first input to its last output after the end of input;
 * every run's rows are compared row for row with the plain loop's (a difference fails the run); warm-up rounds (on
 * a smaller workload of the same kind) are not reported, the system order rotates each round, and Kafka Streams'
 * test driver, two orders of magnitude slower than the rest, runs {@code ksRounds} of the rounds on the first
 * {@code ksOrders} (J1: {@code ksJoinOrders}) orders of the same generated stream. J1 runs the issue's size by default
 * (500,000 orders and their payments, ~750,000 events), warmed up on {@code joinWarmupOrders}: at 100,000 orders a round
 * lasted 0.07-0.18 s and its rate rose round after round with the JIT's compilations (perf/README.md section 64).
 * Writes {@code peers-<UTC time>.md} into {@code out}.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms3g -Xmx3g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.PeersMain [orders=300000] [joinOrders=500000] [rounds=3] [warmup=1] [warmupOrders=50000] [joinWarmupOrders=100000] [ksRounds=1] [ksOrders=50000] [ksJoinOrders=20000] [queries=W1,W2,W3,J1] [out=perf/reports]
 * }</pre>
 */
public final class PeersMain
{
    private static final String PLAIN = "plain";
    private static final String BACKTEST = "backtest";
    private static final String LIVE1 = "live1";
    private static final String LIVE2 = "live2";
    private static final String FLINK1 = "flink1";
    private static final String FLINK2 = "flink2";
    private static final String KS_MEMORY = "ksmem";
    private static final String KS_ROCKSDB = "ksrocks";
    /** Orders of Kafka Streams' warm-up workload. */
    private static final int KS_WARMUP_ORDERS = 10_000;

    private PeersMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: orders, joinOrders, rounds, warmup, warmupOrders, joinWarmupOrders, ksRounds, ksOrders,
     *             ksJoinOrders, queries, systems, seed, out, scratch.
     * @throws Exception on failure, or when a system's rows differ from the plain loop's.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = args(args);
        final Settings settings = new Settings(Integer.parseInt(a.get("orders")), Integer.parseInt(a.get("joinOrders")),
            Integer.parseInt(a.get("rounds")), Integer.parseInt(a.get("warmup")), Integer.parseInt(a.get("warmupOrders")),
            Integer.parseInt(a.get("joinWarmupOrders")), Integer.parseInt(a.get("ksRounds")), Integer.parseInt(a.get("ksOrders")), Integer.parseInt(a.get("ksJoinOrders")),
            Long.parseLong(a.get("seed")));
        final List<Query> queries = new ArrayList<>();
        for (final String q : a.get("queries").split(","))
        {
            queries.add(Query.valueOf(q.trim()));
        }
        final Path scratch = Files.createDirectories(Path.of(a.get("scratch")));
        final Map<String, PeerSystem> systems = systems(a.get("systems"), scratch);
        final Path out = Files.createDirectories(Path.of(a.get("out")));

        final String loadBefore = Machine.loadAverage();
        final Instant started = Instant.now();
        System.out.println("PeersMain " + a + "; load average " + loadBefore);
        final Map<Query, QueryResult> results = new EnumMap<>(Query.class);
        for (final Query query : queries)
        {
            results.put(query, runQuery(query, settings, systems));
        }
        final String loadAfter = Machine.loadAverage();
        final Instant ended = Instant.now();
        final String report = PeersReport.render(a, settings, systems, results, started, ended, loadBefore, loadAfter);
        final Path file = out.resolve("peers-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + ".md");
        Files.writeString(file, report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report);
        System.out.println("report: " + file);
    }

    static QueryResult runQuery(final Query query, final Settings settings, final Map<String, PeerSystem> systems) throws Exception
    {
        final Input full = new Input(query, workload(query, settings.orders, settings.joinOrders, settings.seed));
        final Input warmup = new Input(query, workload(query, settings.warmupOrders, settings.joinWarmupOrders, settings.seed + 1));
        final Input ks = new Input(query, workload(query, settings.ksOrders, settings.ksJoinOrders, settings.seed));
        final Input ksWarmup = new Input(query, workload(query, KS_WARMUP_ORDERS, KS_WARMUP_ORDERS / 2, settings.seed + 1));
        final QueryResult result = new QueryResult(query, full.workload, full.reference.length, ks.workload, Machine.loadAverage());
        System.out.printf("%n%s %s: %,d events (%,d orders, %,d payments), %,d result rows (Kafka Streams: %,d events); load average %s%n",
            query, query.description, full.workload.count, full.workload.orders, full.workload.payments(), full.reference.length,
            ks.workload.count, result.loadBefore);
        final List<String> names = new ArrayList<>(systems.keySet());
        for (int round = -settings.warmup; round < settings.rounds; round++)
        {
            final int shift = Math.floorMod(round, names.size());
            for (int s = 0; s < names.size(); s++)
            {
                final String name = names.get((s + shift) % names.size());
                final int rounds = rounds(name, settings);
                if (round >= rounds)
                {
                    continue;
                }
                final PeerSystem system = systems.get(name);
                final Input input = isKafkaStreams(name) ? (round < 0 ? ksWarmup : ks) : (round < 0 ? warmup : full);
                final PeerRun run = system.run(query, input.workload);
                final long[][] rows = Rows.sorted(run.rows());
                final String difference = Rows.difference(input.reference, rows);
                if (difference != null)
                {
                    throw new IllegalStateException(query + ": " + system.name() + " differs from the plain loop: " + difference);
                }
                final double rate = input.workload.count * 1e9 / run.nanos();
                System.out.printf("%s round %s %-40s %10.3f s %12.0f ev/s  rows ok (%,d)%n", query,
                    round < 0 ? "warm-up" : Integer.toString(round + 1), system.name(), run.nanos() / 1e9, rate, rows.length);
                if (round >= 0)
                {
                    result.rates.computeIfAbsent(name, k -> new double[rounds])[round] = rate;
                }
            }
            System.gc();
        }
        result.loadAfter = Machine.loadAverage();
        return result;
    }

    /** A workload and the plain loop's sorted rows for it (the reference of the row-for-row check). */
    private static final class Input
    {
        final Workload workload;
        final long[][] reference;

        Input(final Query query, final Workload workload)
        {
            this.workload = workload;
            this.reference = Rows.sorted(new PlainLoop().run(query, workload).rows());
        }
    }

    static boolean isKafkaStreams(final String system)
    {
        return system.startsWith("ks");
    }

    private static Workload workload(final Query query, final int orders, final int joinOrders, final long seed)
    {
        return query.isJoin() ? Workload.ordersAndPayments(joinOrders, seed) : Workload.orders(orders, seed);
    }

    /** Timed rounds of a system: Kafka Streams' test driver is slow enough to get fewer. */
    static int rounds(final String system, final Settings settings)
    {
        return isKafkaStreams(system) ? Math.min(settings.ksRounds, settings.rounds) : settings.rounds;
    }

    private static Map<String, PeerSystem> systems(final String list, final Path scratch)
    {
        final Map<String, PeerSystem> all = new LinkedHashMap<>();
        all.put(PLAIN, new PlainLoop());
        all.put(BACKTEST, SluicePeer.backtest());
        all.put(LIVE1, SluicePeer.live(1, scratch));
        all.put(LIVE2, SluicePeer.live(2, scratch));
        all.put(FLINK1, new FlinkPeer(1));
        all.put(FLINK2, new FlinkPeer(2));
        all.put(KS_MEMORY, new KafkaStreamsPeer(false, scratch));
        all.put(KS_ROCKSDB, new KafkaStreamsPeer(true, scratch));
        if (list.equals("all"))
        {
            return all;
        }
        final Map<String, PeerSystem> selected = new LinkedHashMap<>();
        for (final String name : list.split(","))
        {
            final PeerSystem system = all.get(name.trim());
            if (system == null)
            {
                throw new IllegalArgumentException("unknown system '" + name + "'; known: " + all.keySet());
            }
            selected.put(name.trim(), system);
        }
        return selected;
    }

    private static Map<String, String> args(final String[] args)
    {
        final Map<String, String> settings = new TreeMap<>();
        settings.put("orders", "300000");
        settings.put("joinOrders", "500000");
        settings.put("rounds", "3");
        settings.put("warmup", "1");
        settings.put("warmupOrders", "50000");
        settings.put("joinWarmupOrders", "100000");
        settings.put("ksRounds", "1");
        settings.put("ksOrders", "50000");
        settings.put("ksJoinOrders", "20000");
        settings.put("queries", "W1,W2,W3,J1");
        settings.put("systems", "all");
        settings.put("seed", "20261205");
        settings.put("out", "perf/reports");
        settings.put("scratch", System.getProperty("java.io.tmpdir") + "/sluice-peers");
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !settings.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + settings.keySet());
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return settings;
    }

    /** Sizes and rounds of a run. */
    record Settings(int orders, int joinOrders, int rounds, int warmup, int warmupOrders, int joinWarmupOrders, int ksRounds, int ksOrders,
        int ksJoinOrders, long seed)
    {
    }

    /** Rates of every system on one query, per round. */
    static final class QueryResult
    {
        final Query query;
        final int events;
        final int orders;
        final int payments;
        final int rows;
        final int ksEvents;
        final int ksOrders;
        final String loadBefore;
        String loadAfter;
        final Map<String, double[]> rates = new LinkedHashMap<>();

        QueryResult(final Query query, final Workload workload, final int rows, final Workload ks, final String loadBefore)
        {
            this.ksEvents = ks.count;
            this.ksOrders = ks.orders;
            this.query = query;
            this.events = workload.count;
            this.orders = workload.orders;
            this.payments = workload.payments();
            this.rows = rows;
            this.loadBefore = loadBefore;
        }

        double median(final String system)
        {
            return median(rates.get(system));
        }

        /** Median (min, max) over rounds of the ratio of two systems' rates in the same round. */
        double[] ratio(final String system, final String baseline)
        {
            final double[] x = rates.get(system);
            final double[] b = rates.get(baseline);
            if (x == null || b == null)
            {
                return null;
            }
            final double[] r = new double[Math.min(x.length, b.length)];
            for (int i = 0; i < r.length; i++)
            {
                r[i] = x[i] / b[i];
            }
            final double[] sorted = r.clone();
            Arrays.sort(sorted);
            return new double[] {median(r), sorted[0], sorted[sorted.length - 1]};
        }

        static double median(final double[] values)
        {
            final double[] v = values.clone();
            Arrays.sort(v);
            final int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
    }

    static List<String> systemKeys()
    {
        return List.of(PLAIN, BACKTEST, LIVE1, LIVE2, FLINK1, FLINK2, KS_MEMORY, KS_ROCKSDB);
    }
}
