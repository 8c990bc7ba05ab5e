package io.sluice.ops.daemon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.DeadLetterListener;
import io.sluice.kafka.KafkaStageDeadLetters;
import io.sluice.schema.EventFlyweight;

/**
 * The daemon's routes for dead-lettered stage failures: a pipeline with {@code on_error: dead_letter} whose source
 * topic is fed by a {@code kafka} ingress with a {@code dead_letter_topic} sends the events its stages failed on to that
 * Kafka topic, with the reason, beside the ingress's malformed records ({@link KafkaStageDeadLetters}); the events are
 * in the engine's dead-letter journal topic in any case.
 *
 * <p>Threading: opened and closed on the control thread (closed after the engine); {@link #onDeadLetter} on the partition
 * threads.
 */
final class KafkaStageFailureRoutes implements DeadLetterListener, AutoCloseable
{
    private final Map<String, KafkaStageDeadLetters> byPipeline;
    private final List<KafkaStageDeadLetters> opened;

    private KafkaStageFailureRoutes(final Map<String, KafkaStageDeadLetters> byPipeline, final List<KafkaStageDeadLetters> opened)
    {
        this.byPipeline = byPipeline;
        this.opened = opened;
    }

    /**
     * Opens a dead-letter producer for each {@code kafka} ingress with a {@code dead_letter_topic} that feeds a pipeline
     * with {@code on_error: dead_letter}.
     *
     * @param components the daemon's ingress and egress items.
     * @param pipelines  the daemon's pipelines.
     * @param onFailure  told of each send the brokers refused (the producer's I/O thread).
     * @return the routes, or null when no pipeline has one.
     */
    static KafkaStageFailureRoutes open(
        final List<DaemonConfig.ComponentEntry> components, final List<Pipeline> pipelines, final Consumer<String> onFailure)
    {
        final Map<String, KafkaStageDeadLetters> bySourceTopic = new HashMap<>();
        final Map<String, KafkaStageDeadLetters> byPipeline = new HashMap<>();
        final List<KafkaStageDeadLetters> opened = new ArrayList<>();
        for (final Pipeline pipeline : pipelines)
        {
            if (!pipeline.usesPolicy(ErrorPolicy.DEAD_LETTER))
            {
                continue;
            }
            for (final DaemonConfig.ComponentEntry entry : components)
            {
                if (entry.component() instanceof KafkaIngress kafka && kafka.settings().deadLetterTopic() != null &&
                    kafka.settings().sluiceTopic().equals(pipeline.sourceTopic()))
                {
                    byPipeline.put(pipeline.name(), bySourceTopic.computeIfAbsent(pipeline.sourceTopic(), topic ->
                    {
                        final KafkaStageDeadLetters letters = KafkaStageDeadLetters.open(kafka.settings(), onFailure);
                        opened.add(letters);
                        return letters;
                    }));
                    break;
                }
            }
        }
        return opened.isEmpty() ? null : new KafkaStageFailureRoutes(byPipeline, opened);
    }

    @Override
    public void onDeadLetter(
        final String pipeline, final String stage, final int partition, final EventFlyweight event, final long key, final long timestamp,
        final Throwable error)
    {
        final KafkaStageDeadLetters route = byPipeline.get(pipeline);
        if (route != null)
        {
            route.onDeadLetter(pipeline, stage, partition, event, key, timestamp, error);
        }
    }

    /**
     * The Kafka dead-letter topics the routes send to, for the start-up log.
     *
     * @return pipeline name to route, in no order.
     */
    Map<String, KafkaStageDeadLetters> routes()
    {
        return byPipeline;
    }

    @Override
    public void close()
    {
        for (final KafkaStageDeadLetters letters : opened)
        {
            letters.close();
        }
    }
}
