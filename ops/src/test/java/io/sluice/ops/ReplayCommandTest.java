package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.ops.cli.ExitCodes;

/**
 * {@code sluice replay} over a join pipeline with one CSV file per topic ({@code --input topic=file}),
 * checked against the library's map API and by hand; plain {@code --input file} still works.
 */
class ReplayCommandTest
{
    private static final String JOIN_YAML = """
        schemas:
          order: {order_id: LONG, amount: DOUBLE, ts: TIMESTAMP}
          payment: {order_id: LONG, paid: DOUBLE, ts: TIMESTAMP}
        pipelines:
          - name: paid
            join:
              kind: interval
              type: left
              left: {source: orders, schema: order, partition_key: order_id, event_time: ts}
              right: {source: payments, schema: payment, partition_key: order_id, event_time: ts}
              lower: 0ms
              upper: 2s
              prefixes: {left: o, right: p}
            sink: paid
        """;

    private static final String ORDERS = """
        order_id,amount,ts
        1,10.0,1000
        2,20.0,1100
        3,30.0,1200
        4,40.0,9000
        """;

    /** Order 1 paid in time, 2 paid too late (after 2 s), 3 never, 4 at once. */
    private static final String PAYMENTS = """
        order_id,paid,ts
        1,10.0,1500
        2,20.0,3500
        4,40.0,9000
        """;

    @TempDir
    Path dir;

