package io.sluice.ops.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemons of a multi-daemon test (a scale-out job): each started from a configuration file
 * {@code <name>.yaml} whose data directory is {@code <name>} beside it, waited for until RUNNING, and
 * killed at close if it still runs.
 */
final class DaemonProcesses implements AutoCloseable
{
    private final Path directory;
    private final List<DaemonProcess> started = new ArrayList<>();

    /**
     * Daemons whose configuration files, data directories and logs are in a directory.
     *
     * @param directory of the test.
     */
    DaemonProcesses(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Starts a daemon and waits until it is RUNNING.
     *
     * @param config its configuration file, {@code <name>.yaml} with {@code data_dir: <name>}.
     * @param log    file name for its output.
     * @return the running daemon.
     * @throws Exception if it does not start (the message carries its log).
     */
    DaemonProcess start(final Path config, final String log) throws Exception
    {
        final String name = config.getFileName().toString().replace(".yaml", "");
        final DaemonProcess daemon = DaemonProcess.start(config, directory.resolve(name), directory.resolve(log));
        started.add(daemon);
        daemon.awaitRunning();
        return daemon;
    }

    @Override
    public void close()
    {
        started.forEach(DaemonProcess::close);
    }
}
