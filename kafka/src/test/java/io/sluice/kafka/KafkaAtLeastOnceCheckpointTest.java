package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.ExternalSourcePublisher;
import io.sluice.journal.Topic;

/**
 * The at-least-once sink's checkpoint barrier does not wait for Kafka: the checkpoint completes only once
 * Kafka has acknowledged every output sent before its barriers, while the partition threads go on. The
 * sink reaches its broker (a real one, its own) through a proxy that holds all traffic while outputs flow and
 * a checkpoint is taken, then lets it through.
 */
class KafkaAtLeastOnceCheckpointTest
{
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    private KafkaTestBroker broker;
    /** Between the sink and the broker: the sink's producers reach the broker only through it. */
    private PausableProxy proxy;

    @BeforeEach
    void startBroker() throws Exception
    {
        final int[] ports = KafkaTestBroker.ports(2);
        proxy = new PausableProxy(ports[1], ports[0]);
        broker = KafkaTestBroker.startProxied(Files.createDirectories(dir.resolve("broker")), ports[0], ports[1]);
        proxiedBootstrap = "127.0.0.1:" + ports[1];
    }

    private String proxiedBootstrap;

    @AfterEach
    void stopBroker() throws Exception
    {
        try
        {
            proxy.close();
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void shouldCompleteACheckpointOnlyOnceKafkaAcknowledgedTheOutputsBeforeItsBarriersWhileThePartitionsGoOn() throws Exception
    {
        final String out = "alo-ack-out";
        broker.createTopics(PARTITIONS, out);
        final List<String> input = KafkaTestSupport.trades(9, 0, 6_000);
        final List<String> expected = replayed(input);
        final AtomicLong asked = new AtomicLong();
        final CheckpointListener counting = new CheckpointListener()
        {
            @Override
            public boolean mayComplete(final long checkpointId)
            {
                asked.incrementAndGet();
                return true;
            }

            @Override
            public void onCheckpointComplete(final CheckpointManifest manifest)
            {
            }
        };
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(proxiedBootstrap).topic(out)
            .transactionalIdPrefix("sluice.alo-ack").partitions(PARTITIONS).mode(SinkMode.AT_LEAST_ONCE)
            .clientProperties(Map.of("delivery.timeout.ms", "900000"))))
        {
            try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("data")).partitions(PARTITIONS)
                .checkpointIntervalMillis(3_600_000), List.of(KafkaTestSupport.tumbling(sink))))
            {
                engine.addCheckpointListener(counting); // asked before the sink: counts each time the sink is asked
                engine.addCheckpointListener(sink);
                final Publisher publisher = new Publisher(engine.externalSource("trades"));
                publisher.publish(input.subList(0, 2_000));
                assertThat(engine.drain(120, TimeUnit.SECONDS)).isTrue();
                assertThat(engine.checkpoint().get(120, TimeUnit.SECONDS)).as("completes while Kafka acknowledges").isNotNull();
                final long firstPart = sent(sink);

                proxy.pause(); // Kafka acknowledges nothing now: the producers' requests time out and are retried
                publisher.publish(input.subList(2_000, 4_000));
                assertThat(engine.drain(120, TimeUnit.SECONDS)).isTrue();
                final long sentBefore = sent(sink);
                assertThat(sentBefore).as("outputs waiting for Kafka").isGreaterThan(firstPart);
                final CompletableFuture<CheckpointManifest> held = engine.checkpoint();
                final long askedAtStart = asked.get();
                publisher.publish(input.subList(4_000, input.size()));
                assertThat(engine.drain(120, TimeUnit.SECONDS)).as("the partition threads go on past the barrier").isTrue();
                await("outputs after the barrier", () -> sent(sink) > sentBefore);
                await("the engine to ask the sink again and again", () -> asked.get() > askedAtStart + 3);
                assertThat(held).as("no completion before Kafka acknowledged the outputs before its barriers").isNotDone();

                proxy.resume();
                final CheckpointManifest completed = held.get(180, TimeUnit.SECONDS);
                assertThat(completed.id()).isPositive();
                assertThat(endOffsets(out)).as("every output sent before the barriers is in Kafka").isGreaterThanOrEqualTo(sentBefore);
                engine.endOfInput("trades");
            }
        }
        assertThat(new TreeSet<>(delivered(out, expected.size()))).isEqualTo(new TreeSet<>(expected));
    }

    /** Publishes JSON trades into the engine's external source, each to the partition its account maps to. */
    private static final class Publisher
    {
        private final ExternalSourcePublisher source;
        private final RecordDecoder decoder = new RecordDecoder(KafkaTestSupport.TRADE, ValueFormat.JSON);
        private final long[] positions = new long[PARTITIONS];

        Publisher(final ExternalSourcePublisher source)
        {
            this.source = source;
        }

        void publish(final List<String> lines)
        {
            for (final String line : lines)
            {
                assertThat(decoder.decode(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)))).isNull();
                final int partition = Topic.partitionFor(KafkaTestSupport.account(line), PARTITIONS);
                source.publish(partition, decoder.buffer(), 0, positions[partition]++);
            }
        }
    }

    private static long sent(final KafkaSink sink)
    {
        long sent = 0;
        for (int p = 0; p < PARTITIONS; p++)
        {
            sent += sink.sent(p);
        }
        return sent;
    }

    /** What the outputs must be: the replay of the same input, rendered as "partition sequence value". */
    private List<String> replayed(final List<String> input) throws Exception
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final EventEncoder encoder = new EventEncoder(ValueFormat.JSON);
        final EventSink sink = (partition, sequence, key, timestamp, event) ->
            lines.add(partition + " " + sequence + " " + new String(encoder.encode(event), StandardCharsets.UTF_8));
        Backtest.replay(List.of(KafkaTestSupport.tumbling(sink)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), input)),
            new BacktestOptions().partitions(PARTITIONS));
        return lines;
    }

    private List<String> delivered(final String topic, final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), topic, expected))
        {
            lines.add(KafkaTestSupport.outputLine(record));
        }
        return lines;
    }

    private long endOffsets(final String topic) throws Exception
    {
        try (Admin admin = broker.admin())
        {
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(120, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
