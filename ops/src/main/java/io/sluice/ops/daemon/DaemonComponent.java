package io.sluice.ops.daemon;

/**
 * An endpoint the daemon runs next to its engine: a network ingress that publishes into source
 * topics (Aeron, later Kafka) or an egress that serves output topics to consumers. This is the seam
 * between the daemon and the transports: a transport module provides a {@link DaemonComponentFactory}
 * for its {@code type}, and the daemon does the rest.
 *
 * <p>Lifecycle, always on the daemon's control thread:
 * <ol>
 *   <li>{@link DaemonComponentFactory#create} while the configuration is loaded: validate settings
 *       through the {@link ConfigSection}, acquire nothing;</li>
 *   <li>{@link #warmUp} before the engine launches, if the configuration asks for a warm-up;</li>
 *   <li>{@link #start} after the engine has recovered (journal replayed, checkpoint loaded) and
 *       before the daemon reports RUNNING: bind sockets, start agents; throwing here stops the
 *       daemon with the message;</li>
 *   <li>{@link #close} on shutdown: every INGRESS component first (no new input), then the engine
 *       drains and takes its final checkpoint, then every EGRESS component (so it can serve what
 *       the drain produced). Close must be idempotent and must not throw for a component that
 *       failed to start.</li>
 * </ol>
 * Components run their own threads (Agrona agents); they must never block a partition thread.
 */
public interface DaemonComponent extends AutoCloseable
{
    /**
     * Which side of the engine a component sits on; it decides the shutdown order.
     */
    enum Role
    {
        /** Publishes into source topics; closed before the engine drains. */
        INGRESS,
        /** Serves outputs; closed after the engine's final checkpoint. */
        EGRESS
    }

    /**
     * A name for logs and errors, e.g. {@code aeron-ingress udp://127.0.0.1:40123}.
     *
     * @return the name.
     */
    String name();

    /**
     * Where the running component's work runs, for its start line (e.g. which thread, which cpus), or
     * null to say nothing.
     *
     * @return the text, or null.
     */
    default String placement()
    {
        return null;
    }

    /**
     * Checks, while the configuration loads, the settings that depend on the data directory (e.g. a
     * directory that must not overlap it); reports each problem through {@code item}. Acquires nothing.
     *
     * @param dataDirectory of the daemon, absolute.
     * @param item          the component's configuration item, for {@link ConfigSection#error}.
     */
    default void check(final java.nio.file.Path dataDirectory, final ConfigSection item)
    {
    }

    /**
     * Where a client on the daemon's host reaches an Aeron component: its channel, media driver
     * directory and stream, as the configuration sets them (command-line clients reading the same
     * configuration file use it).
     *
     * @param channel        the daemon listens on.
     * @param aeronDirectory of the daemon's media driver, absolute.
     * @param streamId       of the daemon's subscription.
     */
    record AeronAddress(String channel, java.nio.file.Path aeronDirectory, int streamId)
    {
    }

    /**
     * The Aeron address of the component, for clients on this host; null for a component that is not
     * reached over Aeron (the default).
     *
     * @param dataDirectory of the daemon (a relative Aeron directory is resolved against it).
     * @return the address or null.
     */
    default AeronAddress aeronAddress(final java.nio.file.Path dataDirectory)
    {
        return null;
    }

    /**
     * Runs synthetic input through the component's own per-event code before the engine launches, so that the JIT
     * has compiled it when the first real input comes (a fresh daemon's first seconds of traffic are otherwise its
     * slowest). Leaves nothing in the daemon's data directory, journal, outputs or counters. Called on the control
     * thread when the configuration's {@code network_warm_up} is above 0, once per component; since the JIT's code is
     * the process's, a kind of component warms up once per process. Default: nothing.
     *
     * @param config        the daemon's configuration: its threads and wait strategy, so that the warm-up runs the
     *                      code the daemon will run.
     * @param maxMillis     the longest the warm-up may take (its start and close apart).
     * @param stopRequested polled: true ends the warm-up early.
     * @return a line for the daemon's log saying what was done, or null if nothing was.
     * @throws RuntimeException if the warm-up failed (the daemon logs it and starts all the same).
     */
    default String warmUp(final DaemonConfig config, final long maxMillis, final java.util.function.BooleanSupplier stopRequested)
    {
        return null;
    }

    /**
     * Starts the component once the engine has recovered.
     *
     * @param context access to the engine, the output journal, counters and the error log.
     */
    void start(DaemonComponentContext context);

    /**
     * Stops the component and releases what it holds; idempotent.
     */
    @Override
    void close();
}
