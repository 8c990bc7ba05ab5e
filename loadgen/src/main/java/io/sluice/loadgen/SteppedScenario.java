package io.sluice.loadgen;

import java.util.List;

import org.agrona.MutableDirectBuffer;

/**
 * The plumbing a scenario with a fixed simulated step shares: its name, topics and event count, the
 * simulated time of each event ({@code baseEpochMs + position * msPerEvent}), and the position of the
 * next event, which {@link #next} advances and guards so no more than {@link #eventCount()} events are
 * produced. A subclass plans its run and writes one event at a time in {@link #write}.
 *
 * <p>Threading: as {@link Scenario}.
 */
abstract class SteppedScenario implements Scenario
{
    private final String name;
    private final List<ScenarioTopic> topics;
    private final long events;
    private final long baseEpochMs;
    private final long msPerEvent;
    private long position;

    /**
     * Checks the run is long enough and fixes its clock.
     *
     * @param name        of the scenario, as in its error messages.
     * @param topics      the scenario writes, in the order {@link #write} indexes them.
     * @param events      in the run, at least {@code minEvents}.
     * @param minEvents   the scenario needs.
     * @param baseEpochMs simulated time of the first event.
     * @param msPerEvent  simulated milliseconds between consecutive events.
     */
    SteppedScenario(
        final String name,
        final List<ScenarioTopic> topics,
        final long events,
        final long minEvents,
        final long baseEpochMs,
        final long msPerEvent)
    {
        if (events < minEvents)
        {
            throw new IllegalArgumentException("the " + name + " scenario needs at least " + minEvents + " events, was " + events);
        }
        this.name = name;
        this.topics = topics;
        this.events = events;
        this.baseEpochMs = baseEpochMs;
        this.msPerEvent = msPerEvent;
    }

    /**
     * Simulated time of an event.
     *
     * @param position of the event in the run.
     * @return epoch milliseconds.
     */
    final long time(final long position)
    {
        return baseEpochMs + position * msPerEvent;
    }

    @Override
    public final String name()
    {
        return name;
    }

    @Override
    public final List<ScenarioTopic> topics()
    {
        return topics;
    }

    @Override
    public final long eventCount()
    {
        return events;
    }

    /**
     * Simulated milliseconds between consecutive events.
     *
     * @return the step.
     */
    public final long msPerEvent()
    {
        return msPerEvent;
    }

    /**
     * Simulated time just past the last event.
     *
     * @return epoch milliseconds.
     */
    public final long endTs()
    {
        return time(events);
    }

    @Override
    public final int next(final MutableDirectBuffer buffer, final int offset)
    {
        if (position >= events)
        {
            throw new IllegalStateException("the scenario's " + events + " events were all produced");
        }
        final int topic = write(buffer, offset, position);
        position++;
        return topic;
    }

    /**
     * Writes one event, leaving its {@code sent_ns} field for the sender; must not allocate.
     *
     * @param buffer   to write the event into.
     * @param offset   in the buffer.
     * @param position of the event in the run, below {@link #eventCount()}.
     * @return the index of the topic the event belongs to.
     */
    abstract int write(MutableDirectBuffer buffer, int offset, long position);
}
