package io.sluice.peers;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Kafka Streams 4.4 in its {@link TopologyTestDriver} (one thread, no broker), with in-memory or RocksDB stores.
 * Windows: {@code groupByKey().windowedBy(...).aggregate(count+sum)} with a grace of 500 ms (the watermark bound:
 * no event is dropped) and {@code suppress(untilWindowCloses)} so that each window emits its final result once;
 * hopping with gaps, which {@link TimeWindows} refuses (advance > size), through a {@link Windows} of our own that
 * assigns an event to {@code [k*hop, k*hop + size)} or to nothing. Join: {@code KStream#join} with
 * {@link JoinWindows#ofTimeDifferenceAndGrace} (+-2 s inclusive, grace 500 ms).
 * <p>
 * Kafka Streams drops windows that start before 0 (the comparison includes them) and refuses negative timestamps,
 * so every timestamp goes in shifted by {@link #SHIFT_MS} (a multiple of every window size and hop) and comes out
 * shifted back. At the end of input one record of a key that is not in the workload, far ahead in time, advances
 * stream time so that every window closes (Kafka Streams has no end of input); its own window never closes and
 * emits nothing. Timed from the first {@code pipeInput} to the return of that last one.
 * <p>
 * The test driver commits after every record (flushes the record cache and the stores, writes the checkpoint file),
 * where a Kafka Streams application commits every 30 s by default, and it keeps every record sent to a changelog
 * topic in memory for the test to read. Changelogs are therefore disabled here (stores, suppression buffer, join
 * stores), which only spares Kafka Streams work; the per-record commit remains, so these figures are a lower bound
 * of Kafka Streams in its own runtime (which the Kafka benchmark, {@code KafkaPipelineMain}, runs against a broker).
 */
final class KafkaStreamsPeer implements PeerSystem
{
    /** Added to every timestamp going in, subtracted from every one coming out. */
    static final long SHIFT_MS = 600_000;
    private static final long GRACE_MS = Workload.BOUND_MS;
    private static final long END_KEY = -1;

    private final boolean rocksDb;
    private final Path scratch;

    KafkaStreamsPeer(final boolean rocksDb, final Path scratch)
    {
        this.rocksDb = rocksDb;
        this.scratch = scratch;
    }

    @Override
    public String name()
    {
        return "Kafka Streams 4.4 TTD " + (rocksDb ? "RocksDB" : "in-memory");
    }

    @Override
    public PeerRun run(final Query query, final Workload w) throws Exception
    {
        final Path dir = Files.createTempDirectory(scratch, "kstreams-");
        final Rows rows = new Rows(query.isJoin() ? w.count * 3 : w.count / 2);
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "peers-" + query.name().toLowerCase());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        final StreamsBuilder builder = new StreamsBuilder();
        if (query.isJoin())
        {
            join(builder, query, rows);
        }
        else
        {
            windows(builder, query, rows);
        }
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(0)))
        {
            final long start;
            if (query.isJoin())
            {
                final TestInputTopic<Long, long[]> orders = driver.createInputTopic("orders", new LongSerializer(), TS_VALUE);
                final TestInputTopic<Long, long[]> payments = driver.createInputTopic("payments", new LongSerializer(), TS_VALUE);
                start = System.nanoTime();
                for (int i = 0, n = w.count; i < n; i++)
                {
                    final long ts = w.ts[i] + SHIFT_MS;
                    (w.type[i] == Workload.ORDER ? orders : payments).pipeInput(w.key[i], new long[] {ts, w.value[i]}, ts);
                }
            }
            else
            {
                final TestInputTopic<Long, Long> orders = driver.createInputTopic("orders", new LongSerializer(), new LongSerializer());
                start = System.nanoTime();
                for (int i = 0, n = w.count; i < n; i++)
                {
                    orders.pipeInput(w.key[i], w.value[i], w.ts[i] + SHIFT_MS);
                }
                orders.pipeInput(END_KEY, 0L, w.maxTs + SHIFT_MS + Duration.ofDays(1).toMillis());
            }
            final long end = System.nanoTime();
            return new PeerRun(end - start, List.of(rows));
        }
        finally
        {
            SluicePeer.deleteRecursively(dir);
        }
    }

    private void windows(final StreamsBuilder builder, final Query query, final Rows rows)
    {
        final Windows<TimeWindow> windows = query == Query.W3 ? new GapWindows(query.size, query.hop, GRACE_MS) :
            (query == Query.W1 ? TimeWindows.ofSizeAndGrace(Duration.ofMillis(query.size), Duration.ofMillis(GRACE_MS)) :
                TimeWindows.ofSizeAndGrace(Duration.ofMillis(query.size), Duration.ofMillis(GRACE_MS)).advanceBy(Duration.ofMillis(query.hop)));
        final String store = query.name().toLowerCase() + "-store";
        final Materialized<Long, long[], WindowStore<Bytes, byte[]>> materialized = (rocksDb ?
            Materialized.<Long, long[], WindowStore<Bytes, byte[]>>as(store) :
            Materialized.<Long, long[]>as(Stores.inMemoryWindowStore(store, Duration.ofMillis(windows.size() + GRACE_MS),
                Duration.ofMillis(windows.size()), false)))
            .withKeySerde(Serdes.Long()).withValueSerde(COUNT_SUM).withLoggingDisabled();
        builder.stream("orders", Consumed.with(Serdes.Long(), Serdes.Long()))
            .groupByKey()
            .windowedBy(windows)
            .aggregate(() -> new long[2], (key, value, agg) ->
            {
                agg[0]++;
                agg[1] += value;
                return agg;
            }, materialized)
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded().withLoggingDisabled()))
            .toStream()
            .foreach((windowed, agg) ->
            {
                if (windowed.key() != END_KEY)
                {
                    rows.add(windowed.key(), windowed.window().start() - SHIFT_MS, windowed.window().end() - SHIFT_MS, agg[0], agg[1]);
                }
            });
    }

    private void join(final StreamsBuilder builder, final Query query, final Rows rows)
    {
        final JoinWindows windows = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(query.size), Duration.ofMillis(GRACE_MS));
        StreamJoined<Long, long[], long[]> joined = StreamJoined.with(Serdes.Long(), TS_VALUE_SERDE, TS_VALUE_SERDE).withLoggingDisabled();
        if (!rocksDb)
        {
            final Duration retention = Duration.ofMillis(windows.size() + windows.gracePeriodMs());
            final Duration size = Duration.ofMillis(windows.size());
            joined = joined.withThisStoreSupplier(Stores.inMemoryWindowStore("j1-orders", retention, size, true))
                .withOtherStoreSupplier(Stores.inMemoryWindowStore("j1-payments", retention, size, true));
        }
        final KStream<Long, long[]> orders = builder.stream("orders", Consumed.with(Serdes.Long(), TS_VALUE_SERDE));
        final KStream<Long, long[]> payments = builder.stream("payments", Consumed.with(Serdes.Long(), TS_VALUE_SERDE));
        orders.join(payments, (order, payment) -> new long[] {order[0], payment[0], order[1], payment[1]}, windows, joined)
            .foreach((key, r) -> rows.add(key, r[0] - SHIFT_MS, r[1] - SHIFT_MS, r[2], r[3]));
    }

    /** Hopping windows with gaps (hop > size), which {@link TimeWindows} does not allow. */
    static final class GapWindows extends Windows<TimeWindow>
    {
        private final long size;
        private final long hop;
        private final long grace;

        GapWindows(final long size, final long hop, final long grace)
        {
            this.size = size;
            this.hop = hop;
            this.grace = grace;
        }

        @Override
        public Map<Long, TimeWindow> windowsFor(final long timestamp)
        {
            final long start = timestamp - Math.floorMod(timestamp, hop);
            return timestamp - start < size ? Map.of(start, new TimeWindow(start, start + size)) : Map.of();
        }

        @Override
        public long size()
        {
            return size;
        }

        @Override
        public long gracePeriodMs()
        {
            return grace;
        }
    }

    /** (count, sum) as 16 bytes. */
    private static final Serde<long[]> COUNT_SUM = pairSerde();
    /** (ts, value) as 16 bytes. */
    private static final Serde<long[]> TS_VALUE_SERDE = pairSerde();
    private static final Serializer<long[]> TS_VALUE = TS_VALUE_SERDE.serializer();

    private static Serde<long[]> pairSerde()
    {
        final Serializer<long[]> serializer = (topic, pair) ->
            pair == null ? null : ByteBuffer.allocate(16).putLong(pair[0]).putLong(pair[1]).array();
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
