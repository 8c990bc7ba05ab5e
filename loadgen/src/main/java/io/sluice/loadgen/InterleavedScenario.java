package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;

import org.agrona.MutableDirectBuffer;

/**
 * Two scenarios sent as one, by one sender: the second's events spread evenly among the first's
 * (event i of the mix belongs to the second when {@code floor((i + 1) * n2 / n) > floor(i * n2 / n)}),
 * each part producing its own events in its own order, so every key keeps its order. The topics are
 * the first's followed by the second's; the injected patterns both parts'.
 *
 * <p>Threading: as {@link Scenario}; {@link #next} does not allocate.
 */
public final class InterleavedScenario implements Scenario
{
    private final String name;
    private final Scenario first;
    private final Scenario second;
    private final long events;
    private final long secondEvents;
    private final int secondTopicBase;
    private long accumulator;

    /**
     * Mixes two scenarios.
     *
     * @param name   of the mix.
     * @param first  scenario, the larger share.
     * @param second scenario, spread evenly among the first's events.
     */
    public InterleavedScenario(final String name, final Scenario first, final Scenario second)
    {
        this.name = name;
        this.first = first;
        this.second = second;
        this.secondEvents = second.eventCount();
        this.events = first.eventCount() + secondEvents;
        this.secondTopicBase = first.topics().size();
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public List<ScenarioTopic> topics()
    {
        final List<ScenarioTopic> topics = new ArrayList<>(first.topics());
        topics.addAll(second.topics());
        return List.copyOf(topics);
    }

    @Override
    public long eventCount()
    {
        return events;
    }

    @Override
    public int next(final MutableDirectBuffer buffer, final int offset)
    {
        // Bresenham: the accumulator crosses the event count exactly when floor((i + 1) * n2 / n) steps.
        accumulator += secondEvents;
        if (accumulator >= events)
        {
            accumulator -= events;
            return secondTopicBase + second.next(buffer, offset);
        }
        return first.next(buffer, offset);
    }

    @Override
    public List<InjectedPattern> injected()
    {
        final List<InjectedPattern> all = new ArrayList<>(first.injected());
        all.addAll(second.injected());
        return List.copyOf(all);
    }
}
