package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.exceptions.DriverTimeoutException;

/**
 * Aeron clients for processes that embed Sluice's client library: a producer, a consumer, the load generator,
 * a command-line tool, a test.
 *
 * <p>Aeron's default error handler ends the whole process ({@code System.exit(-1)}) when the media driver does
 * not answer within the client's driver timeout, and a driver in another process can go that long without a duty
 * cycle on a machine whose cores are all busy. A library must not end its host: the clients made here print the
 * error to standard error and let Aeron close the client; the producers and consumers on it then fail with an
 * error their caller sees and handles.
 */
public final class ClientAeron
{
    /**
     * How long a client made here waits for its driver before it gives up on it: 30 s rather than Aeron's 10 s,
     * so that a driver starved of CPU for seconds on a busy machine is not taken for a dead one (a dead driver is
     * still found, later).
     */
    public static final long DRIVER_TIMEOUT_MS = 30_000;

    private ClientAeron()
    {
    }

    /**
     * Connects to the media driver of a directory with {@link #DRIVER_TIMEOUT_MS}.
     *
     * @param aeronDirectoryName of the driver.
     * @return the connected client; close it.
     */
    public static Aeron connect(final String aeronDirectoryName)
    {
        return connect(aeronDirectoryName, DRIVER_TIMEOUT_MS);
    }

    /**
     * Connects to the media driver of a directory.
     *
     * @param aeronDirectoryName of the driver.
     * @param driverTimeoutMs    how long the client waits for the driver's answers and heartbeat.
     * @return the connected client; close it.
     */
    public static Aeron connect(final String aeronDirectoryName, final long driverTimeoutMs)
    {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .driverTimeoutMs(driverTimeoutMs)
            .errorHandler(ClientAeron::printError));
    }

    private static void printError(final Throwable error)
    {
        synchronized (System.err)
        {
            if (error instanceof DriverTimeoutException)
            {
                System.err.println("sluice client: the media driver stopped answering; the Aeron client is closed: " + error.getMessage());
            }
            else
            {
                error.printStackTrace();
            }
        }
    }
}
