package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.Field;

class ConfigJoinTest
{
    static final String GOOD = String.join("\n",
        "schemas:",
        "  order: {order_id: LONG, amount: DOUBLE, ts: TIMESTAMP}",
        "  payment: {order_id: LONG, paid: DOUBLE, ts: TIMESTAMP}",
        "  trade: {account: LONG, qty: INT, price: DOUBLE, ts: TIMESTAMP}",
        "  account: {account_id: LONG, limit: LONG, deleted: BOOLEAN, ts: TIMESTAMP}",
        "  risk: {account_id: LONG, max_qty: INT, gone: BOOLEAN, ts: TIMESTAMP}",
        "pipelines:",
        "  - name: unpaid",
        "    join:",
        "      kind: interval",
        "      type: left",
        "      left: {source: orders, schema: order, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      right: {source: payments, schema: payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      lower: -500ms",
        "      upper: 2s",
        "      allowed_lateness: 1s",
        "      eviction_slice: 32",
        "      prefixes: {left: o, right: p}",
        "    on_error: halt",
        "    filter: join_flags = 2 and o_amount > 10",
        "    sink: unpaid-orders",
        "  - name: enriched",
        "    join:",
        "      kind: lookup",
        "      type: left",
        "      versions: 4",
        "      left: {source: trades, schema: trade, partition_key: account, event_time: ts}",
        "      right:",
        "        source: accounts",
        "        schema: account",
        "        partition_key: account_id",
        "        event_time: ts",
        "        table: true",
        "        delete_flag: deleted",
        "    window: {kind: tumbling, size: 1m}",
        "    aggregates: [{n: count}, {volume: sum(trades_qty)}]",
        "    having: n > 1",
        "    sink: volume",
        "  - name: limits",
        "    join:",
        "      kind: tables",
        "      type: outer",
        "      left: {source: accounts, schema: account, partition_key: account_id, event_time: ts, table: true, delete_flag: deleted}",
        "      right: {source: risk, schema: risk, partition_key: account_id, event_time: ts, table: true, delete_flag: gone}",
        "      expected_entries: 4096",
        "    sink: account-limits",
        "");

    @Test
    void shouldLoadIntervalLookupAndTableJoinsIntoTheDsl()
    {
        final PipelineConfig config = PipelineConfig.parse(GOOD, "joins.yaml");
        final JoinDefinition unpaid = config.pipeline("unpaid").join();
        assertThat(unpaid.kind()).isEqualTo(JoinSpec.Kind.INTERVAL);
        assertThat(unpaid.type()).isEqualTo(JoinType.LEFT);
        assertThat(unpaid.lower()).isEqualTo(-500);
        assertThat(unpaid.upper()).isEqualTo(2_000);
        assertThat(unpaid.allowedLateness()).isEqualTo(1_000);
        assertThat(unpaid.evictionSlice()).isEqualTo(32);
        assertThat(config.pipeline("enriched").join().evictionSlice()).isEqualTo(io.sluice.engine.join.JoinOperatorContext.EVICTION_SLICE_DEFAULT);
        assertThat(unpaid.left().maxOutOfOrderness()).isEqualTo(100);
        assertThat(config.pipeline("unpaid").sources()).extracting(SourceDefinition::topic).containsExactly("orders", "payments");
        assertThat(config.pipeline("unpaid").source()).isEqualTo("orders");
        final JoinDefinition enriched = config.pipeline("enriched").join();
        assertThat(enriched.versions()).isEqualTo(4);
        assertThat(enriched.right().table()).isTrue();
        assertThat(enriched.right().deleteFlag()).isEqualTo("deleted");
        assertThat(config.pipeline("limits").join().expectedEntries()).isEqualTo(4096);

        final List<Pipeline> pipelines = config.build(d -> (p, s, k, t, e) -> { });
        final Pipeline joined = pipelines.get(0);
        assertThat(joined.join().kind()).isEqualTo(JoinSpec.Kind.INTERVAL);
        assertThat(joined.join().type()).isEqualTo(JoinType.LEFT);
        assertThat(joined.join().evictionSlice()).isEqualTo(32);
        assertThat(joined.sources()).extracting(Source::topic).containsExactly("orders", "payments");
        assertThat(joined.outputSchema().fields()).extracting(Field::name)
            .containsExactly("key", "join_flags", "o_order_id", "o_amount", "o_ts", "p_order_id", "p_paid", "p_ts");
        assertThat(joined.describeStages()).hasSize(2);
        assertThat(pipelines.get(1).join().kind()).isEqualTo(JoinSpec.Kind.LOOKUP);
        assertThat(pipelines.get(1).sources().get(1).kind()).isEqualTo(Source.Kind.TABLE);
        assertThat(pipelines.get(1).outputSchema().fields()).extracting(Field::name)
            .containsExactly("key", "window_start", "window_end", "flags", "n", "volume");
        assertThat(pipelines.get(2).join().type()).isEqualTo(JoinType.OUTER);
        assertThat(pipelines.get(2).outputSchema().fields()).extracting(Field::name)
            .contains("accounts_limit", "risk_max_qty", "risk_gone");
    }

