package io.sluice.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The benchmark's own loading and reading of a topic, failing with a message that says where it stopped instead of
 * waiting out a long deadline: a produce whose records did not all arrive (a send's failure reported only to its
 * callback: before, the input's sends had none, so a lost batch showed only as a read_committed consume that never
 * reached its count), and a read that stalls (no record for {@link #STALL_SECONDS}), named with the consumer's
 * positions against the partitions' last stable offsets (what read_committed may read) and high watermarks (what was
 * written).
 */
final class TopicLoad
{
    /** A read that received no record for this long has stalled (the broker answers a fetch within a second). */
    static final long STALL_SECONDS = 120;

    private TopicLoad()
    {
    }

    /** The callback of every send of a load: counts the failures and keeps the first. Any thread (the producer's I/O thread). */
    static final class Sends implements Callback
    {
        private final AtomicLong failed = new AtomicLong();
        private final AtomicReference<Exception> first = new AtomicReference<>();

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception)
        {
            if (exception != null)
            {
                failed.incrementAndGet();
                first.compareAndSet(null, exception);
            }
        }

        /**
         * Throws if a send failed; call after the producer's flush.
         *
         * @param what the load, for the message.
         */
        void check(final String what)
        {
            if (first.get() != null)
            {
                throw new IllegalStateException(what + ": " + failed.get() + " sends failed, the first with " + first.get(), first.get());
            }
        }
    }

    /**
     * What a read received.
     *
     * @param records    received.
     * @param firstNanos when the first came (System.nanoTime), 0 if none.
     */
    record Read(long records, long firstNanos)
    {
    }

    /**
     * Polls an assigned consumer until it has received {@code records}.
     *
     * @param consumer  assigned and positioned.
     * @param records   to receive.
     * @param bootstrap of the broker, for the message of a stall.
     * @param what      the read, for the message of a stall.
     * @return what it received.
     * @throws IllegalStateException if no record came for {@link #STALL_SECONDS}, naming where each partition stands.
     */
    static Read until(final KafkaConsumer<byte[], byte[]> consumer, final long records, final String bootstrap, final String what)
    {
        return until(consumer, records, bootstrap, what, STALL_SECONDS);
    }

    /** {@link #until(KafkaConsumer, long, String, String)} with a stall of {@code stallSeconds}. */
    static Read until(
        final KafkaConsumer<byte[], byte[]> consumer, final long records, final String bootstrap, final String what, final long stallSeconds)
    {
        long consumed = 0;
        long first = 0;
        long lastProgress = System.nanoTime();
        while (consumed < records)
        {
            final int n = consumer.poll(Duration.ofMillis(20)).count();
            final long now = System.nanoTime();
            if (n > 0)
            {
                first = first == 0 ? now : first;
                consumed += n;
                lastProgress = now;
            }
            else if (now - lastProgress > TimeUnit.SECONDS.toNanos(stallSeconds))
            {
                throw new IllegalStateException(what + ": read " + consumed + " of " + records + " records, none for " + stallSeconds +
                    " s; " + where(consumer, bootstrap));
            }
        }
        return new Read(consumed, first);
    }

    /**
     * Per partition: the consumer's position, the last stable offset (read_committed reads up to it: an open
     * transaction holds it back) and the high watermark (what was written).
     */
    static String where(final KafkaConsumer<byte[], byte[]> consumer, final String bootstrap)
    {
        final List<TopicPartition> tps = new ArrayList<>(consumer.assignment());
        final Map<TopicPartition, Long> stable = consumer.endOffsets(tps, Duration.ofSeconds(30));
        final Map<TopicPartition, Long> written;
        try (KafkaConsumer<byte[], byte[]> uncommitted = highWatermarks(bootstrap))
        {
            written = uncommitted.endOffsets(tps, Duration.ofSeconds(30));
        }
        final StringBuilder text = new StringBuilder();
        for (final TopicPartition tp : tps)
        {
            text.append(text.length() == 0 ? "" : ", ").append(tp).append(" position ").append(consumer.position(tp, Duration.ofSeconds(30)))
                .append(" last stable offset ").append(stable.get(tp)).append(" high watermark ").append(written.get(tp));
        }
        return text.toString();
    }

    /**
     * The records a topic holds, by its partitions' high watermarks (the benchmark's topics are written from offset 0
     * by plain producers: one record per offset).
     */
    static long written(final String bootstrap, final String topic, final int partitions)
    {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = highWatermarks(bootstrap))
        {
            return consumer.endOffsets(tps, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A read_uncommitted consumer without a group, for end offsets: the high watermarks. */
    private static KafkaConsumer<byte[], byte[]> highWatermarks(final String bootstrap)
    {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }
}
