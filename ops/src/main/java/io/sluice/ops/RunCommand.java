package io.sluice.ops;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.sluice.ops.daemon.Daemon;
import io.sluice.ops.daemon.DaemonConfig;
import io.sluice.ops.daemon.DaemonConfigException;
import io.sluice.ops.daemon.DaemonException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice run --config FILE}: runs the daemon until SIGTERM or SIGINT, then shuts it down
 * gracefully (stop ingress, drain, final checkpoint, close files) and exits 0.
 *
 * <p>Signals: TERM and INT get handlers through {@code sun.misc.Signal} (reached by reflection, as it
 * is a JDK-internal API javac warns about) that release the main thread, which closes the daemon and
 * returns 0; without them the JVM would exit 143 from its shutdown hooks. A shutdown hook closes the
 * daemon too, for any other way the JVM ends. With {@code --check} the configuration is validated
 * and nothing runs.
 *
 * <p>Exit codes: 0 after a graceful stop; 2 for an invalid configuration (each error with its key and
 * reason); 1 when the daemon cannot start (one line saying why: everything started is closed again
 * and the lock released) or when a daemon thread dies of an uncaught {@link Error} (one line, then
 * the process halts: never a live process that holds the lock and does nothing).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Run the Sluice daemon with a configuration file (see docs/daemon.md).")
final class RunCommand implements Callable<Integer>
{
    /** slf4j-simple's level property; {@code log_level} in the configuration sets it unless given with -D. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    CommandSpec spec;

    @Option(names = { "-c", "--config" }, required = true, paramLabel = "FILE", description = "Daemon configuration (YAML).")
    Path config;

    @Option(names = "--check", description = "Validate the configuration, print the errors (if any), and exit.")
    boolean check;

    @Override
    public Integer call()
    {
        final DaemonConfig daemonConfig;
        try
        {
            daemonConfig = DaemonConfig.load(config);
        }
        catch (final DaemonConfigException ex)
        {
            throw new CliException(ExitCodes.USAGE, "invalid configuration: " + ex.getMessage());
        }
        if (check)
        {
            spec.commandLine().getOut().println(config + ": configuration is valid");
            return ExitCodes.OK;
        }
        // Before the first logger exists: slf4j-simple reads its level once. A -D on the command line wins.
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null)
        {
            System.setProperty(LOG_LEVEL_PROPERTY, daemonConfig.logLevel());
        }
        final CountDownLatch stop = new CountDownLatch(1);
        // Before the daemon reports RUNNING (its mark file is what supervisors and tests wait for): a SIGTERM
        // from then on stops it through close() on this thread, never through the JVM's shutdown hooks.
        handleSignal("TERM", stop);
        handleSignal("INT", stop);
        final java.io.PrintWriter err = spec.commandLine().getErr();
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        exitOnFatalError(err);
        final Daemon daemon;
        try
        {
            daemon = Daemon.start(daemonConfig, null, () -> stop.getCount() == 0);
        }
        catch (final DaemonException ex)
        {
            Thread.setDefaultUncaughtExceptionHandler(previous);
            throw new CliException(ex.getMessage());
        }
        final Thread hook = new Thread(daemon::close, "sluice-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            stop.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        daemon.close();
        Thread.setDefaultUncaughtExceptionHandler(previous);
        return ExitCodes.OK;
    }

    /**
     * A thread of the daemon that dies of an uncaught {@link Error} (an {@code InternalError} from the
     * SIGBUS of a mapped file, an {@code OutOfMemoryError}, a bug) leaves a process that holds the data
     * directory's lock but no longer works: print one line and exit at once with
     * {@link ExitCodes#FAILURE}. Halting skips the graceful close, which could not be trusted now;
     * the OS releases the lock, and what was acknowledged DURABLE is on disk already. An uncaught
     * exception is left to the thread's owner: a partition that halts on a stage error ends its
     * thread with one, and stays visible as a failed partition while the daemon runs on.
     */
    private static void exitOnFatalError(final java.io.PrintWriter err)
    {
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) ->
        {
            if (!(failure instanceof Error))
            {
                if (previous != null)
                {
                    previous.uncaughtException(thread, failure);
                }
                else
                {
                    System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                    failure.printStackTrace();
                }
                return;
            }
            try
            {
                err.println("sluice run: fatal error in thread " + thread.getName() + ": " + Daemon.oneLine(failure) + "; exiting");
                err.flush();
            }
            finally
            {
                Runtime.getRuntime().halt(ExitCodes.FAILURE);
            }
        });
    }

    private static void handleSignal(final String name, final CountDownLatch stop)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object handler = Proxy.newProxyInstance(RunCommand.class.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, args) ->
                {
                    if (method.getName().equals("handle"))
                    {
                        stop.countDown();
                        return null;
                    }
                    if (method.getName().equals("equals"))
                    {
                        return proxy == args[0];
                    }
                    if (method.getName().equals("hashCode"))
                    {
                        return System.identityHashCode(proxy);
                    }
                    return "sluice signal handler";
                });
            final Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            // Without the handler the shutdown hook still shuts down gracefully; the exit code is then 143.
        }
    }
}
