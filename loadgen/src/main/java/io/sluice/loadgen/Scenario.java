package io.sluice.loadgen;

import java.util.List;

import org.agrona.MutableDirectBuffer;

/**
 * A deterministic workload: from a seed and an event count it produces the same sequence of events,
 * and knows every pattern it injected for a detector to find. The simulated event time advances with
 * the event index, never with the wall clock, so the same seed gives byte-identical events (apart
 * from {@code sent_ns}, which the sender stamps) however fast they are sent.
 *
 * <p>Threading: one instance is used by one sender thread; {@link #next} must not allocate.
 */
public interface Scenario
{
    /**
     * The scenario's name, as given to {@link Scenarios#create}.
     *
     * @return the name.
     */
    String name();

    /**
     * The topics the scenario writes, in the order {@link #next} indexes them.
     *
     * @return the topics.
     */
    List<ScenarioTopic> topics();

    /**
     * The number of events the scenario produces in all.
     *
     * @return the event count.
     */
    long eventCount();

    /**
     * Writes the next event, leaving its {@code sent_ns} field for the sender.
     *
     * @param buffer to write the event into, at least as long as the longest topic schema.
     * @param offset in the buffer.
     * @return the index of the topic the event belongs to.
     * @throws IllegalStateException once all {@link #eventCount()} events were produced.
     */
    int next(MutableDirectBuffer buffer, int offset);

    /**
     * Every pattern the scenario injects, whether or not its event was produced yet.
     *
     * @return the injected patterns, in order of their first event.
     */
    List<InjectedPattern> injected();
}
