package io.sluice.ops.daemon;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a real daemon process over {@link DaemonProcessTest}'s configuration, for tests in other
 * packages.
 */
public final class DaemonTestSupport
{
    private DaemonTestSupport()
    {
    }

    /**
     * Writes the trades file and a configuration (with file ingress) into a directory and starts a daemon.
     *
     * @param dir   for the configuration, input and data.
     * @param extra configuration appended (e.g. a jmx section).
     * @return the running daemon.
     * @throws Exception if it does not start.
     */
    public static Running start(final Path dir, final String extra) throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, DaemonProcessTest.config(true, extra));
        final DaemonProcess process = DaemonProcess.start(config, dir.resolve("data"), dir.resolve("daemon.log"));
        try
        {
            return new Running(process, process.awaitRunning());
        }
        catch (final Exception | Error ex)
        {
            process.close();
            throw ex;
        }
    }

    /**
     * A running daemon process.
     */
    public static final class Running implements AutoCloseable
    {
        private final DaemonProcess process;
        private final MarkFile.Info info;

        Running(final DaemonProcess process, final MarkFile.Info info)
        {
            this.process = process;
            this.info = info;
        }

        /**
         * Its mark file when it reported RUNNING.
         *
         * @return the mark file content.
         */
        public MarkFile.Info info()
        {
            return info;
        }

        /**
         * The process.
         *
         * @return a handle that can terminate it.
         */
        public Terminator process()
        {
            return process::terminate;
        }

        @Override
        public void close()
        {
            process.close();
        }
    }

    /**
     * Sends SIGTERM and returns the exit code.
     */
    @FunctionalInterface
    public interface Terminator
    {
        /**
         * Terminates.
         *
         * @return the exit code.
         * @throws Exception on timeout.
         */
        int terminate() throws Exception;
    }
}
