package io.sluice.cdc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the PostgreSQL server binaries of the Debian packages ({@code /usr/lib/postgresql/<major>/bin}),
 * installing the {@code postgresql} package first when they are missing and the tests run as root.
 * The install sets {@code create_main_cluster = false} first, so no system cluster takes port 5432.
 */
final class PostgresInstall
{
    private static final Path LIB = Path.of("/usr/lib/postgresql");
    private static final Path CREATE_CLUSTER_CONF = Path.of("/etc/postgresql-common/createcluster.conf");

    private PostgresInstall()
    {
    }

    /**
     * The bin directory of the newest installed PostgreSQL, installing it when missing.
     *
     * @return the directory holding initdb, pg_ctl and postgres.
     * @throws IllegalStateException naming what to install when it cannot.
     */
    static synchronized Path ensureInstalled()
    {
        return ensureInstalled(true);
    }

    /**
     * The bin directory of the newest installed PostgreSQL.
     *
     * @param install whether to install the Debian package when missing (as root).
     * @return the directory holding initdb, pg_ctl and postgres.
     * @throws IllegalStateException naming what to install when it cannot.
     */
    static synchronized Path ensureInstalled(final boolean install)
    {
        Path bin = find();
        if (bin != null)
        {
            return bin;
        }
        if (!install || !"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/bin/apt-get")))
        {
            throw new IllegalStateException("this needs a PostgreSQL server (initdb, pg_ctl) under " + LIB +
                " and cannot install it here (not root, or no apt-get): install the Debian package 'postgresql' " +
                "(set create_main_cluster = false in " + CREATE_CLUSTER_CONF + " first)");
        }
        try
        {
            Files.createDirectories(CREATE_CLUSTER_CONF.getParent());
            final String conf = Files.exists(CREATE_CLUSTER_CONF) ? Files.readString(CREATE_CLUSTER_CONF) : "";
            if (!conf.lines().anyMatch(l -> l.replace(" ", "").equals("create_main_cluster=false")))
            {
                Files.writeString(CREATE_CLUSTER_CONF, conf + (conf.isEmpty() || conf.endsWith("\n") ? "" : "\n") +
                    "create_main_cluster = false\n");
            }
            final Path log = Files.createTempFile("sluice-pg-install", ".log");
            if (apt(List.of("apt-get", "update", "-q"), log) != 0 ||
                apt(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"), log) != 0)
            {
                throw new IllegalStateException("apt-get install postgresql failed: see " + log);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot install PostgreSQL for the CDC tests: " + ex.getMessage(), ex);
        }
        bin = find();
        if (bin == null)
        {
            throw new IllegalStateException("installed the 'postgresql' package but found no initdb under " + LIB);
        }
        return bin;
    }

    private static int apt(final List<String> command, final Path log) throws IOException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(Map.of("DEBIAN_FRONTEND", "noninteractive"));
        try
        {
            return pb.start().waitFor();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, ex);
        }
    }

    private static Path find()
    {
        if (!Files.isDirectory(LIB))
        {
            return null;
        }
        try (Stream<Path> versions = Files.list(LIB))
        {
            return versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .max((a, b) -> Integer.compare(major(a), major(b)))
                .orElse(null);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static int major(final Path bin)
    {
        try
        {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }
}
