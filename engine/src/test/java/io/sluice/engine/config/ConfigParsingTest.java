package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.FieldType;

class ConfigParsingTest
{
    static final String GOOD = String.join("\n",
        "schemas:",
        "  trade:",
        "    account: LONG",
        "    amount: DOUBLE",
        "    qty: INT",
        "    venue: SYMBOL(8)",
        "    ts: TIMESTAMP",
        "pipelines:",
        "  - name: volume",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    max_out_of_orderness: 2s",
        "    idle_timeout: 1m",
        "    on_error: halt",
        "    filter: amount > 0 and (venue = 'XLON' or venue = \"XNYS\") and not qty < 1",
        "    key: account",
        "    window:",
        "      kind: sliding",
        "      size: 1m",
        "      hop: 10s",
        "      offset: 250ms",
        "      allowed_lateness: 5s",
        "      early: false",
        "    aggregates:",
        "      - n: count",
        "      - total: sum(amount)",
        "      - hi: max(qty)",
        "      - mean: avg(amount)",
        "      - open: first(amount)",
        "      - close: last(amount)",
        "      - lo: min(amount)",
        "    having: n >= 5",
        "    sink: alerts",
        "  - name: big",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    filter: amount >= 1e6",
        "    sink: big-trades",
        "");

    @Test
    void shouldLoadSchemasAndPipelinesIntoTheDsl()
    {
        final PipelineConfig config = PipelineConfig.parse(GOOD, "good.yaml");
        assertThat(config.schemas()).containsOnlyKeys("trade");
        assertThat(config.schemas().get("trade").field("venue").type()).isEqualTo(FieldType.SYMBOL);
        assertThat(config.schemas().get("trade").field("venue").width()).isEqualTo(8);
        final PipelineDefinition volume = config.pipeline("volume");
        assertThat(volume.maxOutOfOrderness()).isEqualTo(2_000);
        assertThat(volume.idleTimeout()).isEqualTo(60_000);
        assertThat(volume.errorPolicy()).isEqualTo(ErrorPolicy.HALT);
        assertThat(volume.window()).isEqualTo(new WindowDefinition("sliding", 60_000, 10_000, 0, 250, 5_000, false, WindowOperatorContext.FIRING_SLICE_DEFAULT,
            WindowOperatorContext.FIRING_PACE_UNPACED, WindowDefinition.DEFAULT_EXPECTED_ENTRIES));
        assertThat(volume.aggregates()).hasSize(7).first().isEqualTo(new AggregateDefinition("n", "count", null));
        assertThat(volume.sink()).isEqualTo("alerts");

        final List<Pipeline> pipelines = config.build(d -> (p, s, k, t, e) -> { });
        assertThat(pipelines).extracting(Pipeline::name).containsExactly("volume", "big");
        assertThat(pipelines.get(0).outputSchema().fields()).extracting(f -> f.name())
            .containsExactly("key", "window_start", "window_end", "flags", "n", "total", "hi", "mean", "open", "close", "lo");
        assertThat(pipelines.get(0).describeStages()).hasSize(4);
        assertThat(pipelines.get(1).outputSchema()).isSameAs(config.schemas().get("trade"));
    }

