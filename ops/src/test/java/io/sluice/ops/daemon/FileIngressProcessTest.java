package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;

/**
 * Files loaded into a real daemon process and what came out, read back as a user would. Its {@code
 * file} ingress never drops bad lines silently: with {@code malformed: skip} the good lines are
 * published and each bad one is logged with its file, line, field and reason and counted in the
 * daemon's error log ({@code sluice ctl errors}); with {@code malformed: stop} the read ends at the
 * first bad line, which is logged and recorded, and what came before it is published. The outputs of
 * its {@code journal} sinks are decoded by {@code sluice journal dump --config} with the output schema
 * of the pipeline writing them (window results: key, window bounds, aggregates).
 */
class FileIngressProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLogAndCountMalformedLinesOfBothPolicies() throws Exception
    {
        Files.writeString(dir.resolve("skip.csv"), """
            sym,qty,ts
            1,10,1000
            1,ten,2000
            2,20,3000
            3,30,not-a-time
            3,40,5000
            """);
        Files.writeString(dir.resolve("stop.csv"), """
            sym,qty,ts
            7,1,1000
            7,x,2000
            8,2,3000
            """);
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, """
            data_dir: data
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade: {sym: LONG, qty: LONG, ts: TIMESTAMP}
            pipelines:
              - {name: lenient, source: trades, schema: trade, partition_key: sym, event_time: ts, sink: lenient-out}
              - {name: strict, source: orders, schema: trade, partition_key: sym, event_time: ts, sink: strict-out}
              - name: counts
                source: trades
                schema: trade
                partition_key: sym
                event_time: ts
                window: {kind: tumbling, size: 2s}
                aggregates: [{n: count}, {total: sum(qty)}]
                sink: counts-out
            sinks:
              lenient-out: {type: journal}
              strict-out: {type: journal}
              counts-out: {type: journal, topic: counts}
            ingress:
              - {type: file, topic: trades, path: skip.csv, malformed: skip}
              - {type: file, topic: orders, path: stop.csv, malformed: stop}
            """);
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("daemon.log")))
        {
            daemon.awaitRunning();
            awaitLog(daemon, "skip.csv -> trades: published 3 events of 6 lines, 2 malformed lines skipped, file ended");
            awaitLog(daemon, "stop.csv -> orders: stopped after 1 event");
            final String log = daemon.log();
            assertThat(log).contains("skip.csv -> trades: malformed line skipped: skip.csv line 3, field 'qty': 'ten' is not a 64-bit integer");
            assertThat(log).contains("skip.csv -> trades: malformed line skipped: skip.csv line 5, field 'ts': 'not-a-time' is neither epoch milliseconds nor an ISO-8601 instant");
            assertThat(log).contains("stop.csv -> orders: stopped after 1 event: stop.csv line 3, field 'qty': 'x' is not a 64-bit integer");

            final String errors = DaemonProcessTest.sluice("ctl", "errors", "--dir", data.toString());
            assertThat(errors).as(errors).contains("skip.csv -> trades: 2 malformed lines skipped, the first: ")
                .contains("line 3, field 'qty'")
                .contains("stop.csv line 3, field 'qty': 'x' is not a 64-bit integer");
            awaitLog(daemon, "1 partition per topic on 1 processing thread: ");
            final String stat = DaemonProcessTest.sluice("stat", "--dir", data.toString());
            assertThat(stat).contains("3 - events-in: trades/0").contains("1 - events-in: orders/0");
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }

        // Window results (the watermark at 5000 fired [0, 2000) and [2000, 4000)), with the window's output schema; the
        // record's key column is renamed, since the results have a field 'key' too (flags 1: FINAL).
        final String outputs = data.resolve("outputs").toString();
        final CliResult counts = CliResult.run("journal", "dump", "-d", outputs, "-t", "counts", "--config", configFile.toString(),
            "--format", "csv");
        assertThat(counts.exitCode()).as(counts.toString()).isZero();
        assertThat(counts.out().lines()).as(counts.toString()).containsExactly(
            "partition,offset,timestamp,record_key,key,window_start,window_end,flags,n,total",
            "0,0,1999,1,1,0,2000,1,1,10",
            "0,1,3999,2,2,2000,4000,1,1,20");
        final CliResult lenient = CliResult.run("journal", "dump", "-d", outputs, "-t", "lenient-out", "--config", configFile.toString(),
            "--format", "jsonl");
        assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
        assertThat(lenient.out().lines()).as(lenient.toString()).hasSize(3)
            .allMatch(l -> l.matches("\\{\"partition\":0,\"offset\":\\d,\"timestamp\":\\d+,\"key\":\\d,\"sym\":\\d,\"qty\":\\d+,\"ts\":\\d+}"));
        // A source topic is not in the output journal, and an output topic not in the source journal: each error names what is there.
        final CliResult wrongJournal = CliResult.run("journal", "dump", "-d", data.resolve("journal").toString(), "-t", "counts",
            "--config", configFile.toString());
        assertThat(wrongJournal.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(wrongJournal.err()).contains("topic 'counts' is not read by any pipeline of").contains("(its topics: trades, orders)");
        final CliResult notAnOutput = CliResult.run("journal", "dump", "-d", outputs, "-t", "trades", "--config", configFile.toString());
        assertThat(notAnOutput.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notAnOutput.err()).contains("topic 'trades' is not the topic of a journal sink of")
            .contains("(its journal sinks' topics: lenient-out, strict-out, counts)");
    }

    private static void awaitLog(final DaemonProcess daemon, final String text) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!daemon.log().contains(text))
        {
            assertThat(System.nanoTime() - deadline).as("'%s' not logged:%n%s", text, daemon.log()).isNegative();
            LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
    }
}
