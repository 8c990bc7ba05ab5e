package io.sluice.loadgen;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;

/**
 * Sends to an engine running in this process, through its in-process publishers (one ring per
 * partition; {@link EventPublisher#publish} waits while a ring is full).
 *
 * <p>Threading: launched and closed by the generator's thread; {@link #open} and {@link #send} on
 * the sender thread, which owns the publishers.
 */
public final class EmbeddedEngineTarget implements LoadTarget
{
    private final EngineContext context;
    private final Engine engine;
    private List<ScenarioTopic> topics;
    private EventPublisher[] publishers;

    /**
     * Launches the engine with its pipelines.
     *
     * @param context   of the engine.
     * @param pipelines to run, including a latency probe per topic.
     */
    public EmbeddedEngineTarget(final EngineContext context, final List<Pipeline> pipelines)
    {
        this.context = context;
        this.engine = Engine.launch(context, pipelines);
    }

    /**
     * The running engine, for status.
     *
     * @return the engine.
     */
    public Engine engine()
    {
        return engine;
    }

    @Override
    public void open(final List<ScenarioTopic> topics)
    {
        this.topics = List.copyOf(topics);
        final EventPublisher[] publishers = new EventPublisher[topics.size()];
        for (int t = 0; t < publishers.length; t++)
        {
            publishers[t] = engine.publisher(topics.get(t).name());
        }
        this.publishers = publishers;
    }

    @Override
    public void send(final int topic, final DirectBuffer buffer, final int offset)
    {
        publishers[topic].publish(buffer, offset);
    }

    @Override
    public void endOfInput()
    {
        // Topics that meet in a join share one journal topic and partition threads: end each group once.
        final java.util.Set<String> ended = new java.util.HashSet<>();
        for (final ScenarioTopic topic : topics)
        {
            if (ended.add(engine.journalTopicOf(topic.name())))
            {
                engine.endOfInput(topic.name());
            }
        }
    }

    @Override
    public boolean awaitDrained(final long timeoutMs)
    {
        return engine.drain(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public String describe()
    {
        return "embedded engine: " + context.partitions() + " partitions per topic, ring " + context.ringSize() +
            ", wait strategy " + context.waitStrategy().configName() + ", data in " + context.directory();
    }

    @Override
    public void close()
    {
        engine.close();
    }
}
