package io.sluice.cdc;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL restarted under the source, a dropped slot, an ALTER TABLE of a captured column, and the
 * slot held back until a checkpoint covers the changes. A private cluster, because it is restarted.
 */
class CdcFailureTest
{
    private static PostgresCluster pg;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startCluster()
    {
        pg = PostgresCluster.start("failures");
    }

    @AfterAll
    static void stopCluster()
    {
        if (pg != null)
        {
            pg.close();
        }
    }

    @AfterEach
    void close() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    private Engine engine(final Rows.Collector sink, final long checkpointIntervalMillis)
    {
        final Pipeline pipeline = Pipeline.from("accounts", Rows.ACCOUNT)
            .name("changes").partitionKey("id").eventTime("commit_ts", 0).sink("out", sink).build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2).ringSize(1024)
            .checkpointIntervalMillis(checkpointIntervalMillis), List.of(pipeline));
        closeables.add(engine);
        return engine;
    }

    private CdcSource source(final Engine engine, final String table, final String slot)
    {
        final CdcSource source = CdcSource.start(engine, CdcStreamTest.context(pg, dir, slot, CdcStreamTest.accounts(table))
            .reconnectBackoffMillis(50, 500));
        closeables.add(source);
        Await.until("streaming", 60, () -> source.state() == CdcSource.State.STREAMING, () -> source.state() + " " + source.failure());
        return source;
    }

    @Test
    void shouldConfirmTheSlotOnlyForChangesACompletedCheckpointCovers() throws Exception
    {
        pg.sql(AccountModel.ddl("held"));
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink, 0);
        final CdcSource source = source(engine, "held", "held_slot");
        final long start = CdcDaemonCrashTest.slotConfirmedLsn(pg, "held_slot");
        final AccountModel model = new AccountModel("held", 1);
        try (Connection c = pg.connect())
        {
            for (int t = 0; t < 20; t++)
            {
                model.transaction(c, 3);
            }
        }
        Await.until("every change processed", 60, () -> sink.size() >= model.events());
        // Give several status updates (every 100 ms) a chance to (wrongly) move the slot: wait until the
        // server has received three more of them, checking the slot at each look.
        final java.util.Set<java.sql.Timestamp> replies = new java.util.HashSet<>();
        final java.sql.Timestamp firstReply = replyTime("held_slot");
        Await.until("three status updates from the source after every change was processed", 60, () ->
        {
            try
            {
                assertThat(CdcDaemonCrashTest.slotConfirmedLsn(pg, "held_slot")).as("no checkpoint yet").isEqualTo(start);
                final java.sql.Timestamp reply = replyTime("held_slot");
                if (reply != null && (firstReply == null || reply.after(firstReply)))
                {
                    replies.add(reply);
                }
                return replies.size() >= 3;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        engine.checkpoint().get(60, TimeUnit.SECONDS);
        Await.until("the slot to pass the last commit once checkpointed", 60,
            () -> slot("held_slot") >= source.metrics().lastCommitLsn(),
            () -> slot("held_slot") + " < " + source.metrics().lastCommitLsn());
    }

    @Test
    void shouldReconnectAndResumeWhenPostgresRestartsUnderTheSource() throws Exception
    {
        pg.sql(AccountModel.ddl("restarted"), "ALTER TABLE restarted REPLICA IDENTITY FULL");
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink, 200);
        final CdcSource source = source(engine, "restarted", "restart_slot");
        final AccountModel model = new AccountModel("restarted", 2);
        try (Connection c = pg.connect())
        {
            for (int t = 0; t < 20; t++)
            {
                model.transaction(c, 4);
            }
        }
        // Stop PostgreSQL while changes may still be in flight, then change more after it is back.
        pg.stopServer();
        Await.until("the source to notice", 60, () -> source.metrics().reconnects() > 0);
        pg.startAgain();
        try (Connection c = pg.connect())
        {
            for (int t = 0; t < 20; t++)
            {
                model.transaction(c, 4);
            }
        }
        Await.until(model.events() + " changes", 120, () -> sink.size() >= model.events(),
            () -> "(" + sink.size() + ", " + source.state() + " " + source.failure() + ")");
        assertThat(source.state()).isEqualTo(CdcSource.State.STREAMING);
        // A change resent after the reconnect would reach the sink before any later commit: commit one
        // more transaction and wait for it, then nothing resent can still be on its way.
        try (Connection c = pg.connect())
        {
            model.transaction(c, 1);
        }
        Await.until("the closing transaction", 120, () -> sink.size() >= model.events(),
            () -> "(" + sink.size() + ", " + source.state() + " " + source.failure() + ")");
        assertThat(sink.size()).as("nothing doubled").isEqualTo(model.events());
        final java.util.Map<Long, List<java.util.Map<String, String>>> actual = new java.util.HashMap<>();
        for (final java.util.Map<String, String> row : sink.rows())
        {
            final java.util.Map<String, String> m = new java.util.HashMap<>(row);
            m.remove("commit_ts");
            m.remove("lsn");
            actual.computeIfAbsent(Long.parseLong(row.get("id")), k -> new ArrayList<>()).add(m);
        }
        for (final var e : model.expected().entrySet())
        {
            assertThat(actual.get(e.getKey())).as("key %d", e.getKey())
                .isEqualTo(e.getValue().stream().map(m -> (java.util.Map<String, String>)new java.util.HashMap<>(m)).toList());
        }
    }

    @Test
    void shouldStopWithAClearErrorWhenTheSlotIsDropped() throws Exception
    {
        pg.sql(AccountModel.ddl("dropped"));
        final Engine engine = engine(new Rows.Collector(), 200);
        final CdcSource source = source(engine, "dropped", "dropped_slot");
        pg.sql("INSERT INTO dropped VALUES (1, 'a', 1, false, now(), 1, 1)");
        Await.until("the slot confirmed", 60, () -> source.metrics().confirmedLsn() >= source.metrics().lastCommitLsn() &&
            source.metrics().lastCommitLsn() > 0);
        try (Connection c = pg.superuserOnDatabase(); var s = c.createStatement())
        {
            // An active slot cannot be dropped: end the walsender first, then drop before the source reconnects.
            s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'dropped_slot'");
            Await.until("the slot inactive", 30, () -> !active(c, "dropped_slot"));
            s.execute("SELECT pg_drop_replication_slot('dropped_slot')");
        }
        catch (final java.sql.SQLException ex)
        {
            throw new AssertionError(ex);
        }
        Await.until("the source to stop", 60, () -> source.state() == CdcSource.State.FAILED, () -> source.state().toString());
        assertThat(source.failure()).isInstanceOf(CdcException.class)
            .hasMessageContaining("replication slot 'dropped_slot' does not exist")
            .hasMessageContaining("confirmed changes up to LSN");
        assertThat(((CdcException)source.failure()).category()).isEqualTo(CdcException.Category.SLOT);
    }

    @Test
    void shouldStopWithAClearErrorWhenACapturedColumnIsAlteredAndLoseNothingBeforeIt() throws Exception
    {
        pg.sql(AccountModel.ddl("altered"));
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink, 200);
        final CdcSource source = source(engine, "altered", "altered_slot");
        pg.sql("INSERT INTO altered VALUES (1, 'a', 1, false, now(), 1, 1)",
            "ALTER TABLE altered ADD COLUMN note text",                         // not captured: fine
            "INSERT INTO altered VALUES (2, 'b', 2, false, now(), 2, 2, 'x')",
            "ALTER TABLE altered ALTER COLUMN name TYPE varchar(40)",          // captured: stops
            "INSERT INTO altered VALUES (3, 'c', 3, false, now(), 3, 3, 'y')");
        Await.until("the source to stop", 60, () -> source.state() == CdcSource.State.FAILED, () -> source.state().toString());
        assertThat(source.failure()).isInstanceOf(CdcException.class)
            .hasMessageContaining("captured table public.altered changed (ALTER TABLE)")
            .hasMessageContaining("column 'name' changed from character varying");
        Await.until("the two changes before it", 30, () -> sink.size() >= 2);
        assertThat(sink.rows()).extracting(r -> r.get("id")).containsExactly("1", "2");
        // The last transaction streamed is row 2's: the slot never moves past it, so row 3 comes again after a fix.
        assertThat(slot("altered_slot")).as("nothing after the ALTER confirmed").isLessThanOrEqualTo(source.metrics().lastCommitLsn());
        assertThat(sink.size()).isEqualTo(2);
    }

    private static boolean active(final Connection c, final String slot)
    {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
        {
            return rs.next() && rs.getBoolean(1);
        }
        catch (final java.sql.SQLException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static long slot(final String slot)
    {
        try
        {
            return CdcDaemonCrashTest.slotConfirmedLsn(pg, slot);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** When the server last received a status update from the walsender's client holding the slot, or null. */
    private static java.sql.Timestamp replyTime(final String slot) throws java.sql.SQLException
    {
        try (Connection c = pg.superuserOnDatabase();
            java.sql.PreparedStatement statement = c.prepareStatement("select r.reply_time from pg_stat_replication r " +
                "join pg_replication_slots s on s.active_pid = r.pid where s.slot_name = ?"))
        {
            statement.setString(1, slot);
            try (java.sql.ResultSet rows = statement.executeQuery())
            {
                return rows.next() ? rows.getTimestamp(1) : null;
            }
        }
    }
}
