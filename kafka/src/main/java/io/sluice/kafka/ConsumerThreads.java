package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The stop, join and close steps shared by the readers that own a Kafka consumer on a thread of their own
 * ({@link KafkaSourceReader}, {@link OwnedPartitionReader}).
 */
final class ConsumerThreads
{
    /** Longest wait for a reader's thread to end. */
    static final long JOIN_MILLIS = 30_000;
    /** Longest wait for a consumer's close (its leave-group and in-flight fetches). */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private ConsumerThreads()
    {
    }

    /**
     * Wakes a reader that its running flag now tells to stop: out of a consumer's poll and out of a park.
     *
     * @param consumer of the reader, or {@code null} before it was made.
     * @param thread   of the reader.
     */
    static void wakeUp(final KafkaConsumer<ByteBuffer, ByteBuffer> consumer, final Thread thread)
    {
        if (consumer != null)
        {
            consumer.wakeup();
        }
        LockSupport.unpark(thread);
    }

    /** Waits for a reader's thread to end, up to {@value #JOIN_MILLIS} ms (not when called from that thread). */
    static void join(final Thread thread)
    {
        if (thread.isAlive() && thread != Thread.currentThread())
        {
            try
            {
                thread.join(JOIN_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Closes a reader's consumer, reporting a failure instead of throwing it.
     *
     * @param consumer to close, or {@code null} if it was never made.
     * @param what     names the consumer in the report, e.g. "the consumer of topic 'orders'".
     * @param onError  receives "closing {what}: {error}".
     */
    static void close(final KafkaConsumer<ByteBuffer, ByteBuffer> consumer, final String what, final Consumer<String> onError)
    {
        try
        {
            if (consumer != null)
            {
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            }
        }
        catch (final RuntimeException ex)
        {
            onError.accept("closing " + what + ": " + ex);
        }
    }
}
