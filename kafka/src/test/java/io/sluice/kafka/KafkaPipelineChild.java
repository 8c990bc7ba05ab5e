package io.sluice.kafka;

import java.nio.file.Path;
import java.util.List;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.ExternalSourcePublisher;

/**
 * A process reading Kafka and writing Kafka exactly once, for the SIGKILL loop: opens the sink (fencing
 * the killed predecessor), launches the engine restoring no newer checkpoint than the sink's committed
 * one, reads the input topic until every one of {@code expected} records is journaled, ends the input,
 * closes (final checkpoint, final commit) and prints DONE.
 *
 * <p>Arguments: bootstrap, input topic, output topic, data directory, expected input records,
 * checkpoint interval in milliseconds.
 */
public final class KafkaPipelineChild
{
    static final int PARTITIONS = 3;

    private KafkaPipelineChild()
    {
    }

    /**
     * Runs the child.
     *
     * @param args see the class comment.
     * @throws Exception on failure (the test sees a non-zero exit).
     */
    public static void main(final String[] args) throws Exception
    {
        final String bootstrap = args[0];
        final String input = args[1];
        final String output = args[2];
        final Path data = Path.of(args[3]);
        final long expected = Long.parseLong(args[4]);
        final long checkpointMs = Long.parseLong(args[5]);
        final KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(bootstrap).topic(output)
            .transactionalIdPrefix("sluice.crashloop." + output).partitions(PARTITIONS).mode(SinkMode.EXACTLY_ONCE)
            .format(ValueFormat.JSON).timeoutMillis(120_000));
        final EngineContext context = new EngineContext().directory(data).partitions(PARTITIONS).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).checkpointIntervalMillis(checkpointMs).checkpointsRetained(5)
            .restoreCheckpointAtMost(sink.restoreCheckpointAtMost());
        final Engine engine = Engine.launch(context, List.of(KafkaTestSupport.tumbling(sink)));
        engine.addCheckpointListener(sink);
        sink.checkpointTrigger(engine::checkpoint);
        System.out.println("READY " + engine.recoveryEvents());
        final KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(bootstrap).topic(input)
            .groupId("sluice.crashloop").sluiceTopic("trades").format(ValueFormat.JSON));
        final ExternalSourcePublisher positions = engine.externalSource("trades");
        while (journaled(positions) < expected)
        {
            if (source.state() == KafkaSource.State.FAILED)
            {
                throw new IllegalStateException(source.lastError());
            }
            for (int p = 0; p < PARTITIONS; p++)
            {
                final Throwable failure = engine.partitionFailure("trades", p);
                if (failure != null)
                {
                    throw new IllegalStateException("partition " + p + " stopped", failure);
                }
            }
            Thread.sleep(10);
        }
        source.close();
        engine.drain(60, java.util.concurrent.TimeUnit.SECONDS);
        engine.endOfInput("trades");
        engine.close();
        sink.close();
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    /** Input records journaled: Kafka offsets of a non-transactional topic are contiguous from 0. */
    private static long journaled(final ExternalSourcePublisher positions)
    {
        long total = 0;
        for (int p = 0; p < positions.partitionCount(); p++)
        {
            total += positions.position(p) + 1;
        }
        return total;
    }
}
