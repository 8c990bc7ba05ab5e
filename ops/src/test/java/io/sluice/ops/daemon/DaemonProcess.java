package io.sluice.ops.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code sluice run} process for tests: java with the parent pom's JVM flags (surefire passes
 * them as the system property {@code sluice.jvm.flags}) and the test class path.
 */
final class DaemonProcess implements AutoCloseable
{
    final Process process;
    final Path log;
    final Path dataDirectory;

    private DaemonProcess(final Process process, final Path log, final Path dataDirectory)
    {
        this.process = process;
        this.log = log;
        this.dataDirectory = dataDirectory;
    }

    static DaemonProcess start(final Path config, final Path dataDirectory, final Path log) throws IOException
    {
        return start(config, dataDirectory, log, List.of());
    }

    static DaemonProcess start(final Path config, final Path dataDirectory, final Path log, final List<String> jvmOptions)
        throws IOException
    {
        return start(config, dataDirectory, log, jvmOptions, Map.of());
    }

    /**
     * Starts a daemon and waits until it reports RUNNING; the process is killed if it does not.
     *
     * @param config        the configuration file.
     * @param dataDirectory its data_dir, where the mark file appears.
     * @param log           receiving the process's output.
     * @return the running daemon.
     * @throws Exception if it does not start (the message carries its log).
     */
    static DaemonProcess running(final Path config, final Path dataDirectory, final Path log) throws Exception
    {
        final DaemonProcess daemon = start(config, dataDirectory, log);
        try
        {
            daemon.awaitRunning();
            return daemon;
        }
        catch (final Exception | Error ex)
        {
            daemon.close();
            throw ex;
        }
    }

    /**
     * Starts a daemon with JVM options and environment variables.
     *
     * @param config        the configuration file.
     * @param dataDirectory its data_dir.
     * @param log           receiving the process's output.
     * @param jvmOptions    added to the java command.
     * @param environment   added to the process's environment.
     * @return the process, not yet running.
     * @throws IOException if it cannot be started.
     */
    static DaemonProcess start(final Path config, final Path dataDirectory, final Path log, final List<String> jvmOptions,
        final Map<String, String> environment) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("sluice.jvm.flags", "");
        command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add("io.sluice.ops.SluiceMain");
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        command.removeIf(String::isEmpty);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        final Process process = builder.start();
        return new DaemonProcess(process, log, dataDirectory);
    }

    static String classPath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /**
     * Waits until the mark file says RUNNING with a JMX port, or the process dies.
     *
     * @return the mark file's content.
     */
    MarkFile.Info awaitRunning() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline)
        {
            final MarkFile.Info info = MarkFile.read(dataDirectory);
            if (info != null && info.state() == MarkFile.RUNNING && info.pid() == process.pid())
            {
                return info;
            }
            if (!process.isAlive())
            {
                throw new AssertionError("daemon exited with " + process.exitValue() + ":\n" + log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError("daemon did not start within 3 minutes:\n" + log());
    }

    /**
     * Sends SIGTERM and waits for the exit code.
     *
     * @return the exit code.
     */
    int terminate() throws Exception
    {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            throw new AssertionError("daemon did not stop within 3 minutes of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    String log() throws IOException
    {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /**
     * The log so far, for assertions and conditions.
     *
     * @return the text.
     */
    String logText()
    {
        try
        {
            return log();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * Waits until the log contains a text, failing with the log if the process dies first or the deadline
     * (3 minutes: the machine may be loaded) passes.
     *
     * @param text to wait for.
     */
    void awaitLog(final String text)
    {
        await("'" + text + "' in the log of daemon " + process.pid(), () ->
        {
            if (!process.isAlive() && !logText().contains(text))
            {
                throw new AssertionError("daemon exited with " + process.exitValue() + " before logging '" + text + "':\n" + logText());
            }
            return logText().contains(text);
        });
    }

    /**
     * {@code sluice ctl <args> --dir <data_dir>} in this JVM, against the daemon.
     *
     * @param args the action and its arguments.
     * @return what it printed; fails on a non-zero exit.
     */
    String ctl(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ctl"));
        command.addAll(List.of(args));
        command.add("--dir");
        command.add(dataDirectory.toString());
        return DaemonProcessTest.sluice(command.toArray(new String[0]));
    }

    /**
     * Waits until {@code ctl status} says what a condition expects; the failure shows the last status.
     *
     * @param what      the condition, for the failure message.
     * @param condition on the status text.
     * @return the status that met it.
     */
    String awaitStatus(final String what, final java.util.function.Predicate<String> condition)
    {
        final String[] last = {""};
        try
        {
            await(what, () -> condition.test(last[0] = ctl("status")));
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; last ctl status:\n" + last[0] + "\nlog:\n" + logText(), ex);
        }
        return last[0];
    }

    /**
     * Reads the daemon over JMX.
     *
     * @param read what to read.
     * @param <T>  what it returns.
     * @return its value, or null while the daemon is not reachable (a condition waits on).
     */
    <T> T jmx(final JmxRead<T> read)
    {
        final MarkFile.Info info = MarkFile.read(dataDirectory);
        if (info == null || info.jmxPort() == 0)
        {
            return null;
        }
        try (io.sluice.ops.jmx.JmxClient client = io.sluice.ops.jmx.JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
        {
            return read.read(client);
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    /**
     * A read over JMX.
     *
     * @param <T> what it returns.
     */
    @FunctionalInterface
    interface JmxRead<T>
    {
        /**
         * Reads.
         *
         * @param client connected to the daemon.
         * @return the value.
         * @throws Exception if the daemon is not reachable.
         */
        T read(io.sluice.ops.jmx.JmxClient client) throws Exception;
    }

    /**
     * The daemon's Prometheus endpoint's page (its configuration enables the endpoint).
     *
     * @return the text exposition; empty while the endpoint is not reachable.
     */
    String metrics()
    {
        final MarkFile.Info info = MarkFile.read(dataDirectory);
        if (info == null || info.prometheusPort() == 0)
        {
            return "";
        }
        try
        {
            final java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + info.prometheusPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /**
     * The Kafka partitions a scale-out daemon owns now.
     *
     * @return the partitions; empty while it is not reachable.
     */
    int[] ownedPartitions()
    {
        final int[] owned = jmx(client -> client.scaleOut() == null ? null : client.scaleOut().getOwnedPartitions());
        return owned == null ? new int[0] : owned;
    }

    /**
     * Waits for a condition with a deadline of 3 minutes (the machine may be loaded), polling.
     *
     * @param what      the condition, for the failure message.
     * @param condition to wait for.
     */
    static void await(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after 3 minutes waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
    }

    static String classPathSeparator()
    {
        return File.pathSeparator;
    }

    /**
     * Kills the process with SIGKILL (no graceful stop) and waits for it to end.
     */
    void kill()
    {
        close();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
