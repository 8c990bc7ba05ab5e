package io.sluice.kafka;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.sluice.engine.runtime.DeadLetterListener;
import io.sluice.schema.EventFlyweight;

/**
 * Sends the events pipeline stages dead-lettered ({@code on_error: dead_letter}) to a Kafka input's dead-letter topic
 * ({@link KafkaSourceContext#deadLetterTopic}), beside its malformed records: the event's value in the input's format
 * (rendered in the schema of the stage that failed), its event time as the record's timestamp, no key, and the headers
 * {@value KafkaSource#ERROR_HEADER} (the pipeline, the stage and what it threw) and {@value KafkaSource#ORIGIN_HEADER}
 * ({@code pipeline <name>/<partition> stage <stage>}). Give it to the engine before launch:
 * <pre>{@code
 * KafkaStageDeadLetters stageFailures = KafkaStageDeadLetters.open(sourceContext, engine.errorLog()::record);
 * Engine engine = Engine.launch(new EngineContext()...deadLetterListener(stageFailures), pipelines);
 * ...
 * engine.close(); stageFailures.close();
 * }</pre>
 * At least once, as for malformed records: the engine's dead-letter journal topic holds every such event, and a restart
 * that replays the journal past a failure (the records after the restored checkpoint) sends it again.
 *
 * <p>A scale-out daemon ({@link KafkaGroupMember}) runs each owned Kafka partition as an engine of one partition: it
 * sends its stage failures through the producer of its malformed records ({@link #sharing}), each partition's engine
 * told through {@link #ofKafkaPartition} so that the origin names the Kafka partition, not the engine's 0.
 *
 * <p>Threading: {@link #onDeadLetter} on the partition threads (or the launching thread during a replay), through one
 * shared idempotent producer; a failed send is reported on the producer's I/O thread; {@link #close()} after the engine
 * is closed.
 */
public final class KafkaStageDeadLetters implements DeadLetterListener, AutoCloseable
{
    private final DeadLetters deadLetters;
    private final ValueFormat format;
    private final Consumer<String> onFailure;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile String lastError;

    private KafkaStageDeadLetters(final DeadLetters deadLetters, final ValueFormat format, final Consumer<String> onFailure)
    {
        this.deadLetters = deadLetters;
        this.format = format;
        this.onFailure = onFailure;
    }

    /**
     * Opens the producer of a Kafka input's dead-letter topic for stage failures.
     *
     * @param source    settings of the Kafka input (brokers, dead-letter topic, format, client properties); concluded.
     * @param onFailure told the reason of each send the brokers refused or that timed out (producer's I/O thread),
     *                  for example the engine's error log; may be null.
     * @return the dead letters.
     * @throws KafkaConnectorException if the input has no dead-letter topic.
     */
    public static KafkaStageDeadLetters open(final KafkaSourceContext source, final Consumer<String> onFailure)
    {
        source.conclude();
        if (source.deadLetterTopic() == null)
        {
            throw new KafkaConnectorException("Kafka input of topic '" + source.topic() + "' has no dead-letter topic for the " +
                "stage failures of its pipelines");
        }
        return new KafkaStageDeadLetters(DeadLetters.open(source, "sluice-" + source.groupId() + "-" + source.topic() +
            "-stage-dead-letters"), source.format(), onFailure);
    }

    /**
     * Stage failures sent through the producer of an input's malformed records; its owner closes the producer (do not
     * {@link #close()} these).
     *
     * @param deadLetters of the input, open.
     * @param format      of the input's values.
     * @param onFailure   told the reason of each send the brokers refused or that timed out; may be null.
     * @return the dead letters.
     */
    static KafkaStageDeadLetters sharing(final DeadLetters deadLetters, final ValueFormat format, final Consumer<String> onFailure)
    {
        return new KafkaStageDeadLetters(deadLetters, format, onFailure);
    }

    /**
     * The listener for an engine of one partition that runs a given Kafka partition (a scale-out daemon's owned
     * partition): its failures are sent as this Kafka partition's.
     *
     * @param kafkaPartition the engine runs.
     * @return the listener to give the engine.
     */
    DeadLetterListener ofKafkaPartition(final int kafkaPartition)
    {
        return (pipeline, stage, enginePartition, event, key, timestamp, error) ->
            onDeadLetter(pipeline, stage, kafkaPartition, event, key, timestamp, error);
    }

    @Override
    public void onDeadLetter(
        final String pipeline, final String stage, final int partition, final EventFlyweight event, final long key, final long timestamp,
        final Throwable error)
    {
        final String where = "pipeline " + pipeline + "/" + partition + " stage " + stage;
        deadLetters.send(timestamp, null, new EventEncoder(format).encode(event), "dead-lettered event of", "pipeline '" + pipeline +
            "' stage '" + stage + "' failed: " + error, where, this::failed);
        sent.incrementAndGet(); // after the send: whoever sees the count sees the record handed to the producer
    }

    private void failed(final String message)
    {
        sendFailures.incrementAndGet();
        lastError = message;
        final Consumer<String> handler = onFailure;
        if (handler != null)
        {
            handler.accept(message);
        }
    }

    /**
     * Events sent to the dead-letter topic (handed to the producer).
     *
     * @return the count since opened.
     */
    public long sent()
    {
        return sent.get();
    }

    /**
     * Sends the brokers refused or that timed out.
     *
     * @return the count since opened.
     */
    public long sendFailures()
    {
        return sendFailures.get();
    }

    /**
     * The reason of the last failed send.
     *
     * @return the message, or null if none failed.
     */
    public String lastError()
    {
        return lastError;
    }

    /** Sends what is buffered (waits up to 10 s) and closes the producer. After the engine is closed. */
    @Override
    public void close()
    {
        deadLetters.close();
    }
}
