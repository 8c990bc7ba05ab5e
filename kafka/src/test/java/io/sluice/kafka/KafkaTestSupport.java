package io.sluice.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.journal.Topic;

/**
 * Inputs, pipelines, Kafka clients and waiting helpers shared by the Kafka tests (and the daemon's,
 * through this module's test jar).
 */
public final class KafkaTestSupport
{
    /** account LONG, amount DOUBLE, qty LONG, ts TIMESTAMP. */
    static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("qty").timestampField("ts").build();

    private KafkaTestSupport()
    {
    }

    /** Tumbling one-second count and sum per account, event time with 200 ms bound. */
    static Pipeline tumbling(final EventSink sink)
    {
        return Pipeline.from("trades", TRADE)
            .name("tumbling")
            .partitionKey("account")
            .eventTime("ts", 200)
            .window(w -> w.tumbling(1_000).count("n").sum("total", "amount"))
            .sink("out", sink)
            .build();
    }

    /**
     * The tumbling pipeline as {@link #tumbling}, named "checked", after a stage that refuses (throws on) trades of
     * quantity 9, under {@code on_error: dead_letter}.
     */
    static Pipeline refusingNines(final EventSink sink)
    {
        final int qty = TRADE.indexOf("qty");
        return Pipeline.from("trades", TRADE)
            .name("checked")
            .partitionKey("account")
            .eventTime("ts", 200)
            .onError(io.sluice.engine.pipeline.ErrorPolicy.DEAD_LETTER)
            .filter("quantity below 9", event ->
            {
                if (event.getLong(qty) == 9)
                {
                    throw new IllegalArgumentException("quantity 9 refused");
                }
                return true;
            })
            .window(w -> w.tumbling(1_000).count("n").sum("total", "amount"))
            .sink("out", sink)
            .build();
    }

    /**
     * A Sluice output record as a line {@code <partition> <sequence> <value as UTF-8>}, the partition and sequence read from
     * its {@link OutputHeaderDescriptor} header.
     */
    public static String outputLine(final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record)
    {
        return OutputHeaderDescriptor.partition(record.headers()) + " " + OutputHeaderDescriptor.sequence(record.headers()) + " " +
            new String(record.value(), StandardCharsets.UTF_8);
    }

