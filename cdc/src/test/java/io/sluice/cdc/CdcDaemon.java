package io.sluice.cdc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code sluice run} daemon process (java + the parent pom's JVM flags + the test class path, so
 * the postgres_cdc component is found by ServiceLoader) capturing one accounts table into a CSV sink.
 */
final class CdcDaemon
{
    private final Path dir;
    private final Path config;
    private Process process;
    private int starts;

    CdcDaemon(final Path dir, final PostgresCluster pg, final String table, final String slot, final String extraIngress) throws IOException
    {
        this.dir = dir;
        Files.createDirectories(dir);
        final Path password = dir.resolve("pg.pass");
        Files.writeString(password, PostgresCluster.PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        this.config = dir.resolve("sluice.yaml");
        Files.writeString(config, String.join("\n",
            "data_dir: data",
            "partitions: 2",
            "checkpoint:",
            "  interval: 300ms",
            "jmx:",
            "  enabled: false",
            "schemas:",
            "  account:",
            "    id: LONG",
            "    name: SYMBOL(12)",
            "    balance: LONG",
            "    blocked: BOOLEAN",
            "    opened: TIMESTAMP",
            "    score: DOUBLE",
            "    visits: INT",
            "    op: INT",
            "    deleted: BOOLEAN",
            "    commit_ts: TIMESTAMP",
            "    lsn: LONG",
            "    before_balance: LONG",
            "    before_name: SYMBOL(12)",
            "pipelines:",
            "  - name: changes",
            "    source: accounts",
            "    schema: account",
            "    partition_key: id",
            "    event_time: commit_ts",
            "    sink: out",
            "sinks:",
            "  out: {type: csv, path: out.csv}",
            "ingress:",
            "  - type: postgres_cdc",
            "    port: " + pg.port(),
            "    database: " + PostgresCluster.DATABASE,
            "    user: " + PostgresCluster.USER,
            "    password_file: pg.pass",
            "    slot: " + slot,
            "    publication: " + slot + "_pub",
            "    status_interval: 100ms",
            "    tables:",
            "      - table: " + table,
            "        topic: accounts",
            "        columns:",
            "          balance: {scale: 2}",
            "          before_balance: {scale: 2}",
            extraIngress,
            ""));
    }

    Path dir()
    {
        return dir;
    }

    Path output()
    {
        return dir.resolve("out.csv");
    }

    Path log()
    {
        return dir.resolve("daemon-" + starts + ".log");
    }

    void start() throws IOException
    {
        starts++;
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        final String surefire = System.getProperty("surefire.test.class.path");
        command.add(surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
        command.add("io.sluice.ops.SluiceMain");
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        command.removeIf(String::isEmpty);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log().toFile()).start();
    }

    boolean isAlive()
    {
        return process != null && process.isAlive();
    }

    String logText()
    {
        try
        {
            return Files.readString(log());
        }
        catch (final IOException ex)
        {
            return "(no log)";
        }
    }

    /** SIGKILL, waiting for the process to be gone. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM: drain, final checkpoint, exit 0. */
    int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("daemon did not stop on SIGTERM: " + logText());
        }
        return process.exitValue();
    }

    /**
     * The output rows as field maps (the CSV's header names the fields).
     *
     * @return the rows in file order.
     */
    List<Map<String, String>> rows()
    {
        final List<Map<String, String>> rows = new ArrayList<>();
        final List<String> lines;
        try
        {
            if (!Files.exists(output()))
            {
                return rows;
            }
            lines = Files.readAllLines(output(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return rows;
        }
        if (lines.isEmpty())
        {
            return rows;
        }
        final String[] header = lines.get(0).split(",");
        for (int i = 1; i < lines.size(); i++)
        {
            final String[] values = lines.get(i).split(",", -1);
            if (values.length != header.length)
            {
                continue; // a line being written
            }
            final Map<String, String> row = new HashMap<>();
            for (int f = 0; f < header.length; f++)
            {
                row.put(header[f], values[f]);
            }
            rows.add(row);
        }
        return rows;
    }
}
