package io.sluice.peers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Kafka Streams 4.4 in its own runtime against the same broker: the same W1 query ({@code groupByKey} on the record
 * key, tumbling 6 s with 500 ms grace, count+sum aggregate, {@code suppress(untilWindowCloses)}, to the output
 * topic as key = the order key, value = start, end, count, sum as four big-endian longs), event time from the
 * record timestamp (= the ts field), default stores (RocksDB) with their changelogs and the default record cache
 * (10 MB), {@code processing.guarantee} exactly_once_v2 or at_least_once, both committing every {@code commitMillis}
 * (100 ms is the exactly-once default; at least once defaults to 30 s, and since the cache forwards its aggregates to
 * {@code suppress} only when it is flushed at a commit, every window result would wait for it), {@code
 * num.stream.threads} = the partitions. A {@code peek} notes the first record and the end
 * markers ({@link InputClock}).
 */
final class KafkaStreamsPipeline implements KafkaPipeline
{
    private final KafkaStreams streams;
    private final InputClock clock;
    private final Path directory;

    private KafkaStreamsPipeline(final KafkaStreams streams, final InputClock clock, final Path directory)
    {
        this.streams = streams;
        this.clock = clock;
        this.directory = directory;
    }

    /**
     * Pipelines of one processing guarantee.
     *
     * @param exactlyOnce  exactly_once_v2, else at_least_once.
     * @param threads      stream threads.
     * @param commitMillis {@code commit.interval.ms}.
     * @param scratch      for the state directories.
     * @param tuning       Kafka client settings for its producers and consumers.
     * @return the factory.
     */
    static Factory factory(final boolean exactlyOnce, final int threads, final long commitMillis, final Path scratch, final KafkaTuning tuning)
    {
        return new Factory()
        {
            @Override
            public void decode(final ConsumerRecord<byte[], byte[]> record, final Rows rows)
            {
                final long key = ByteBuffer.wrap(record.key()).getLong();
                final ByteBuffer value = ByteBuffer.wrap(record.value());
                rows.add(key, value.getLong(), value.getLong(), value.getLong(), value.getLong());
            }

            @Override
            public boolean ownsThread(final String threadName, final String run)
            {
                // <application id>-<uuid>-StreamThread-<n>, its producers' and consumers' threads, the state cleaner...
                return threadName.contains("kstreams-bench-" + run);
            }

            @Override
            public String name()
            {
                return "Kafka Streams 4.4 " + (exactlyOnce ? "exactly_once_v2" : "at_least_once") + ", " + threads + " threads, RocksDB, commit " +
                    commitMillis + " ms";
            }

            @Override
            public KafkaPipeline start(final String bootstrap, final String input, final String output, final String run) throws Exception
            {
                final Path dir = Files.createTempDirectory(scratch, "kstreams-kafka-");
                final Properties props = new Properties();
                props.put(StreamsConfig.APPLICATION_ID_CONFIG, "kstreams-bench-" + run);
                props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
                props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
                props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
                props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
                props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMillis);
                props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
                tuning.producer().forEach((key, value) -> props.put(StreamsConfig.producerPrefix(key), value));
                tuning.consumer().forEach((key, value) -> props.put(StreamsConfig.consumerPrefix(key), value));
                final InputClock clock = new InputClock();
                final StreamsBuilder builder = new StreamsBuilder();
                builder.stream(input, Consumed.with(Serdes.Long(), ORDER_VALUE))
                    .peek((key, value) -> clock.onRecord(key))
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(Query.W1.size), Duration.ofMillis(Workload.BOUND_MS)))
                    .aggregate(() -> new long[2], (key, value, agg) ->
                    {
                        agg[0]++;
                        agg[1] += value;
                        return agg;
                    }, Materialized.<Long, long[], WindowStore<Bytes, byte[]>>as("w1-store").withKeySerde(Serdes.Long()).withValueSerde(PAIR))
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                    .toStream()
                    .map((windowed, agg) -> KeyValue.pair(windowed.key(),
                        ByteBuffer.allocate(32).putLong(windowed.window().start()).putLong(windowed.window().end()).putLong(agg[0])
                            .putLong(agg[1]).array()))
                    .to(output, Produced.with(Serdes.Long(), Serdes.ByteArray()));
                final KafkaStreams streams = new KafkaStreams(builder.build(), props);
                streams.start();
                return new KafkaStreamsPipeline(streams, clock, dir);
            }
        };
    }

    @Override
    public long firstRecordNanos()
    {
        if (streams.state() == KafkaStreams.State.ERROR)
        {
            throw new IllegalStateException("Kafka Streams is in state ERROR");
        }
        return clock.firstNanos();
    }

    @Override
    public long lastRecordNanos()
    {
        return clock.lastMarkerNanos();
    }

    @Override
    public boolean assigned(final int inputPartitions)
    {
        final KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR)
        {
            throw new IllegalStateException("Kafka Streams failed: state " + state);
        }
        if (state != KafkaStreams.State.RUNNING)
        {
            return false; // REBALANCING: the group's assignment is not complete yet
        }
        final java.util.Set<org.apache.kafka.common.TopicPartition> owned = new java.util.HashSet<>();
        for (final org.apache.kafka.streams.ThreadMetadata thread : streams.metadataForLocalThreads())
        {
            for (final org.apache.kafka.streams.TaskMetadata task : thread.activeTasks())
            {
                owned.addAll(task.topicPartitions());
            }
        }
        // The source topic's partitions (the repartition-free W1 topology reads only the input).
        return owned.size() >= inputPartitions;
    }

    @Override
    public void close()
    {
        try
        {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
        }
        finally
        {
            SluicePeer.deleteRecursively(directory);
        }
    }

    /** The order's value field out of the input record's little-endian value ({@link KafkaBench}). */
    private static final Serde<Long> ORDER_VALUE = Serdes.serdeFrom(
        (topic, value) ->
        {
            throw new UnsupportedOperationException("input only");
        },
        (topic, bytes) -> bytes == null ? null : ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(KafkaBench.VALUE_OFFSET));

    /** (count, sum) as 16 bytes. */
    private static final Serde<long[]> PAIR = pair();

    private static Serde<long[]> pair()
    {
        final Serializer<long[]> serializer = (topic, pair) -> pair == null ? null : ByteBuffer.allocate(16).putLong(pair[0]).putLong(pair[1]).array();
        final Deserializer<long[]> deserializer = (topic, bytes) ->
        {
            if (bytes == null)
            {
                return null;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new long[] {buffer.getLong(), buffer.getLong()};
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
