package io.sluice.cdc;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILLs a real daemon capturing a table while transactions keep committing, restarts it, and checks
 * that every change reached the exactly-once CSV output once, in order per key, and that the slot's
 * confirmed position is always one the source recorded (covered by a completed checkpoint).
 */
class CdcDaemonCrashTest
{
    private static final long SEED = Long.getLong("cdc.seed", System.nanoTime());
    private static final int KILLS = Boolean.getBoolean("sluice.test.slow") ? 50 : 10;

    @TempDir
    Path dir;

    @Test
    void shouldLoseAndDoubleNothingWhenTheDaemonIsKilledMidStream() throws Exception
    {
        final PostgresCluster pg = PostgresCluster.shared();
        final String table = "kill_acc";
        final String slot = "kill_slot";
        pg.sql(AccountModel.ddl(table), "ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        final AccountModel model = new AccountModel(table, SEED);
        try (Connection c = pg.connect())
        {
            model.seed(c, 50);
        }
        final CdcDaemon daemon = new CdcDaemon(dir.resolve("daemon"), pg, table, slot, "");
        final Random random = new Random(SEED);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> writerError = new AtomicReference<>();
        final Object modelLock = new Object();
        final Thread writer = new Thread(() ->
        {
            try (Connection c = pg.connect())
            {
                int n = 0;
                while (writing.get())
                {
                    synchronized (modelLock)
                    {
                        if (++n % 25 == 0)
                        {
                            model.largeTransaction(c, 300);
                        }
                        else
                        {
                            model.transaction(c, 1 + n % 5);
                        }
                    }
                    Thread.sleep(5);
                }
            }
            catch (final Throwable ex)
            {
                writerError.set(ex);
            }
        }, "pg-writer");
        try
        {
            daemon.start();
            Await.until("the snapshot in the output", 120, () -> daemon.rows().size() >= 50 || !daemon.isAlive(), daemon::logText);
            assertThat(daemon.isAlive()).as(daemon.logText()).isTrue();
            writer.start();
            final Path positions = daemon.dir().resolve("data").resolve("cdc").resolve("cdc-" + slot + ".positions");
            for (int kill = 0; kill < KILLS; kill++)
            {
                final int seen = daemon.rows().size();
                final int more = 10 + random.nextInt(150);
                Await.until("kill " + kill + ": " + more + " more outputs", 180,
                    () -> daemon.rows().size() >= seen + more || !daemon.isAlive(), daemon::logText);
                assertThat(daemon.isAlive()).as("daemon alive before kill %d: %s", kill, daemon.logText()).isTrue();
                daemon.kill();
                final long confirmed = slotConfirmedLsn(pg, slot);
                final ConfirmedPositions recorded = new ConfirmedPositions(positions.getParent(), slot).load();
                assertThat(recorded.countAt(confirmed)).as("slot position %d after kill %d is one the source recorded before confirming " +
                    "(file ends at %d)", confirmed, kill, recorded.lastLsn()).isGreaterThanOrEqualTo(0);
                daemon.start();
            }
            writing.set(false);
            writer.join();
            assertThat(writerError.get()).isNull();
            try (Connection c = pg.connect())
            {
                model.transaction(c, 2); // streamed by the last daemon run, so its counters have something to show
            }
            Await.until(model.events() + " outputs", 300, () -> daemon.rows().size() >= model.events() || !daemon.isAlive(),
                () -> "(have " + daemon.rows().size() + ") " + daemon.logText());
            // Metrics: the counters file of the running daemon (read by stat, JMX and Prometheus) holds the source's figures;
            // the password is nowhere.
            final java.io.StringWriter out = new java.io.StringWriter();
            Await.until("the CDC counters", 60, () ->
            {
                out.getBuffer().setLength(0);
                final java.io.StringWriter err = new java.io.StringWriter();
                return io.sluice.ops.SluiceMain.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                    "stat", "--dir", daemon.dir().resolve("data").toString()) == 0 &&
                    out.toString().contains("cdc-state: " + slot) && counter(out.toString(), "cdc-changes: " + slot) > 0 &&
                    counter(out.toString(), "cdc-last-commit-ms: " + slot) > 0;
            }, out::toString);
            assertThat(out.toString()).contains("cdc-changes: " + slot).contains("cdc-changes-per-second: " + slot)
                .contains("cdc-last-commit-ms: " + slot).contains("cdc-slot-lag-bytes: " + slot).contains("cdc-slot-lag-ms: " + slot)
                .contains("cdc-duplicates: " + slot).doesNotContain(PostgresCluster.PASSWORD);
            assertThat(counter(out.toString(), "cdc-changes: " + slot)).isPositive();
            assertThat(counter(out.toString(), "cdc-last-commit-ms: " + slot)).isGreaterThan(1_700_000_000_000L);
            for (final java.io.File log : daemon.dir().toFile().listFiles((d, n) -> n.endsWith(".log")))
            {
                assertThat(java.nio.file.Files.readString(log.toPath())).doesNotContain(PostgresCluster.PASSWORD);
            }
            assertThat(daemon.stop()).as(daemon.logText()).isZero();
        }
        finally
        {
            writing.set(false);
            writer.join();
            if (daemon.isAlive())
            {
                daemon.kill();
            }
        }
        final Map<Long, List<Map<String, String>>> actual = new HashMap<>();
        for (final Map<String, String> row : daemon.rows())
        {
            actual.computeIfAbsent(Long.parseLong(row.get("id")), k -> new ArrayList<>()).add(normalise(row));
        }
        assertThat(daemon.rows()).as("exactly once (seed %d)", SEED).hasSize(model.events());
        for (final Map.Entry<Long, List<Map<String, String>>> e : model.expected().entrySet())
        {
            assertThat(actual.get(e.getKey())).as("changes of key %d (seed %d)", e.getKey(), SEED)
                .isEqualTo(e.getValue().stream().map(CdcDaemonCrashTest::normalise).toList());
        }
    }

    private static Map<String, String> normalise(final Map<String, String> row)
    {
        final Map<String, String> m = new HashMap<>(row);
        m.remove("commit_ts");
        m.remove("lsn");
        m.put("score", Double.toString(Double.parseDouble(m.get("score"))));
        m.put("blocked", Boolean.toString(m.get("blocked").equals("true") || m.get("blocked").equals("1")));
        m.put("deleted", Boolean.toString(m.get("deleted").equals("true") || m.get("deleted").equals("1")));
        return m;
    }

    private static long counter(final String stat, final String label)
    {
        for (final String line : stat.split("\n"))
        {
            if (line.trim().endsWith(" - " + label))
            {
                final String value = line.substring(line.indexOf(':') + 1, line.indexOf(" - ")).trim().replace(",", "");
                return Long.parseLong(value);
            }
        }
        throw new AssertionError("no counter '" + label + "' in: " + stat);
    }

    static long slotConfirmedLsn(final PostgresCluster pg, final String slot) throws Exception
    {
        try (Connection c = pg.superuserOnDatabase())
        {
            return Catalog.slotConfirmedLsn(c, slot);
        }
    }
}
