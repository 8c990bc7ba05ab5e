package io.sluice.perf;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs JMH benchmarks of this module through JMH's {@link Runner} API, forked with the project's JVM flags
 * prepended (the benchmarks' own {@code @Fork(jvmArgsAppend)} heap settings still apply), and turns the
 * {@link RunResult}s into rows of the report. Called from the suite's main thread only.
 */
final class SuiteJmh
{
    /** Secondary result of {@code -prof gc}: bytes allocated per operation (one operation = one event/record). */
    static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private SuiteJmh()
    {
    }

    /**
     * One benchmark result: name, parameters, score and allocation per operation.
     *
     * @param method     benchmark method, simple class name and method.
     * @param params     "name=value" pairs, comma separated.
     * @param score      primary score.
     * @param error      99.9 % confidence half-width, NaN when JMH has too few iterations for one.
     * @param unit       of the score.
     * @param allocNorm  bytes per operation from {@code -prof gc}, NaN without the profiler.
     */
    record Row(String method, String params, double score, double error, String unit, double allocNorm)
    {
        /**
         * Whether the run had a parameter value.
         *
         * @param name  of the parameter.
         * @param value of the parameter.
         * @return whether the params contain {@code name=value}.
         */
        boolean has(final String name, final String value)
        {
            for (final String pair : params.split(", "))
            {
                if (pair.equals(name + "=" + value))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Settings of one JMH run: what to include, the parameters to restrict, iterations and profilers.
     *
     * @param benchmark    regex of benchmarks, e.g. {@code WindowOperatorBenchmark.events}.
     * @param params       {@code name=v1,v2} restrictions, empty for the benchmark's own @Param values.
     * @param warmups      warm-up iterations.
     * @param iterations   measurement iterations.
     * @param seconds      per iteration (warm-up and measurement).
     * @param gcProfiler   whether to add {@code -prof gc}.
     */
    record Spec(String benchmark, List<String> params, int warmups, int iterations, int seconds, boolean gcProfiler)
    {
        String command()
        {
            final StringBuilder sb = new StringBuilder("java -jar perf/target/benchmarks.jar '").append(benchmark).append('\'');
            for (final String p : params)
            {
                sb.append(" -p ").append(p);
            }
            sb.append(" -f 1 -wi ").append(warmups).append(" -i ").append(iterations)
                .append(" -w ").append(seconds).append("s -r ").append(seconds).append('s');
            if (gcProfiler)
            {
                sb.append(" -prof gc");
            }
            return sb.toString();
        }
    }

    /**
     * Runs the benchmarks of a spec.
     *
     * @param title  of the step in the report.
     * @param spec   what to run and how.
     * @param parser reading figures from the rows.
     * @return the step; its output is the table of rows.
     */
    static SuiteStep run(final String title, final Spec spec, final Function<List<Row>, List<SuiteFigure>> parser)
    {
        System.out.println("=== " + title + ": " + spec.command());
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include(spec.benchmark())
            .forks(1)
            .warmupIterations(spec.warmups())
            .measurementIterations(spec.iterations())
            .warmupTime(TimeValue.seconds(spec.seconds()))
            .measurementTime(TimeValue.seconds(spec.seconds()))
            .jvmArgsPrepend(Machine.sluiceFlags().toArray(new String[0]));
        for (final String p : spec.params())
        {
            final int eq = p.indexOf('=');
            options.param(p.substring(0, eq), p.substring(eq + 1).split(","));
        }
        if (spec.gcProfiler())
        {
            options.addProfiler(GCProfiler.class);
        }
        final String loadBefore = Machine.loadAverage();
        final String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final long start = System.nanoTime();
        String status = "ok";
        final List<Row> rows = new ArrayList<>();
        try
        {
            final Collection<RunResult> results = new Runner(options.build()).run();
            for (final RunResult result : results)
            {
                rows.add(row(result));
            }
            if (rows.isEmpty())
            {
                status = "FAILED: no results (benchmark failed or matched nothing)";
            }
        }
        catch (final RunnerException | RuntimeException ex)
        {
            status = "FAILED: " + ex;
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final String loadAfter = Machine.loadAverage();
        final List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-50s %-36s %18s %18s %-8s %16s",
            "Benchmark", "params", "score", "error (99.9%)", "unit", ALLOC_NORM + " B/op"));
        for (final Row r : rows)
        {
            table.add(String.format(Locale.ROOT, "%-50s %-36s %18.3f %18.3f %-8s %16.4f",
                r.method(), r.params(), r.score(), r.error(), r.unit(), r.allocNorm()));
        }
        return new SuiteStep(title, spec.command(), startedAt, seconds, loadBefore, loadAfter, status, table, parser.apply(rows));
    }

    /**
     * The row for a benchmark and parameter value, if it ran.
     *
     * @param rows      of the run.
     * @param method    suffix of the method name, e.g. {@code .rawScan}.
     * @param param     parameter name, or null.
     * @param value     parameter value.
     * @return the row, or null.
     */
    static Row find(final List<Row> rows, final String method, final String param, final String value)
    {
        for (final Row r : rows)
        {
            if (r.method().endsWith(method) && (null == param || r.has(param, value)))
            {
                return r;
            }
        }
        return null;
    }

    private static Row row(final RunResult result)
    {
        final String benchmark = result.getParams().getBenchmark();
        final int dot = benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1);
        final List<String> params = new ArrayList<>();
        for (final String key : result.getParams().getParamsKeys())
        {
            params.add(key + "=" + result.getParams().getParam(key));
        }
        final Result<?> primary = result.getPrimaryResult();
        final Result<?> alloc = result.getSecondaryResults().get(ALLOC_NORM);
        return new Row(benchmark.substring(dot + 1), String.join(", ", params), primary.getScore(), primary.getScoreError(),
            primary.getScoreUnit(), null == alloc ? Double.NaN : alloc.getScore());
    }
}
