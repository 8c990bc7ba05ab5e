package io.sluice.loadgen;

import java.util.List;

import org.agrona.DirectBuffer;

/**
 * Where the load goes: an embedded engine ({@link EmbeddedEngineTarget}) or, later, a daemon over a
 * network transport. {@link #send} may block while the target pushes back; the open-loop sender
 * still charges the wait to every event due meanwhile, because each event carries its scheduled
 * send time.
 *
 * <p>Threading: {@link #open} and {@link #send} from the sender thread; the rest from the thread
 * that runs the generator.
 */
public interface LoadTarget extends AutoCloseable
{
    /**
     * Prepares to receive the scenario's topics, in the order events will index them.
     *
     * @param topics of the scenario.
     */
    void open(List<ScenarioTopic> topics);

    /**
     * Sends one event; must not allocate.
     *
     * @param topic  index into the topics given to {@link #open}.
     * @param buffer holding the event.
     * @param offset of the event.
     */
    void send(int topic, DirectBuffer buffer, int offset);

    /**
     * Sends one event with its scheduled send time, for targets that measure latency themselves (a
     * topic without a {@code sent_ns} field); by default {@link #send(int, DirectBuffer, int)}.
     *
     * @param topic       index into the topics given to {@link #open}.
     * @param buffer      holding the event.
     * @param offset      of the event.
     * @param scheduledNs the event's scheduled send time ({@link System#nanoTime()} clock).
     */
    default void send(final int topic, final DirectBuffer buffer, final int offset, final long scheduledNs)
    {
        send(topic, buffer, offset);
    }

    /**
     * Called by the sender while it waits for the next event's time: a target that measures latency
     * on acknowledgements takes them here. Must not allocate.
     *
     * @return true if the target still waits for something (the sender then naps in short slices).
     */
    default boolean idle()
    {
        return false;
    }

    /**
     * The input has ended: let pending windows and joins emit.
     */
    void endOfInput();

    /**
     * Waits until everything sent has been processed.
     *
     * @param timeoutMs longest wait.
     * @return true if drained in time.
     */
    boolean awaitDrained(long timeoutMs);

    /**
     * A one-line description for reports.
     *
     * @return the description.
     */
    String describe();

    @Override
    void close();
}
