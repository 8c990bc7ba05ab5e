package io.sluice.cdc;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CdcStreamTest
{
    private static final long SEED = Long.getLong("cdc.seed", System.nanoTime());

    @TempDir
    Path dir;

    private final PostgresCluster pg = PostgresCluster.shared();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    static CdcSourceContext context(final PostgresCluster pg, final Path state, final String slot, final CdcTable... tables)
    {
        final CdcSourceContext context = new CdcSourceContext()
            .host("127.0.0.1").port(pg.port()).database(PostgresCluster.DATABASE).user(PostgresCluster.USER)
            .password(() -> PostgresCluster.PASSWORD, "test constant")
            .slot(slot).publication(slot + "_pub").stateDirectory(state).statusIntervalMillis(100);
        for (final CdcTable t : tables)
        {
            context.table(t);
        }
        return context;
    }

    static CdcTable accounts(final String table)
    {
        return new CdcTable(table, "accounts").scale("balance", 2).scale("before_balance", 2);
    }

    private Engine engine(final Rows.Collector sink)
    {
        final Pipeline pipeline = Pipeline.from("accounts", Rows.ACCOUNT)
            .name("changes")
            .partitionKey("id")
            .eventTime("commit_ts", 0)
            .sink("out", sink)
            .build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(3).ringSize(1024)
            .checkpointIntervalMillis(300), List.of(pipeline));
        closeables.add(engine);
        return engine;
    }

    @Test
    void shouldDeliverSnapshotThenEveryChangeKeyedByPrimaryKeyWithOpBeforeImageAndCommitTime() throws Exception
    {
        final String table = "acc_stream";
        pg.sql(AccountModel.ddl(table), "ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        final AccountModel model = new AccountModel(table, SEED);
        try (Connection c = pg.connect())
        {
            model.seed(c, 40);
        }
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink);
        final CdcSource source = CdcSource.start(engine, context(pg, dir, "stream_slot", accounts(table)));
        closeables.add(source);
        Await.until("the snapshot's 40 rows", 60, () -> sink.size() >= 40, () -> source.state() + " " + source.failure());
        final long before = System.currentTimeMillis();
        try (Connection c = pg.connect())
        {
            for (int t = 0; t < 60; t++)
            {
                model.transaction(c, 1 + t % 8);
            }
            model.largeTransaction(c, 3_000);
            for (int t = 0; t < 10; t++)
            {
                model.transaction(c, 3);
            }
        }
        final long after = System.currentTimeMillis();
        Await.until(model.events() + " events", 120, () -> sink.size() >= model.events(),
            () -> "(have " + sink.size() + ", source " + source.state() + " " + source.failure() + ")");

        final Map<Long, List<Map<String, String>>> actual = new HashMap<>();
        final Map<String, String> commitTimes = new HashMap<>();
        for (final Map<String, String> row : sink.rows())
        {
            final long commitTs = Long.parseLong(row.get("commit_ts"));
            if (!"0".equals(row.get("op")))
            {
                assertThat(commitTs).as("commit time of %s", row).isBetween(before - 5_000, after + 5_000);
                // Every change of one transaction carries that transaction's commit LSN and commit time.
                final String previous = commitTimes.putIfAbsent(row.get("lsn"), row.get("commit_ts"));
                assertThat(previous == null || previous.equals(row.get("commit_ts"))).as("one commit time per LSN").isTrue();
            }
            final Map<String, String> fields = new HashMap<>(row);
            fields.remove("commit_ts");
            fields.remove("lsn");
            actual.computeIfAbsent(Long.parseLong(row.get("id")), k -> new ArrayList<>()).add(fields);
        }
        assertThat(sink.size()).as("no duplicates (seed %d)", SEED).isEqualTo(model.events());
        for (final Map.Entry<Long, List<Map<String, String>>> e : model.expected().entrySet())
        {
            final List<Map<String, String>> expected = e.getValue().stream().map(m -> (Map<String, String>)new HashMap<>(m)).toList();
            assertThat(actual.get(e.getKey())).as("changes of key %d (seed %d)", e.getKey(), SEED).isEqualTo(expected);
        }
        assertThat(source.metrics().snapshotRows()).isEqualTo(40);
        assertThat(source.metrics().changes()).isEqualTo(model.events());
        Await.until("the slot confirmed past the last commit", 60,
            () -> source.metrics().confirmedLsn() >= source.metrics().lastCommitLsn(),
            () -> source.metrics().confirmedLsn() + " < " + source.metrics().lastCommitLsn());
        assertThat(source.state()).isEqualTo(CdcSource.State.STREAMING);
    }

    @Test
    void shouldRefuseUnsupportedColumnTypesAndMissingColumnsAtStartNamingTableAndColumn()
    {
        pg.sql("CREATE TABLE acc_bad (id bigint PRIMARY KEY, name jsonb, balance numeric, blocked boolean, opened timestamptz, " +
            "score double precision)");
        final Engine engine = engine(new Rows.Collector());
        assertThatThrownBy(() -> CdcSource.start(engine, context(pg, dir, "bad_slot", accounts("acc_bad"))))
            .isInstanceOf(CdcException.class)
            .hasMessageContaining("public.acc_bad column 'name'")
            .hasMessageContaining("unsupported column type jsonb")
            .hasMessageContaining("no column 'visits'");
    }

    @Test
    void shouldStopWithClearErrorOnATooLongTextValueAndConfirmNothingAfterIt() throws Exception
    {
        final String table = "acc_long";
        pg.sql("CREATE TABLE " + table + " (id bigint PRIMARY KEY, name text NOT NULL, balance numeric(12,2), blocked boolean, " +
            "opened timestamptz, score double precision, visits integer)");
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink);
        final CdcSource source = CdcSource.start(engine, context(pg, dir, "long_slot", accounts(table)));
        closeables.add(source);
        Await.until("streaming", 60, () -> source.state() == CdcSource.State.STREAMING, () -> source.state() + " " + source.failure());
        pg.sql("INSERT INTO " + table + " VALUES (1, 'short', 1.5, false, now(), 1, 1)",
            "INSERT INTO " + table + " VALUES (2, 'much too long for twelve', 2, false, now(), 1, 1)");
        Await.until("the source to stop", 60, () -> source.state() == CdcSource.State.FAILED);
        assertThat(source.failure()).isInstanceOf(CdcException.class)
            .hasMessageContaining("table public." + table + " column 'name'")
            .hasMessageContaining("longer than the 12 bytes")
            .hasMessageContaining("key 2");
        Await.until("the first row", 30, () -> sink.size() == 1);
        assertThat(sink.rows().get(0)).containsEntry("balance", "150").containsEntry("name", "short");
        assertThat(source.metrics().errors()).isEqualTo(1);
    }
}
