package io.sluice.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.schema.Schema;

/**
 * PostgreSQL numeric(p, s) columns captured into DECIMAL fields of a real PostgreSQL: exact values
 * through the snapshot (COPY binary) and the stream (pgoutput binary), at the field's scale; a numeric
 * without a precision, of more than 18 digits, or whose values would not all fit the field, refused at
 * start naming the table, the column and the field.
 */
class CdcDecimalTest
{
    private static final long SEED = Long.getLong("cdc.seed", System.nanoTime());
    private static final Schema PAYMENT = Schema.builder("payment")
        .longField("id").decimalField("amount", 12, 2).decimalField("rate", 14, 8).intField("op").timestampField("commit_ts")
        .build();

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

    private Engine engine(final Rows.Collector sink)
    {
        final Pipeline pipeline = Pipeline.from("payments", PAYMENT).name("payments").partitionKey("id").eventTime("commit_ts", 0)
            .sink("out", sink).build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2).ringSize(1024)
            .checkpointIntervalMillis(300), List.of(pipeline));
        closeables.add(engine);
        return engine;
    }

    private static CdcTable payments(final String table)
    {
        return new CdcTable(table, "payments").opField("op").commitTimeField("commit_ts");
    }

    @Test
    void shouldCaptureNumericColumnsIntoDecimalFieldsExactlyFromSnapshotAndStream() throws Exception
    {
        final String table = "pay_decimal";
        pg.sql("CREATE TABLE " + table + " (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, rate numeric(10,6) NOT NULL)");
        final SplittableRandom random = new SplittableRandom(SEED);
        final Map<Long, String[]> expected = new HashMap<>();
        try (Connection c = pg.connect())
        {
            insert(c, table, 0, 100, random, expected);
        }
        final Rows.Collector sink = new Rows.Collector();
        final Engine engine = engine(sink);
        final CdcSource source = CdcSource.start(engine, CdcStreamTest.context(pg, dir, "decimal_slot", payments(table)));
        closeables.add(source);
        Await.until("the snapshot's 100 rows", 60, () -> sink.size() >= 100, () -> source.state() + " " + source.failure());
        try (Connection c = pg.connect())
        {
            insert(c, table, 100, 200, random, expected);
        }
        Await.until("200 rows", 120, () -> sink.size() >= 200, () -> "(have " + sink.size() + ", " + source.state() + " " + source.failure() + ")");

        assertThat(sink.size()).isEqualTo(200);
        for (final Map<String, String> row : sink.rows())
        {
            final String[] values = expected.get(Long.parseLong(row.get("id")));
            // Printed at the field's scale: rate numeric(10,6) into DECIMAL(14, 8) gains two zeros.
            assertThat(row.get("amount")).as("row %s (seed %d)", row, SEED).isEqualTo(new BigDecimal(values[0]).setScale(2).toPlainString());
            assertThat(row.get("rate")).as("row %s (seed %d)", row, SEED).isEqualTo(new BigDecimal(values[1]).setScale(8).toPlainString());
        }
        assertThat(source.metrics().errors()).isZero();
    }

    /** Rows with random values of every magnitude numeric(12,2) and numeric(10,6) hold, the extremes included. */
    private static void insert(final Connection c, final String table, final long from, final long to, final SplittableRandom random,
        final Map<Long, String[]> expected) throws Exception
    {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?::numeric, ?::numeric)"))
        {
            for (long id = from; id < to; id++)
            {
                final String amount = id == from ? "-9999999999.99" : id == from + 1 ? "9999999999.99" :
                    BigDecimal.valueOf(random.nextLong(-999_999_999_999L, 1_000_000_000_000L) / pow(random.nextInt(12)), 2).toPlainString();
                final String rate = id == from ? "0.000001" : id == from + 1 ? "-9999.999999" :
                    BigDecimal.valueOf(random.nextLong(-9_999_999_999L, 10_000_000_000L) / pow(random.nextInt(10)), 6).toPlainString();
                insert.setLong(1, id);
                insert.setString(2, amount);
                insert.setString(3, rate);
                insert.executeUpdate();
                expected.put(id, new String[] {amount, rate});
            }
        }
    }

    private static long pow(final int exponent)
    {
        long p = 1;
        for (int i = 0; i < exponent; i++)
        {
            p *= 10;
        }
        return p;
    }

    @Test
    void shouldRefuseNumericColumnsWhoseValuesCannotAllBeDecimalsNamingTableColumnAndField()
    {
        pg.sql("CREATE TABLE pay_loose (id bigint PRIMARY KEY, amount numeric, rate numeric(20,8))",
            "CREATE TABLE pay_narrow (id bigint PRIMARY KEY, amount numeric(12,4), rate numeric(16,8))");
        final Engine engine = engine(new Rows.Collector());
        assertThatThrownBy(() -> CdcSource.start(engine, CdcStreamTest.context(pg, dir, "loose_slot", payments("pay_loose"))))
            .isInstanceOf(CdcException.class)
            .hasMessageContaining("public.pay_loose column 'amount' (field 'amount'): a numeric column without a precision (numeric) " +
                "cannot fill a DECIMAL(12, 2) field: its values may have any number of digits; declare the column numeric(p, s) " +
                "with p <= 18, or make the field DOUBLE")
            .hasMessageContaining("public.pay_loose column 'rate' (field 'rate'): a numeric(20,8) column has up to 20 digits, " +
                "more than the 18 of a DECIMAL field");
        assertThatThrownBy(() -> CdcSource.start(engine, CdcStreamTest.context(pg, dir.resolve("narrow"), "narrow_slot", payments("pay_narrow"))))
            .isInstanceOf(CdcException.class)
            .hasMessageContaining("public.pay_narrow column 'amount' (field 'amount'): a numeric(12,4) column's values do not all fit " +
                "a DECIMAL(12, 2) field; declare it DECIMAL(p, s) with s >= 4 and p - s >= 8 (e.g. DECIMAL(12, 4))")
            .hasMessageContaining("public.pay_narrow column 'rate' (field 'rate'): a numeric(16,8) column's values do not all fit " +
                "a DECIMAL(14, 8) field");
    }
}
