package io.sluice.cdc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.schema.Schema;

/**
 * CDC benchmark: a private PostgreSQL cluster, one captured table, an engine with one pipeline on the
 * table's topic. Phase 1 (throughput): N rows inserted in transactions of B rows as fast as one client
 * commits them (INSERT ... SELECT from generate_series), then the time until the last change reached the pipeline's sink gives changes/s from
 * commit to output. Phase 2 (latency): single-row transactions at a fixed rate; each row carries the
 * client's wall-clock time in microseconds taken just before COMMIT, and the sink records now minus that
 * into an HdrHistogram: commit-to-output latency, including PostgreSQL's commit, logical decoding, the
 * walsender, the JDBC replication stream, decoding, the ring, the journal append and the pipeline.
 *
 * <pre>
 *   java @ops/target/sluice-jvm.options -cp cdc/target/sluice-cdc.jar:cdc/target/lib/* io.sluice.cdc.CdcBenchmark \
 *        [rows=200000] [batch=1000] [rate=2000] [seconds=20]
 * </pre>
 */
public final class CdcBenchmark
{
    private static final Schema ROW = Schema.builder("bench")
        .longField("id").longField("sent_us").longField("amount").intField("op").booleanField("deleted").timestampField("commit_ts").build();

    private CdcBenchmark()
    {
    }

    /**
     * Runs the benchmark and prints the results.
     *
     * @param args {@code rows=N batch=N rate=N seconds=N}.
     * @throws Exception on any failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final long rows = arg(args, "rows", 200_000);
        final int batch = (int)arg(args, "batch", 1_000);
        final int rate = (int)arg(args, "rate", 2_000);
        final int seconds = (int)arg(args, "seconds", 20);
        final Path dir = Files.createTempDirectory("sluice-cdc-bench-");
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        final AtomicLong outputs = new AtomicLong();
        final AtomicLong recording = new AtomicLong();
        try (PostgresCluster pg = PostgresCluster.start("bench", false))
        {
            pg.sql("CREATE TABLE bench (id bigint PRIMARY KEY, sent_us bigint NOT NULL, amount bigint NOT NULL)");
            final Pipeline pipeline = Pipeline.from("bench", ROW).name("bench").partitionKey("id").eventTime("commit_ts", 0)
                .sink("latency", (partition, sequence, key, timestamp, event) ->
                {
                    if (recording.get() != 0)
                    {
                        final long us = micros() - event.getLong(1);
                        synchronized (latency)
                        {
                            latency.recordValue(Math.max(0, Math.min(us, latency.getHighestTrackableValue())));
                        }
                    }
                    outputs.incrementAndGet();
                })
                .build();
            try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2)
                .checkpointIntervalMillis(1_000), List.of(pipeline));
                CdcSource source = CdcSource.start(engine, new CdcSourceContext().port(pg.port()).database(PostgresCluster.DATABASE)
                    .user(PostgresCluster.USER).password(() -> PostgresCluster.PASSWORD, "benchmark constant")
                    .slot("bench").publication("bench").stateDirectory(dir).table(new CdcTable("bench", "bench"))))
            {
                while (source.state() != CdcSource.State.STREAMING)
                {
                    if (source.state() == CdcSource.State.FAILED)
                    {
                        throw new IllegalStateException(source.failure());
                    }
                    LockSupport.parkNanos(10_000_000);
                }
                System.out.println("# " + pg.version());
                try (Connection c = pg.connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO bench VALUES (?, ?, ?)"))
                {
                    c.setAutoCommit(false);
                    // Phase 1: throughput.
                    final long start = System.nanoTime();
                    long id = 0;
                    try (PreparedStatement many = c.prepareStatement(
                        "INSERT INTO bench SELECT g, ?, g % 1000 FROM generate_series(?::bigint, ?::bigint) g"))
                    {
                        while (id < rows)
                        {
                            final long last = Math.min(rows, id + batch);
                            many.setLong(1, micros());
                            many.setLong(2, id + 1);
                            many.setLong(3, last);
                            many.executeUpdate();
                            c.commit();
                            id = last;
                        }
                    }
                    final long committed = System.nanoTime();
                    while (outputs.get() < rows)
                    {
                        LockSupport.parkNanos(100_000);
                    }
                    final long done = System.nanoTime();
                    System.out.printf(Locale.ROOT, "throughput: %,d rows in transactions of %,d: committed in %.2f s (%,.0f rows/s, INSERT ... SELECT generate_series), " +
                        "all through the pipeline after %.2f s: %,.0f changes/s from first commit to last output%n",
                        rows, batch, (committed - start) / 1e9, rows / ((committed - start) / 1e9), (done - start) / 1e9,
                        rows / ((done - start) / 1e9));
                    // Phase 2: latency at a fixed rate of single-row transactions (warm-up: the first 2 seconds).
                    final long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                    final long phase = System.nanoTime();
                    long next = phase;
                    long sent = 0;
                    while (System.nanoTime() - phase < TimeUnit.SECONDS.toNanos(seconds + 2))
                    {
                        while (System.nanoTime() < next)
                        {
                            Thread.onSpinWait();
                        }
                        if (recording.get() == 0 && System.nanoTime() - phase > TimeUnit.SECONDS.toNanos(2))
                        {
                            recording.set(1);
                        }
                        insert.setLong(1, ++id);
                        insert.setLong(2, micros());
                        insert.setLong(3, id % 1000);
                        insert.executeUpdate();
                        c.commit();
                        sent++;
                        next += interval;
                    }
                    final long expected = rows + sent;
                    while (outputs.get() < expected)
                    {
                        LockSupport.parkNanos(100_000);
                    }
                    synchronized (latency)
                    {
                        System.out.printf(Locale.ROOT, "latency: %,d single-row transactions at %,d/s (achieved %,.0f/s), commit-to-output " +
                            "p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (%,d recorded after a 2 s warm-up)%n",
                            sent, rate, sent / ((System.nanoTime() - phase) / 1e9), latency.getValueAtPercentile(50) / 1000.0,
                            latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0,
                            latency.getMaxValue() / 1000.0, latency.getTotalCount());
                    }
                }
            }
        }
        finally
        {
            try (var paths = Files.walk(dir))
            {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long micros()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static long arg(final String[] args, final String name, final long defaultValue)
    {
        for (final String a : args)
        {
            if (a.startsWith(name + "="))
            {
                return Long.parseLong(a.substring(name.length() + 1));
            }
        }
        return defaultValue;
    }
}