    /** The value of a record's last header of that name, as UTF-8 text. */
    static String header(final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record, final String name)
    {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Deterministic JSON trades, event time mostly increasing. */
    static List<String> trades(final long seed, final int from, final int count)
    {
        final List<String> lines = new ArrayList<>(count);
        for (int i = from; i < from + count; i++)
        {
            final Random random = new Random(seed * 1_000_003L + i);
            lines.add("{\"account\":" + random.nextInt(50) + ",\"amount\":" + (random.nextInt(100_000) / 100.0) +
                ",\"qty\":" + (1 + random.nextInt(9)) + ",\"ts\":" + (i * 7L + random.nextInt(150)) + "}");
        }
        return lines;
    }

    /** The first field of a JSON line, a long (the account or symbol of the test schemas). */
    public static long account(final String line)
    {
        final int start = line.indexOf(':') + 1;
        return Long.parseLong(line.substring(start, line.indexOf(',', start)));
    }

    /** Produces lines to the partition their account hashes to in Sluice, in order, and waits for the acks. */
    public static void produce(final String bootstrap, final String topic, final int partitions, final List<String> lines)
    {
        produce(bootstrap, Map.of(), topic, partitions, lines);
    }

    /** As {@link #produce(String, String, int, List)}, with extra client settings (credentials). */
    public static void produce(final String bootstrap, final Map<String, String> client, final String topic, final int partitions,
        final List<String> lines)
    {
        final Map<String, Object> config = new java.util.HashMap<>(client);
        config.putAll(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.ACKS_CONFIG, "all",
            // One request in flight per partition: with more, a first batch refused with a retriable error
            // (NOT_LEADER_OR_FOLLOWER on a topic just created) while the next ones were written is retried with
            // OUT_OF_ORDER_SEQUENCE_NUMBER until it expires, and its records never reach the topic (KAFKA-14359).
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        final List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>(lines.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config))
        {
            for (final String line : lines)
            {
                final long account = account(line);
                sent.add(producer.send(new ProducerRecord<>(topic, Topic.partitionFor(account, partitions),
                    Long.toString(account).getBytes(StandardCharsets.UTF_8), line.getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        // Every record written, or the test fails here naming why (a lost input would only show as a missing result).
        for (int i = 0; i < sent.size(); i++)
        {
            try
            {
                sent.get(i).get(0, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                throw new AssertionError("input record " + i + " of " + sent.size() + " not written to " + topic + ": " + ex, ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** Writes lines to a JSONL file. */
    static Path jsonl(final Path file, final List<String> lines) throws java.io.IOException
    {
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Every committed record of a topic ({@code read_committed}): waits until at least {@code expected}
     * are there, then reads on to the end offsets, so duplicates would show.
     */
    public static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readAll(
        final String bootstrap, final String topic, final int expected)
    {
        return readAll(bootstrap, topic, expected, "read_committed");
    }

    /** Every record of a topic at an isolation level, as {@link #readAll(String, String, int)}. */
    public static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readAll(
        final String bootstrap, final String topic, final int expected, final String isolation)
    {
        return readAll(bootstrap, Map.of(), topic, expected, isolation);
    }

    /** As {@link #readAll(String, String, int, String)}, with extra client settings (credentials). */
    public static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readAll(
        final String bootstrap, final Map<String, String> client, final String topic, final int expected, final String isolation)
    {
        final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final Map<String, Object> config = new java.util.HashMap<>(client);
        config.putAll(Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
            org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName(),
            org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName()));
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config))
        {
            final List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic, patience()).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await(expected + " records on " + topic, () ->
            {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= expected;
            });
            final Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions, patience());
            await("the end of " + topic, () ->
            {
                consumer.poll(Duration.ofMillis(50)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp, patience()) >= end.get(tp));
            });
        }
        return records;
    }

    /**
     * Sends outputs {@code from} (inclusive) to {@code to} (exclusive) of Sluice partition 0, each the same event.
     */
    static void sendRange(final KafkaSink sink, final EventFlyweight event, final long from, final long to)
    {
        for (long sequence = from; sequence < to; sequence++)
        {
            sink.onEvent(0, sequence, 1, 1, event);
        }
    }

    /**
     * A scale-out member of job {@code job} for the bad-input tests: the tumbling pipeline into a text sink, small rings and
     * journal segments, checkpoints every 200 ms in a store under {@code dir}, a 6 s session.
     */
    static KafkaGroupMemberContext memberContext(final String job, final KafkaSourceContext source, final int partitions, final Path dir)
    {
        return new KafkaGroupMemberContext()
            .job(job)
            .source(source)
            .partitions(partitions)
            .checkpointStore(new DirectoryCheckpointStore(dir.resolve("store"), job, 5))
            .workDirectory(dir.resolve("work-" + job))
            .sessionTimeoutMillis(6_000)
            .engine(() -> new io.sluice.engine.runtime.EngineContext().ringSize(1024).journalSegmentLength(1024 * 1024)
                .checkpointIntervalMillis(200).checkpointsRetained(5))
            .pipelines(sinks -> List.of(tumbling(new TextSink())));
    }

    /** Produces one record as given (key and value bytes, no checks) into a partition of a topic, acknowledged. */
    static void produceRaw(final String bootstrap, final String topic, final int partition, final byte[] key, final byte[] value)
    {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())))
        {
            producer.send(new ProducerRecord<>(topic, partition, key, value));
            producer.flush();
        }
    }

    /** The longs {@code from} (inclusive) to {@code to} (exclusive). */
    static List<Long> range(final long from, final long to)
    {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }

    /** The output sequences a read_committed consumer sees in Kafka partition 0 of the topic, in log order. */
    static List<Long> committedSequences(final String bootstrap, final String topic, final int expected)
    {
        final List<Long> sequences = new java.util.ArrayList<>();
        for (final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record : readAll(bootstrap, topic, expected))
        {
            org.assertj.core.api.Assertions.assertThat(record.partition()).isZero();
            sequences.add(OutputHeaderDescriptor.sequence(record.headers()));
        }
        return sequences;
    }

    /**
     * Waits until no transaction is open on any partition of a topic: each partition's last stable offset (the end
     * a {@code read_committed} consumer may read to) reaches its log end as a {@code read_uncommitted} consumer
     * sees it.
     */
    public static void awaitNoOpenTransaction(final String bootstrap, final String topic)
    {
        final Map<String, Object> config = new java.util.HashMap<>(Map.of(
            org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
            org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName(),
            org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName()));
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> uncommitted = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config))
        {
            config.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> committed = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config))
            {
                final List<org.apache.kafka.common.TopicPartition> partitions = uncommitted.partitionsFor(topic, patience()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
                // Both read each time: ending a transaction appends its marker, which moves the log end too.
                await("the last stable offsets of " + topic + " to reach the log end (no transaction open)", () ->
                    committed.endOffsets(partitions, patience()).equals(uncommitted.endOffsets(partitions, patience())));
            }
        }
    }

    /** Waits for a condition with a deadline; fails naming what did not happen. */
    public static void await(final String what, final BooleanSupplier condition)
    {
        await(what, 180, condition);
    }

    /** Waits for a condition up to {@code seconds}; fails naming what did not happen. */
    public static void await(final String what, final long seconds, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** A generous client timeout. */
    static Duration patience()
    {
        return Duration.ofSeconds(120);
    }

    /** A sink rendering each output as "partition seq key ts field=value...", thread-safe. */
    static final class TextSink implements EventSink
    {
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            lines.add(render(partition, sequence, key, timestamp, event));
        }

        synchronized List<String> lines()
        {
            return new ArrayList<>(lines);
        }
    }

    static String render(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        final StringBuilder sb = new StringBuilder().append(partition).append(' ').append(sequence).append(' ')
            .append(key).append(' ').append(timestamp);
        for (int i = 0; i < event.schema().fieldCount(); i++)
        {
            sb.append(' ').append(event.schema().field(i).name()).append('=');
            switch (event.schema().field(i).type())
            {
                case DOUBLE -> sb.append(event.getDouble(i));
                case SYMBOL -> event.getSymbol(i, sb);
                default -> sb.append(event.longValue(i));
            }
        }
        return sb.toString();
    }
}
