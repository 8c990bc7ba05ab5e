package io.sluice.peers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Two builds of Sluice in one JVM, measured alternately over the same workload: the A/B that resolves steps of a few
 * percent on a shared machine, where two processes run minutes apart see different loads. Each build's classes
 * ({@code <root>/<module>/target/classes} of schema, journal, client, engine, loadgen, perf and perf-peers) are
 * loaded by a class loader of their own, whose parent holds only the third-party jars ({@code perf-peers/target/lib},
 * without Sluice's own jars); so each build's engine is compiled by the JIT apart from the other's, with its own
 * type profiles and statics, and only the JDK's and the libraries' classes (Agrona's buffers) are shared. This main
 * touches no Sluice class itself: it reaches each side's {@link AbSide} by reflection. A build that has no
 * {@code AbSide} (one older than this harness) gets this build's, which then drives that build's engine through the
 * same public API.
 * <p>
 * Each round runs the plain loop (side A's classes; it uses no engine class) and then each side's run, A before B in
 * even rounds and B before A in odd ones, after a {@code System.gc()} each; it prints CPU ns per event of each and
 * the ratio B / A, and checks that both sides' rows are equal (and, in {@code mode=backtest}, equal to the plain
 * loop's). The summary gives the medians, the median and geometric mean of the per-round ratios and how many rounds
 * went which way. {@code mode=backtest} runs {@link SluicePeer#backtest()} ({@link BacktestCostMain}'s span) on any
 * query; {@code mode=operator} the interval join operator alone on J1's events ({@link AbSide#operator()});
 * {@code mode=merge} the backtest's merge of J1's two inputs alone ({@link AbSide#merge()}). A side whose build's
 * {@code AbSide} lacks the mode's method cannot run it: overlay this build's {@code AbSide} classes on a copy of it.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms3g -Xmx3g -cp perf-peers/target/classes \
 *       io.sluice.peers.SameProcessAbMain a=<base build root> b=<change build root> [mode=backtest|operator|merge] \
 *       [queries=J1] [rounds=12] [warmup=3] [orders=2000000] [joinOrders=500000] [seed=20261205]
 * }</pre>
 * Run from a build root (its {@code perf-peers/target/lib} holds the libraries). Both roots must have been built with
 * {@code mvn -B -q -o -Ppeers -pl perf-peers,perf -am package -DskipTests}.
 */
public final class SameProcessAbMain
{
    private static final String[] MODULES = {"schema", "journal", "client", "engine", "loadgen", "perf", "perf-peers"};

    private SameProcessAbMain()
    {
    }

    /**
     * Runs the alternation.
     *
     * @param args {@code name=value}: a, b, mode, queries, rounds, warmup, orders, joinOrders, seed.
     * @throws Exception on failure, or when the two sides' rows differ.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = new TreeMap<>(Map.of("a", "", "b", "", "mode", "backtest", "queries", "J1", "rounds", "12",
            "warmup", "3", "orders", "2000000", "joinOrders", "500000", "seed", "20261205"));
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + a.keySet());
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        if (a.get("a").isEmpty() || a.get("b").isEmpty())
        {
            throw new IllegalArgumentException("a=<build root> and b=<build root> are both required");
        }
        final String mode = a.get("mode");
        if (!mode.equals("backtest") && !mode.equals("operator") && !mode.equals("merge"))
        {
            throw new IllegalArgumentException("mode must be backtest, operator or merge, not '" + mode + "'");
        }
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int warmup = Integer.parseInt(a.get("warmup"));
        final Path own = Path.of(SameProcessAbMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final ClassLoader libraries = new URLClassLoader("ab-libraries", libraryUrls(Path.of("perf-peers/target/lib")),
            ClassLoader.getPlatformClassLoader());
        final ClassLoader loaderA = sideLoader("A", Path.of(a.get("a")), own, libraries);
        final ClassLoader loaderB = sideLoader("B", Path.of(a.get("b")), own, libraries);
        System.out.println("SameProcessAbMain " + a + "; load average " + loadAverage());
        final List<String> summary = new ArrayList<>();
        for (final String query : a.get("queries").split(","))
        {
            final Side sideA = new Side("A", loaderA, query.trim(), a);
            final Side sideB = new Side("B", loaderB, query.trim(), a);
            System.out.println(query + ": A's engine " + sideA.call("engineLocation") + ", B's engine " + sideB.call("engineLocation") +
                ", " + sideA.events + " events");
            final double[] nsA = new double[rounds];
            final double[] nsB = new double[rounds];
            final double[] plain = new double[rounds];
            final double[] ratio = new double[rounds];
            for (int round = -warmup; round < rounds; round++)
            {
                double p = Double.NaN;
                long[][] reference = null;
                if (mode.equals("backtest"))
                {
                    p = sideA.run("plain");
                    reference = sideA.rows();
                }
                final boolean aFirst = (round & 1) == 0;
                final Side first = aFirst ? sideA : sideB;
                final Side second = aFirst ? sideB : sideA;
                final double firstNs = first.run(mode);
                final long[][] firstRows = first.rows();
                final double secondNs = second.run(mode);
                final long[][] secondRows = second.rows();
                if (!Arrays.deepEquals(firstRows, secondRows))
                {
                    throw new IllegalStateException(query + " round " + round + ": A's and B's rows differ (" + firstRows.length +
                        " and " + secondRows.length + " rows)");
                }
                if (reference != null && !Arrays.deepEquals(reference, firstRows))
                {
                    throw new IllegalStateException(query + " round " + round + ": the backtest's rows differ from the plain loop's");
                }
                final double x = aFirst ? firstNs : secondNs;
                final double y = aFirst ? secondNs : firstNs;
                System.out.printf("%s %s %s: %s%sA %.1f, B %.1f CPU ns/event; B / A %.3f%s%n", query, mode,
                    round < 0 ? "warm-up" : "round " + (round + 1), aFirst ? "" : "(B first) ",
                    Double.isNaN(p) ? "" : String.format("plain %.1f, ", p), x, y, y / x,
                    Double.isNaN(p) ? "" : String.format("; plain / A %.3fx, plain / B %.3fx", p / x, p / y));
                if (round >= 0)
                {
                    nsA[round] = x;
                    nsB[round] = y;
                    plain[round] = p;
                    ratio[round] = y / x;
                }
            }
            int lower = 0;
            double logSum = 0;
            for (final double r : ratio)
            {
                lower += r < 1 ? 1 : 0;
                logSum += Math.log(r);
            }
            final double[] sorted = ratio.clone();
            Arrays.sort(sorted);
            summary.add(String.format("| %s %s | %d | %.1f | %.1f | %s | **%.3f** (%.3f-%.3f) | %.3f | %d of %d |", query, mode, sideA.events,
                median(nsA), median(nsB), mode.equals("backtest") ? String.format("%.1f; %.3fx, %.3fx", median(plain),
                    median(divide(plain, nsA)), median(divide(plain, nsB))) : "-",
                median(ratio), sorted[0], sorted[rounds - 1], Math.exp(logSum / rounds), lower, rounds));
        }
        System.out.println();
        System.out.println("load average after " + loadAverage());
        System.out.println("| query, mode | events | A CPU ns/event (median) | B CPU ns/event (median) | plain CPU ns/event; plain / A, " +
            "plain / B (medians) | B / A per round, median (range) | B / A, geometric mean | rounds B lower |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    private static URL[] libraryUrls(final Path lib) throws IOException
    {
        if (!Files.isDirectory(lib))
        {
            throw new IllegalArgumentException(lib.toAbsolutePath() + " is not a directory: run from a build root built with -Ppeers");
        }
        try (Stream<Path> jars = Files.list(lib))
        {
            final List<URL> urls = new ArrayList<>();
            for (final Path jar : jars.filter(p -> p.toString().endsWith(".jar") && !p.getFileName().toString().startsWith("sluice-"))
                .sorted().toList())
            {
                urls.add(jar.toUri().toURL());
            }
            return urls.toArray(new URL[0]);
        }
    }

    /** The build's module classes first, then this harness's (for an {@link AbSide} an older build lacks). */
    private static ClassLoader sideLoader(final String name, final Path root, final Path own, final ClassLoader libraries) throws IOException
    {
        final List<URL> urls = new ArrayList<>();
        for (final String module : MODULES)
        {
            final Path classes = root.resolve(module).resolve("target/classes");
            if (Files.isDirectory(classes))
            {
                urls.add(classes.toUri().toURL());
            }
        }
        if (!Files.isDirectory(root.resolve("engine/target/classes")))
        {
            throw new IllegalArgumentException(root.toAbsolutePath() + "/engine/target/classes is missing: build that root first");
        }
        urls.add(own.toUri().toURL());
        return new URLClassLoader("ab-" + name, urls.toArray(new URL[0]), libraries);
    }

    private static double[] divide(final double[] x, final double[] y)
    {
        final double[] q = new double[x.length];
        for (int i = 0; i < x.length; i++)
        {
            q[i] = x[i] / y[i];
        }
        return q;
    }

    private static double median(final double[] values)
    {
        final double[] v = values.clone();
        Arrays.sort(v);
        final int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String loadAverage()
    {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** One build's {@link AbSide}, reached by reflection. */
    private static final class Side
    {
        private final Object side;
        private final int events;

        Side(final String name, final ClassLoader loader, final String query, final Map<String, String> a) throws Exception
        {
            final Class<?> type = Class.forName("io.sluice.peers.AbSide", true, loader);
            if (type.getClassLoader() != loader)
            {
                throw new IllegalStateException("side " + name + "'s AbSide came from " + type.getClassLoader() + ", not its own loader");
            }
            side = type.getConstructor(String.class, int.class, int.class, long.class).newInstance(query,
                Integer.parseInt(a.get("orders")), Integer.parseInt(a.get("joinOrders")), Long.parseLong(a.get("seed")));
            events = (Integer)call("events");
        }

        Object call(final String method) throws Exception
        {
            final Method m = side.getClass().getMethod(method);
            return m.invoke(side);
        }

        double run(final String what) throws Exception
        {
            System.gc();
            return (double)(Long)call(what) / events;
        }

        long[][] rows() throws Exception
        {
            return (long[][])call("rows");
        }
    }
}
