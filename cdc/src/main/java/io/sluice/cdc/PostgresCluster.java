package io.sluice.cdc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for tests, the CDC demo and the CDC benchmark: initdb into a fresh temporary directory as a non-root system
 * user, {@code wal_level=logical}, listening on 127.0.0.1 at a free port, with a database {@code sluice}
 * owned by a role {@code sluice} that has {@code LOGIN REPLICATION} and a password.
 *
 * <p>Installs PostgreSQL from Debian packages when its binaries are missing and the tests run as root
 * (as CI does); otherwise fails with a message saying what to install. Nothing is skipped silently.
 *
 * <p>{@link #shared()} is one cluster per test JVM, stopped when the JVM exits; tests that stop or
 * restart PostgreSQL start their own with {@link #start(String)}.
 */
final class PostgresCluster implements AutoCloseable
{
    /** The role the CDC source logs in as. */
    static final String USER = "sluice";
    /** Its password (tests only). */
    static final String PASSWORD = "sluice-test-password";
    /** The database the tests use. */
    static final String DATABASE = "sluice";
    /** The system user that runs PostgreSQL when the tests run as root (initdb refuses root). */
    static final String SYSTEM_USER = "sluicepg";

    private static final String SUPERUSER = "postgres";
    private static final String SUPERUSER_PASSWORD = "postgres-test-password";
    private static PostgresCluster shared;

    private final Path bin;
    private final Path dataDir;
    private final Path root;
    private final int port;
    private final boolean asRoot;

    private PostgresCluster(final Path bin, final Path root, final int port, final boolean asRoot)
    {
        this.bin = bin;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.port = port;
        this.asRoot = asRoot;
    }

    /**
     * The cluster shared by the test classes of this JVM, started on first use.
     *
     * @return the running cluster.
     */
    static synchronized PostgresCluster shared()
    {
        if (shared == null)
        {
            final PostgresCluster cluster = start("shared");
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "postgres-stop"));
            shared = cluster;
        }
        return shared;
    }

    /**
     * Starts a new private cluster.
     *
     * @param name for the temporary directory.
     * @return the running cluster.
     */
    static PostgresCluster start(final String name)
    {
        return start(name, true);
    }

    /**
     * Starts a new private cluster.
     *
     * @param name    for the temporary directory.
     * @param install whether to install PostgreSQL from Debian packages when missing (as root).
     * @return the running cluster.
     */
    static PostgresCluster start(final String name, final boolean install)
    {
        final Path bin = PostgresInstall.ensureInstalled(install);
        final boolean asRoot = "root".equals(System.getProperty("user.name"));
        try
        {
            if (asRoot)
            {
                ensureSystemUser();
            }
            final Path root = Files.createTempDirectory("sluice-pg-" + name + "-");
            // Files.createTempDirectory makes the directory 0700: PostgreSQL's user must reach it.
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            final PostgresCluster cluster = new PostgresCluster(bin, root, freePort(), asRoot);
            cluster.initdb();
            cluster.startServer();
            cluster.createRoleAndDatabase();
            return cluster;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start a PostgreSQL cluster for the tests: " + ex.getMessage(), ex);
        }
    }

    private static void ensureSystemUser() throws IOException
    {
        if (run(List.of("id", "-u", SYSTEM_USER), null, false) == 0)
        {
            return;
        }
        if (run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER), null, false) != 0 &&
            run(List.of("id", "-u", SYSTEM_USER), null, false) != 0)
        {
            throw new IllegalStateException("cannot create the system user '" + SYSTEM_USER +
                "' that runs the test PostgreSQL (initdb refuses root): useradd failed");
        }
    }

    private void initdb() throws IOException
    {
        final Path pwfile = root.resolve("pwfile");
        Files.writeString(pwfile, SUPERUSER_PASSWORD + "\n");
        if (asRoot)
        {
            chown(root);
            chown(pwfile);
        }
        final List<String> command = List.of(
            bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER, "--pwfile", pwfile.toString(),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
        final int exit = run(asUser(command), root.resolve("initdb.log"), true);
        if (exit != 0)
        {
            throw new IllegalStateException("initdb failed (exit " + exit + "): " + tail(root.resolve("initdb.log")));
        }
        Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n",
            "",
            "# sluice tests",
            "listen_addresses = '127.0.0.1'",
            "port = " + port,
            "unix_socket_directories = '" + root + "'",
            "wal_level = logical",
            "max_replication_slots = 20",
            "max_wal_senders = 20",
            "fsync = off",
            // Not off: the walsender only sends WAL that is flushed, so an asynchronous commit would reach
            // the replication stream up to wal_writer_delay (200 ms) late. fsync = off keeps flushes cheap.
            "synchronous_commit = on",
            "full_page_writes = off",
            "shared_buffers = 32MB",
            "max_connections = 50",
            "log_min_messages = warning",
            ""), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }

    private void startServer() throws IOException
    {
        final int exit = run(asUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "120",
            "-l", root.resolve("server.log").toString(), "start")), root.resolve("pg_ctl.log"), true);
        if (exit != 0)
        {
            throw new IllegalStateException("PostgreSQL did not start (pg_ctl exit " + exit + "): " +
                tail(root.resolve("pg_ctl.log")) + " / " + tail(root.resolve("server.log")));
        }
    }

    private void createRoleAndDatabase()
    {
        try (Connection c = superuser(); Statement s = c.createStatement())
        {
            s.execute("CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot create the test role and database: " + ex.getMessage(), ex);
        }
    }

    /**
     * Stops the server (fast shutdown), waiting for it.
     */
    void stopServer()
    {
        try
        {
            run(asUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "120", "-m", "fast", "stop")),
                root.resolve("pg_ctl.log"), true);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot stop PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * Starts the server again on the same port and data directory.
     */
    void startAgain()
    {
        try
        {
            startServer();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot restart PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    /**
     * The port the server listens on (127.0.0.1).
     *
     * @return the port.
     */
    int port()
    {
        return port;
    }

    /**
     * A JDBC URL of the test database.
     *
     * @return the URL.
     */
    String jdbcUrl()
    {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /**
     * The version the server reports.
     *
     * @return e.g. "PostgreSQL 15.10 (Debian ...)".
     */
    String version()
    {
        try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery("SELECT version()"))
        {
            rs.next();
            return rs.getString(1);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A connection to the test database as the test role (auto-commit).
     *
     * @return the connection.
     * @throws SQLException if it cannot connect.
     */
    Connection connect() throws SQLException
    {
        final Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /**
     * A connection to the test database as the superuser.
     *
     * @return the connection.
     * @throws SQLException if it cannot connect.
     */
    Connection superuser() throws SQLException
    {
        final Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", SUPERUSER_PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    /**
     * Runs each statement separately (auto-commit) as the test role.
     *
     * @param statements to run.
     */
    void sql(final String... statements)
    {
        try (Connection c = connect(); Statement s = c.createStatement())
        {
            for (final String statement : statements)
            {
                s.execute(statement);
            }
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("SQL failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * A long-valued query's single result.
     *
     * @param query returning one row, one column.
     * @return the value, or -1 when NULL or no row.
     */
    long queryLong(final String query)
    {
        try (Connection c = superuserOnDatabase(); Statement s = c.createStatement(); var rs = s.executeQuery(query))
        {
            if (!rs.next())
            {
                return -1;
            }
            final long v = rs.getLong(1);
            return rs.wasNull() ? -1 : v;
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("query failed: " + query + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A connection to the test database as the superuser.
     *
     * @return the connection.
     * @throws SQLException if it cannot connect.
     */
    Connection superuserOnDatabase() throws SQLException
    {
        final Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", SUPERUSER_PASSWORD);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    @Override
    public void close()
    {
        try
        {
            if (Files.exists(dataDir.resolve("postmaster.pid")))
            {
                run(asUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-m", "immediate", "stop")), null, false);
            }
        }
        catch (final IOException ignore)
        {
            // Best effort at JVM exit; the directory goes below.
        }
        deleteTree(root);
    }

    private List<String> asUser(final List<String> command)
    {
        if (!asRoot)
        {
            return command;
        }
        final List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SYSTEM_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void chown(final Path path) throws IOException
    {
        if (run(List.of("chown", "-R", SYSTEM_USER, path.toString()), null, false) != 0)
        {
            throw new IOException("chown " + SYSTEM_USER + " " + path + " failed");
        }
    }

    static int run(final List<String> command, final Path log, final boolean mustStart) throws IOException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        if (log != null)
        {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        else
        {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        final Process process;
        try
        {
            process = pb.start();
        }
        catch (final IOException ex)
        {
            if (mustStart)
            {
                throw ex;
            }
            return -1;
        }
        try
        {
            if (!process.waitFor(5, TimeUnit.MINUTES))
            {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, ex);
        }
    }

    private static String tail(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log " + log + ")";
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // Temporary directory: best effort.
        }
    }
}