    @Test
    void shouldExitWithUsageAndEveryErrorOnAnInvalidPipelineFile() throws Exception
    {
        final Path yaml = write("bad.yaml", JOIN_YAML.replace("upper: 2s", "upper: 2x").replace("schemas:", "schemas:\n  broken: {id: FLOAT}"));
        final Path orders = write("orders.csv", ORDERS);
        final Path payments = write("payments.csv", PAYMENTS);

        final CliResult result = CliResult.run("replay", "--pipeline", yaml.toString(),
            "--input", "orders=" + orders, "--input", "payments=" + payments, "--output", dir.resolve("out.csv").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("2 errors").contains("schemas.broken").contains("pipelines[0].join.upper").contains("line");
    }

    @Test
    void shouldReplayJoinPipelineWithOneInputPerTopic() throws Exception
    {
        final Path yaml = write("join.yaml", JOIN_YAML);
        final Path orders = write("orders.csv", ORDERS);
        final Path payments = write("payments.csv", PAYMENTS);
        final Path out = dir.resolve("paid.csv");

        final CliResult result = CliResult.run("replay", "--pipeline", yaml.toString(),
            "--input", "orders=" + orders, "--input", "payments=" + payments, "--output", out.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        final List<String> rows = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(rows.get(0)).contains("o_order_id").contains("p_paid").contains("join_flags");
        assertThat(rows).hasSize(5); // header, 1 matched, 2 and 3 unmatched, 4 matched
        assertThat(String.join("\n", rows)).contains("1,10.0").contains("4,40.0");

        final Map<String, Path> byTopic = new LinkedHashMap<>();
        byTopic.put("orders", orders);
        byTopic.put("payments", payments);
        final Path direct = dir.resolve("direct.csv");
        Backtest.run(yaml, byTopic, direct, new BacktestOptions().partitions(1)); // the command's default
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(direct));
    }

    @Test
    void shouldKeepPlainInputFilesForOneTopic() throws Exception
    {
        final Path yaml = write("one.yaml", """
            schemas:
              order: {order_id: LONG, amount: DOUBLE, ts: TIMESTAMP}
            pipelines:
              - name: big
                source: orders
                schema: order
                partition_key: order_id
                event_time: ts
                filter: amount >= 20
                sink: big
            """);
        final Path first = write("a=b.csv", ORDERS); // an existing file whose name has '=' is a plain file
        final Path second = write("more.csv", "order_id,amount,ts\n5,50.0,9500\n");
        final Path out = dir.resolve("big.csv");

        final CliResult result = CliResult.run("replay", "-p", yaml.toString(), "-i", first.toString(), "-i", second.toString(),
            "-o", out.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).hasSize(1 + 4);
    }

    @Test
    void shouldRefuseMixedInputFormsAndRepeatedTopics() throws Exception
    {
        final Path yaml = write("join.yaml", JOIN_YAML);
        final Path orders = write("orders.csv", ORDERS);
        final Path payments = write("payments.csv", PAYMENTS);

        final CliResult mixed = CliResult.run("replay", "-p", yaml.toString(), "-i", "orders=" + orders, "-i", payments.toString(),
            "-o", dir.resolve("x.csv").toString());
        assertThat(mixed.exitCode()).as(mixed.toString()).isNotEqualTo(ExitCodes.OK);
        assertThat(mixed.err()).contains("either every input is TOPIC=FILE");

        final CliResult twice = CliResult.run("replay", "-p", yaml.toString(), "-i", "orders=" + orders, "-i", "orders=" + payments,
            "-o", dir.resolve("y.csv").toString());
        assertThat(twice.exitCode()).as(twice.toString()).isNotEqualTo(ExitCodes.OK);
        assertThat(twice.err()).contains("topic 'orders' is given twice");

        final CliResult missing = CliResult.run("replay", "-p", yaml.toString(), "-i", "orders=" + orders,
            "-o", dir.resolve("z.csv").toString());
        assertThat(missing.exitCode()).as(missing.toString()).isNotEqualTo(ExitCodes.OK);
        assertThat(missing.err()).contains("payments");
    }

    @Test
    void shouldCountSuppressedOutputsInTheSummary() throws Exception
    {
        // One key: its sliding windows count 2, 2, 2, 2, 2, 2, then 1, 1, 1; on change, 2 then 1 go out and 7 are dropped.
        final Path yaml = write("changes.yaml", """
            schemas:
              t: {sym: SYMBOL(4), n: LONG, ts: TIMESTAMP}
            pipelines:
              - name: changes
                source: s
                schema: t
                partition_key: sym
                event_time: ts
                window: {kind: sliding, size: 3s, hop: 1s}
                aggregates: [{c: count}]
                suppress: on_change
                sink: out
            """);
        final Path input = write("s.csv", "sym,n,ts\nA,1,0\nA,1,100\nA,1,3500\nA,1,3600\nA,1,9000\n");
        final Path output = dir.resolve("changes.csv");

        final CliResult result = CliResult.run("replay", "--pipeline", yaml.toString(), "--input", input.toString(),
            "--output", output.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readAllLines(output)).containsExactly("key,window_start,window_end,c", "A,-2000,1000,2", "A,7000,10000,1");
        assertThat(result.out()).as(result.toString()).contains("pipeline changes: 5 in, 2 out, 7 suppressed, 0 late");
    }

    @Test
    void shouldReplayTheYamlPipelinesOfADaemonConfiguration() throws Exception
    {
        final String pipelines = """
            schemas:
              t: {sym: SYMBOL(4), n: LONG, ts: TIMESTAMP}
            pipelines:
              - name: counts
                source: s
                schema: t
                partition_key: sym
                event_time: ts
                window: {kind: tumbling, size: 2s}
                aggregates: [{c: count}, {total: sum(n)}]
                sink: counts-out
            """;
        final Path pipelineFile = write("pipelines.yaml", pipelines);
        final Path daemonFile = write("sluice.yaml", "data_dir: data\npartitions: 2\nsinks:\n  counts-out: {type: csv, path: out/counts.csv}\n" +
            pipelines);
        final Path input = write("s.csv", "sym,n,ts\nA,1,0\nB,2,500\nA,3,2500\nC,4,2600\nB,5,4100\n");

        final CliResult fromFile = CliResult.run("replay", "--pipeline", pipelineFile.toString(), "--input", input.toString(),
            "--output", dir.resolve("from-file.csv").toString(), "--partitions", "2");
        final CliResult fromDaemon = CliResult.run("replay", "--config", daemonFile.toString(), "--input", input.toString(),
            "--output", dir.resolve("from-daemon.csv").toString(), "--partitions", "2");

        assertThat(fromFile.exitCode()).as(fromFile.toString()).isZero();
        assertThat(fromDaemon.exitCode()).as(fromDaemon.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("from-daemon.csv"))).hasSize(6)
            .isEqualTo(Files.readAllLines(dir.resolve("from-file.csv")));
        assertThat(dir.resolve("data")).as("a replay does not touch the daemon's data directory").doesNotExist();

        final CliResult daemonAsPipelines = CliResult.run("replay", "--pipeline", daemonFile.toString(), "--input", input.toString(),
            "--output", dir.resolve("x.csv").toString());
        assertThat(daemonAsPipelines.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(daemonAsPipelines.err()).contains("is a daemon configuration: replay its pipelines with --config " + daemonFile);
        final CliResult both = CliResult.run("replay", "--pipeline", pipelineFile.toString(), "--config", daemonFile.toString(),
            "--input", input.toString(), "--output", dir.resolve("y.csv").toString());
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("one of the two");
    }

    private Path write(final String name, final String text) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