    @Test
    void shouldLetSingleSourcePipelinesShareATopicWithAJoinWhenTheyDeclareItAlike()
    {
        final String plain = "  - {name: big, source: orders, schema: order, partition_key: order_id, event_time: ts, " +
            "max_out_of_orderness: 100ms, filter: amount > 1000, sink: big}\n";
        assertThat(PipelineConfig.parse(GOOD + plain, "joins.yaml").pipelines()).hasSize(4);

        final String asStream = "  - {name: plain, source: accounts, schema: account, partition_key: account_id, event_time: ts, sink: x}\n";
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD + asStream, "joins.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("pipelines[3].source: pipeline 'enriched' reads topic 'accounts' as a table");
        final String otherKey = "  - {name: plain, source: orders, schema: order, partition_key: ts, event_time: ts, sink: x}\n";
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD + otherKey, "joins.yaml"))
            .hasMessageStartingWith("pipelines[3].partition_key: 'ts' but pipeline 'unpaid' partitions topic 'orders' by 'order_id'");
    }

    @Test
    void shouldRefuseASourceTopicNamedLikeTheJournalOfAJoinGroup()
    {
        // accounts, risk and trades meet in joins: the engine journals them together as 'accounts.risk.trades'.
        final String clash = "  - {name: plain, source: accounts.risk.trades, schema: risk, partition_key: account_id, event_time: ts, sink: x}\n";
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD + clash, "joins.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("pipelines[1].join: the topics [accounts, risk, trades] meet in joins and are journaled together " +
                "as topic 'accounts.risk.trades', which is also a source topic");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "lookup right side not a table | '        table: true\\n        delete_flag: deleted\\n'=>'' " +
            "| pipelines[1].join.right: a lookup enriches a stream (left) with a table (right): the right side must be a table",
        "lookup right side a stream    | '        table: true\\n        delete_flag: deleted\\n'=>'        table: false\\n' " +
            "| pipelines[1].join.right.table: a lookup enriches a stream (left) with a table (right)",
        "keys of different types       | payment: {order_id: LONG=>payment: {order_id: SYMBOL(8) " +
            "| pipelines[0].join.right.partition_key: not co-partitioned: right key 'order_id' is SYMBOL(8) but left key 'order_id' is LONG",
        "symbol key against a long key | trade: {account: LONG=>trade: {account: SYMBOL(4) " +
            "| pipelines[1].join.right.partition_key: not co-partitioned: right key 'account_id' is LONG but left key 'account' is SYMBOL(4)",
        "unknown join kind             | kind: interval=>kind: band                 | pipelines[0].join.kind: 'band' is not a join kind",
        "unknown join type             | type: outer=>type: full                    | pipelines[2].join.type: 'full' is not a join type",
        "outer lookup                  | 'type: left\\n      versions'=>'type: outer\\n      versions' | pipelines[1].join.type: a lookup is inner or left",
        "empty interval                | upper: 2s=>upper: -1s                      | pipelines[0].join.upper: upper bound -1s is below the lower bound -500ms",
        "missing lower bound           | '      lower: -500ms\\n'=>''               | pipelines[0].join.lower: is required",
        "bad signed duration           | lower: -500ms=>lower: -5x                  | pipelines[0].join.lower: '-5x' is not a duration",
        "versions on an interval join  | upper: 2s=>upper: 2s\\n      versions: 3   | pipelines[0].join.versions: 'versions' does not apply to interval joins",
        "bounds on a lookup            | versions: 4=>lower: 1s                     | pipelines[1].join.lower: 'lower' does not apply to lookup joins",
        "too many versions             | versions: 4=>versions: 5000                | pipelines[1].join.versions: at most 1024 versions",
        "zero eviction slice           | eviction_slice: 32=>eviction_slice: 0      | pipelines[0].join.eviction_slice: '0' is not a slice size: a whole number >= 1, or 'unbounded'",
        "eviction slice on a lookup    | versions: 4=>eviction_slice: 8             | pipelines[1].join.eviction_slice: 'eviction_slice' does not apply to lookup joins",
        "table in an interval join     | 'payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}'=>'payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms, table: true}' " +
            "| pipelines[0].join.right.table: an interval join meets two streams",
        "stream in a tables join       | 'event_time: ts, table: true, delete_flag: gone}'=>'event_time: ts}' " +
            "| pipelines[2].join.right: a tables join meets two tables' changelogs: the right side must be a table",
        "lookup left side a table      | 'partition_key: account, event_time: ts}'=>'partition_key: account, event_time: ts, table: true}' " +
            "| pipelines[1].join.left.table: a lookup enriches a stream (left) with a table (right); the left side must be a stream",
        "delete flag not boolean       | delete_flag: gone=>delete_flag: max_qty    | pipelines[2].join.right.delete_flag: delete flag 'max_qty' is a INT; it must be BOOLEAN",
        "delete flag on a stream       | 'partition_key: account, event_time: ts}'=>'partition_key: account, event_time: ts, delete_flag: ts}' " +
            "| pipelines[1].join.left.delete_flag: only a table has deletes",
        "same topic on both sides      | source: payments=>source: orders           | pipelines[0].join.right.source: both sides read topic 'orders'",
        "side key on the pipeline      | '    on_error: halt'=>'    source: orders'  | pipelines[0].source: in a join pipeline 'source' belongs to each side",
        "key on a join pipeline        | '    on_error: halt'=>'    key: order_id'   | pipelines[0].key: a join pipeline is keyed by its join key",
        "missing right side            | '      right: {source: payments, schema: payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}\\n'=>'' " +
            "| pipelines[0].join.right: is required",
        "unknown side key              | 'event_time: ts, table: true, delete_flag: gone}'=>'event_time: ts, table: true, tombstone: gone}' " +
            "| pipelines[2].join.right.tombstone: unknown key 'tombstone'",
        "side without time             | '{source: trades, schema: trade, partition_key: account, event_time: ts}'=>'{source: trades, schema: trade, partition_key: account}' " +
            "| pipelines[1].join.left: a join side needs a time",
        "unknown side schema           | 'schema: risk,'=>'schema: risks,'         | pipelines[2].join.right.schema: no schema named 'risks'",
        "same prefixes                 | 'prefixes: {left: o, right: p}'=>'prefixes: {left: o, right: o}' | pipelines[0].join.prefixes.right: the two prefixes must differ",
        "bad prefix                    | 'prefixes: {left: o, right: p}'=>'prefixes: {left: o, right: 9p}' | pipelines[0].join.prefixes.right: prefix '9p' must be letters",
        "filter on an input field      | o_amount > 10=>amount > 10                 | pipelines[0].filter: pipeline 'unpaid' filter: unknown field 'amount'",
        "aggregate of an input field   | sum(trades_qty)=>sum(qty)                  | pipelines[1].aggregates[1].volume: unknown field 'qty'",
        "having on an output field     | having: n > 1=>having: trades_qty > 1      | pipelines[1].having: pipeline 'enriched' having: unknown field 'trades_qty'",
    })
    void shouldReportEveryJoinConfigErrorWithItsPath(final String name, final String edit, final String expected)
    {
        final String[] parts = edit.split("=>", 2);
        final String from = unquote(parts[0]);
        final String to = unquote(parts[1]);
        assertThat(GOOD).contains(from);
        final String yaml = GOOD.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        assertThatThrownBy(() -> PipelineConfig.parse(yaml, "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(expected);
    }

    private static String unquote(final String text)
    {
        final String trimmed = text.trim();
        final String raw = trimmed.startsWith("'") && trimmed.endsWith("'") ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
        return raw.replace("\\n", "\n");
    }
}
