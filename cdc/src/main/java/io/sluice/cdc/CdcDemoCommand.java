package io.sluice.cdc;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.HdrHistogram.Histogram;

import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo cdc}: the orders-vs-accounts check of the fraud desk with the accounts table kept in
 * PostgreSQL. A private PostgreSQL cluster (the Debian packages' binaries, a temporary directory, loopback)
 * holds {@code accounts}; the CDC source streams it into the engine as a table; orders generated at a fixed
 * rate are LEFT-joined to it, and an alert fires for an order of a blocked account or over its limit. An
 * "operator" blocks and unblocks accounts in SQL twice a second; the demo reports how long after the
 * SQL COMMIT the first alert for that account came out.
 */
@Command(
    name = "cdc",
    mixinStandardHelpOptions = true,
    description = "The fraud desk's accounts table kept in PostgreSQL (a private cluster started for the demo): orders " +
        "joined to it through change data capture; blocking an account in SQL changes the alerts within " +
        "milliseconds. Needs the PostgreSQL server binaries (Debian package 'postgresql').")
public final class CdcDemoCommand implements Callable<Integer>
{
    private static final Schema ORDER = Schema.builder("order")
        .longField("order_id").longField("account").longField("amount").timestampField("ts").build();
    private static final Schema ACCOUNT = Schema.builder("account")
        .longField("id").symbolField("name", 12).booleanField("blocked").longField("credit_limit")
        .intField("op").booleanField("deleted").timestampField("commit_ts").build();

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20", description = "how long to run (default ${DEFAULT-VALUE})")
    int duration;

    @Option(names = "--rate", paramLabel = "ORDERS", defaultValue = "20000", description = "orders per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--accounts", paramLabel = "N", defaultValue = "1000", description = "accounts in PostgreSQL (default ${DEFAULT-VALUE})")
    int accounts;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "2", description = "engine partitions (default ${DEFAULT-VALUE})")
    int partitions;

    /**
     * Creates the command; picocli calls this.
     */
    public CdcDemoCommand()
    {
    }

    @Override
    public Integer call() throws Exception
    {
        final Path dir = Files.createTempDirectory("sluice-demo-cdc-");
        System.out.println("sluice demo cdc: starting a private PostgreSQL cluster ...");
        try (PostgresCluster pg = PostgresCluster.start("demo", false))
        {
            System.out.printf(Locale.ROOT, "  %s on 127.0.0.1:%d, database %s%n", pg.version().split(",")[0], pg.port(), PostgresCluster.DATABASE);
            createAccounts(pg);
            run(pg, dir);
        }
        finally
        {
            deleteTree(dir);
        }
        return 0;
    }

    private void createAccounts(final PostgresCluster pg) throws SQLException
    {
        pg.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, name varchar(12) NOT NULL, blocked boolean NOT NULL, " +
            "credit_limit numeric(12,2) NOT NULL)");
        try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, false, ?)"))
        {
            c.setAutoCommit(false);
            for (int id = 1; id <= accounts; id++)
            {
                s.setLong(1, id);
                s.setString(2, "acct-" + id);
                s.setBigDecimal(3, BigDecimal.valueOf(900_00 + (id % 10) * 10_000, 2));
                s.addBatch();
            }
            s.executeBatch();
            c.commit();
        }
        System.out.printf(Locale.ROOT, "  table accounts: %d rows (id, name, blocked, credit_limit)%n", accounts);
    }

    private void run(final PostgresCluster pg, final Path dir) throws Exception
    {
        final ConcurrentHashMap<Long, Long> blockedAt = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 2);
        final AtomicLong alerts = new AtomicLong();
        final Pipeline.JoinBuilder join = Pipeline.join("orders-accounts",
                Source.stream("orders", ORDER).partitionKey("account").eventTime("ts", 0),
                Source.table("accounts", ACCOUNT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0))
            .lookup().type(JoinType.LEFT).prefixes("order", "account").expectedEntries(accounts * 2);
        final Schema rows = join.then().sink("none", (partition, sequence, key, timestamp, event) -> { }).build().join().output();
        final int flags = rows.field("join_flags").index();
        final int account = rows.field("order_account").index();
        final int amount = rows.field("order_amount").index();
        final int blocked = rows.field("account_blocked").index();
        final int limit = rows.field("account_credit_limit").index();
        final Pipeline pipeline = Pipeline.join("orders-accounts",
                Source.stream("orders", ORDER).partitionKey("account").eventTime("ts", 0),
                Source.table("accounts", ACCOUNT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0))
            .lookup().type(JoinType.LEFT).prefixes("order", "account").expectedEntries(accounts * 2)
            .then()
            .filter("unknown, blocked or over the limit", r -> r.getInt(flags) == JoinResultHandler.RIGHT_NULL || r.getBoolean(blocked) ||
                r.getLong(amount) > r.getLong(limit))
            .sink("alerts", (partition, sequence, key, timestamp, event) ->
            {
                alerts.incrementAndGet();
                final Long since = blockedAt.remove(event.getLong(account));
                if (since != null && event.getBoolean(blocked))
                {
                    synchronized (latency)
                    {
                        latency.recordValue(Math.max(0, (System.nanoTime() - since) / 1_000));
                    }
                }
            })
            .build();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(partitions)
            .checkpointIntervalMillis(1_000), List.of(pipeline)))
        {
            final CdcSource source = CdcSource.start(engine, new CdcSourceContext()
                .port(pg.port()).database(PostgresCluster.DATABASE).user(PostgresCluster.USER)
                .password(() -> PostgresCluster.PASSWORD, "demo constant")
                .slot("sluice_demo").publication("sluice_demo").stateDirectory(dir)
                .statusIntervalMillis(200)
                .table(new CdcTable("public.accounts", "accounts").scale("credit_limit", 2)));
            try
            {
                while (source.state() != CdcSource.State.STREAMING)
                {
                    if (source.state() == CdcSource.State.FAILED)
                    {
                        throw new IllegalStateException("CDC source failed: " + source.failure().getMessage(), source.failure());
                    }
                    LockSupport.parkNanos(10_000_000);
                }
                System.out.printf(Locale.ROOT, "  snapshot: %d rows into table topic 'accounts'; streaming changes%n",
                    source.metrics().snapshotRows());
                System.out.printf(Locale.ROOT, "  orders at %,d/s LEFT-joined to accounts; an operator blocks an account in SQL twice a second%n%n", rate);
                drive(engine, pg, source, blockedAt, latency, alerts);
            }
            finally
            {
                source.close();
            }
        }
    }

    private void drive(
        final Engine engine, final PostgresCluster pg, final CdcSource source, final ConcurrentHashMap<Long, Long> blockedAt,
        final Histogram latency, final AtomicLong alerts) throws Exception
    {
        final EventPublisher orders = engine.publisher("orders");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ORDER.length()]);
        final EventFlyweight order = new EventFlyweight(ORDER).wrapForWrite(buffer, 0);
        final Random random = new Random(42);
        final List<Long> blockedNow = new ArrayList<>();
        long orderId = 0;
        long sent = 0;
        long blocks = 0;
        final long start = System.nanoTime();
        long nextOperator = start;
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long lastAlerts = 0;
        long lastSent = 0;
        try (Connection sql = pg.connect(); PreparedStatement update = sql.prepareStatement("UPDATE accounts SET blocked = ? WHERE id = ?"))
        {
            sql.setAutoCommit(false);
            long watched = -1;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(duration))
            {
                final long now = System.nanoTime();
                final long due = (now - start) * rate / 1_000_000_000L;
                while (sent < due)
                {
                    // One order in 50 is for the account blocked last, so its first alert shows how fast the block arrived.
                    final long acct = watched > 0 && sent % 50 == 0 ? watched : 1 + random.nextInt(accounts);
                    order.putLong(0, ++orderId).putLong(1, acct).putLong(2, 1 + random.nextInt(900_00)).putLong(3, System.currentTimeMillis());
                    orders.publish(buffer, 0);
                    sent++;
                }
                if (now >= nextOperator)
                {
                    nextOperator = now + TimeUnit.MILLISECONDS.toNanos(500);
                    if (blockedNow.size() >= 4)
                    {
                        update.setBoolean(1, false);
                        update.setLong(2, blockedNow.remove(0));
                        update.executeUpdate();
                        sql.commit();
                    }
                    watched = 1 + random.nextInt(accounts);
                    update.setBoolean(1, true);
                    update.setLong(2, watched);
                    update.executeUpdate();
                    blockedAt.put(watched, System.nanoTime());
                    sql.commit();
                    blockedNow.add(watched);
                    blocks++;
                }
                if (now >= nextReport)
                {
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                    final long a = alerts.get();
                    final CdcMetrics m = source.metrics();
                    synchronized (latency)
                    {
                        System.out.printf(Locale.ROOT, "  %3ds  orders %,7d/s  alerts %,6d/s  cdc changes %,5d  slot lag %,7d B  " +
                            "SQL block -> first alert p50 %,6.2f ms  max %,6.2f ms%n",
                            TimeUnit.NANOSECONDS.toSeconds(now - start), sent - lastSent, a - lastAlerts, m.changes(), Math.max(0, m.lagBytes()),
                            latency.getValueAtPercentile(50) / 1000.0, latency.getMaxValue() / 1000.0);
                    }
                    lastAlerts = a;
                    lastSent = sent;
                }
                LockSupport.parkNanos(200_000);
            }
        }
        engine.drain(30, TimeUnit.SECONDS);
        synchronized (latency)
        {
            System.out.printf(Locale.ROOT, "%nsummary: %,d orders, %,d alerts, %d accounts blocked in SQL; SQL COMMIT -> first alert for that " +
                "account (includes waiting for its next order, 1 in 50 orders): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d blocks%n",
                sent, alerts.get(), blocks, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0, latency.getTotalCount());
            System.out.printf(Locale.ROOT, "cdc: %,d changes, slot confirmed to %s after %d checkpoints (%d failed), %d reconnects, state %s%n",
                source.metrics().changes(), org.postgresql.replication.LogSequenceNumber.valueOf(source.metrics().confirmedLsn()),
                engine.checkpoints().completed(), engine.checkpoints().failed(), source.metrics().reconnects(), source.state());
        }
    }

    private static void deleteTree(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final java.io.IOException ignore)
        {
            // Temporary directory: best effort.
        }
    }
}
