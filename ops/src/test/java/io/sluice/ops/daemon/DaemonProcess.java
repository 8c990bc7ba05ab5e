package io.sluice.ops.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new DaemonProcess(process, log, dataDirectory);
    }

    private static String classPath()
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
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
        throw new AssertionError("daemon did not start within 60 s:\n" + log());
    }

    /**
     * Sends SIGTERM and waits for the exit code.
     *
     * @return the exit code.
     */
    int terminate() throws Exception
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("daemon did not stop within 60 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    String log() throws IOException
    {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    static String classPathSeparator()
    {
        return File.pathSeparator;
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