    @Test
    void shouldReadTheFiringSliceOfAWindowAsAWholeNumberOrUnbounded()
    {
        final String yaml = String.join("\n",
            "schemas: {s: {k: LONG, v: DOUBLE, ts: TIMESTAMP}}",
            "pipelines:",
            "  - {name: a, source: t, schema: s, partition_key: k, event_time: ts,",
            "     window: {kind: session, gap: 30s, firing_slice: 16, expected_entries: 40000}, aggregates: [{n: count}], sink: out}",
            "  - {name: b, source: t, schema: s, partition_key: k, event_time: ts,",
            "     window: {kind: tumbling, size: 1s, firing_slice: unbounded, firing_pace: 2000}, aggregates: [{n: count}], sink: out}",
            "  - {name: c, source: t, schema: s, partition_key: k, event_time: ts,",
            "     window: {kind: tumbling, size: 1s}, aggregates: [{n: count}], sink: out}");
        final PipelineConfig config = PipelineConfig.parse(yaml, "p.yaml");
        assertThat(config.pipeline("a").window().firingSlice()).isEqualTo(16);
        assertThat(config.pipeline("b").window().firingSlice()).isEqualTo(WindowOperatorContext.FIRING_SLICE_UNBOUNDED);
        assertThat(config.pipeline("c").window().firingSlice()).isEqualTo(WindowOperatorContext.FIRING_SLICE_DEFAULT);
        assertThat(config.pipeline("b").window().firingPace()).isEqualTo(2_000);
        assertThat(((io.sluice.engine.pipeline.StageSpec.WindowStageSpec)config.pipeline("b")
            .build((p, q, k, t, e) -> { }).stages().get(0)).spec().firingPace()).isEqualTo(2_000);
        assertThat(config.pipeline("c").window().firingPace()).isEqualTo(WindowOperatorContext.FIRING_PACE_UNPACED);
        assertThat(config.pipeline("a").window().expectedEntries()).isEqualTo(40_000);
        assertThat(((io.sluice.engine.pipeline.StageSpec.WindowStageSpec)config.pipeline("a")
            .build((p, q, k, t, e) -> { }).stages().get(0)).spec().expectedEntries()).isEqualTo(40_000);
        assertThat(config.pipeline("c").window().expectedEntries()).isEqualTo(WindowDefinition.DEFAULT_EXPECTED_ENTRIES);
        assertThatThrownBy(() -> PipelineConfig.parse(yaml.replace("firing_slice: 16", "firing_slice: -3"), "p.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("pipelines[0].window.firing_slice: '-3' is not a slice size").hasMessageContaining("(p.yaml line 4");
        assertThatThrownBy(() -> PipelineConfig.parse(yaml.replace("firing_slice: 16", "firing_pace: 16"), "p.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("pipelines[0].window.firing_pace: 'firing_pace' does not apply to session windows")
            .hasMessageContaining("(p.yaml line 4");
    }

    @Test
    void shouldAcceptProcessingTimeAndSessionWindows()
    {
        final PipelineConfig config = PipelineConfig.parse(String.join("\n",
            "schemas: {s: {k: LONG, v: DOUBLE}}",
            "pipelines:",
            "  - {name: p, source: t, schema: s, partition_key: k, processing_time: true,",
            "     window: {kind: session, gap: 30s}, aggregates: [{n: count}], sink: out}"), "p.yaml");
        assertThat(config.pipeline("p").eventTime()).isNull();
        assertThat(config.pipeline("p").window().gap()).isEqualTo(30_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "bad duration               | size: 1m=>size: 10x                        | pipelines[0].window.size: '10x' is not a duration",
        "zero size                  | size: 1m=>size: 0s                         | pipelines[0].window.size: must be greater than zero",
        "sliding hop not below size | hop: 10s=>hop: 2m                          | pipelines[0].window.hop: sliding windows need hop < size",
        "unknown window kind        | kind: sliding=>kind: rolling               | pipelines[0].window.kind: 'rolling' is not a window kind",
        "unknown window key         | early: false=>earlly: false                | pipelines[0].window.earlly: unknown key 'earlly'",
        "unknown pipeline key       | sink: alerts=>sinks: alerts                | pipelines[0].sinks: unknown key 'sinks'",
        "missing sink               | '    sink: alerts\\n'=>''                   | pipelines[0].sink: is required",
        "unknown schema             | '    schema: trade\\n    partition_key: account\\n    event_time: ts\\n    max'=>'    schema: trades\\n    partition_key: account\\n    event_time: ts\\n    max' | pipelines[0].schema: no schema named 'trades'",
        "bad type                   | qty: INT=>qty: INTEGER                     | schemas.trade.qty: 'INTEGER' is not a field type",
        "symbol without width       | venue: SYMBOL(8)=>venue: SYMBOL            | schemas.trade.venue: SYMBOL needs a width",
        "unknown partition key      | 'partition_key: account\\n    event_time: ts\\n    max'=>'partition_key: acount\\n    event_time: ts\\n    max' | pipelines[0].partition_key: unknown field 'acount'",
        "double partition key       | 'partition_key: account\\n    event_time: ts\\n    max'=>'partition_key: amount\\n    event_time: ts\\n    max' | pipelines[0].partition_key: partition key 'amount' is a DOUBLE",
        "key not partition key      | '    key: account'=>'    key: qty'         | pipelines[0].key: windows keyed by 'qty'",
        "event time not a time      | 'event_time: ts\\n    max'=>'event_time: venue\\n    max' | pipelines[0].event_time: event-time field 'venue' is a SYMBOL",
        "bad error policy           | on_error: halt=>on_error: ignore           | pipelines[0].on_error: 'ignore' is not an error policy",
        "bad filter field           | amount > 0 and=>amout > 0 and              | pipelines[0].filter: pipeline 'volume' filter: unknown field 'amout' (fields of trade",
        "filter type error          | venue = 'XLON'=>venue > 'XLON'             | pipelines[0].filter: pipeline 'volume' filter: SYMBOL field 'venue' can only be compared with = or !=",
        "filter syntax error        | not qty < 1=>not (qty < 1                  | pipelines[0].filter: pipeline 'volume' filter: '(' is never closed",
        "having unknown field       | having: n >= 5=>having: amount >= 5        | pipelines[0].having: pipeline 'volume' having: unknown field 'amount'",
        "aggregate of symbol        | hi: max(qty)=>hi: max(venue)               | pipelines[0].aggregates[2].hi: max needs a numeric field",
        "unknown aggregate          | hi: max(qty)=>hi: median(qty)              | pipelines[0].aggregates[2].hi: 'median' is not an aggregate function",
        "aggregate name clash       | lo: min(amount)=>key: min(amount)          | pipelines[0].aggregates[6].key: result field 'key' is already used",
        "duplicate name             | name: big=>name: volume                    | pipelines[1].name: pipeline name 'volume' is already used by pipelines[0]",
        "topic partitioned twice    | '    partition_key: account\\n    event_time: ts\\n    filter'=>'    partition_key: qty\\n    event_time: ts\\n    filter' | pipelines[1].partition_key: 'qty' but pipeline 'volume' partitions topic 'trades' by 'account'",
        "negative duration          | offset: 250ms=>offset: -250ms              | pipelines[0].window.offset: '-250ms' is not a duration",
        "duplicate key              | early: false=>early: false\\n      early: true | pipelines[0].window.early: key 'early' appears twice",
        "both times                 | idle_timeout: 1m=>processing_time: true    | pipelines[0].processing_time: choose either event_time or processing_time",
        "zero firing slice          | early: false=>firing_slice: 0              | pipelines[0].window.firing_slice: '0' is not a slice size: a whole number >= 1, or 'unbounded'",
        "word firing slice          | early: false=>firing_slice: all            | pipelines[0].window.firing_slice: 'all' is not a slice size",
        "zero firing pace           | early: false=>firing_pace: 0               | pipelines[0].window.firing_pace: '0' is not a slice size: a whole number >= 1, or 'unbounded'",
        "zero expected entries      | early: false=>expected_entries: 0          | pipelines[0].window.expected_entries: '0' is not a positive integer",
        "huge expected entries      | early: false=>expected_entries: 99999999   | pipelines[0].window.expected_entries: 99999999 is more than the limit of 16777216",
    })
    void shouldReportEveryConfigErrorWithItsPath(final String name, final String edit, final String expected)
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

    @Test
    void shouldReportTheErrorsOfEveryPipelineAtOnceEachWithPathAndLine()
    {
        final String yaml = GOOD.replace("size: 1m", "size: 10x").replace("filter: amount >= 1e6", "filter: amount >>= 1");
        assertThatThrownBy(() -> PipelineConfig.parse(yaml, "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("2 errors:")
            .hasMessageContaining("pipelines[0].window.size:").hasMessageContaining("(bad.yaml line 21)")
            .hasMessageContaining("pipelines[1].filter:").hasMessageContaining("(bad.yaml line 41)")
            .satisfies(ex -> assertThat(((ConfigException)ex).errors()).extracting(ConfigException::path)
                .containsExactly("pipelines[0].window.size", "pipelines[1].filter"));
    }

    @Test
    void shouldReportEveryErrorOfOnePipelineNotOnlyItsFirst()
    {
        final String yaml = GOOD.replace("idle_timeout: 1m", "idle_timeout: soon").replace("on_error: halt", "on_error: panic")
            .replace("size: 1m", "size: 10x");
        assertThatThrownBy(() -> PipelineConfig.parse(yaml, "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("3 errors:")
            .satisfies(ex -> assertThat(((ConfigException)ex).errors()).extracting(ConfigException::path)
                .containsExactly("pipelines[0].idle_timeout", "pipelines[0].on_error", "pipelines[0].window.size"));
    }

    @Test
    void shouldNameTheLineAndRefuseInvalidYamlAndEmptyDocuments()
    {
        assertThatThrownBy(() -> PipelineConfig.parse(GOOD.replace("size: 1m", "size: 10x"), "bad.yaml"))
            .hasMessageEndingWith("(bad.yaml line 21)");
        assertThatThrownBy(() -> PipelineConfig.parse("schemas: [", "x.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith("not valid YAML");
        assertThatThrownBy(() -> PipelineConfig.parse("", "x.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> PipelineConfig.parse("schemas: {s: {k: LONG}}\npipelines: []", "x.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith("pipelines: at least one pipeline");
        assertThatThrownBy(() -> PipelineConfig.parse("schemas: {s: {k: LONG}}\npipeline: []", "x.yaml"))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith("pipeline: unknown key 'pipeline'");
    }

    @Test
    void shouldParseDurations()
    {
        assertThat(Durations.parse("250ms")).isEqualTo(250);
        assertThat(Durations.parse("10s")).isEqualTo(10_000);
        assertThat(Durations.parse("5m")).isEqualTo(300_000);
        assertThat(Durations.parse("1h")).isEqualTo(3_600_000);
        assertThat(Durations.parse("1d")).isEqualTo(86_400_000);
        assertThat(Durations.parse("1h30m")).isEqualTo(5_400_000);
        assertThat(Durations.parse("1500")).isEqualTo(1_500);
        assertThat(Durations.format(5_400_000)).isEqualTo("90m");
        for (final String bad : new String[] {"", "10x", "s", "1.5s", "-1s", "10 s", "1s5", "99999999999999999999d"})
        {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String unquote(final String text)
    {
        final String trimmed = text.trim();
        final String raw = trimmed.startsWith("'") && trimmed.endsWith("'") ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
        return raw.replace("\\n", "\n");
    }
}
