package io.sluice.kafka;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The back-off wait of a Kafka input's polling thread ({@link KafkaSource}, {@link KafkaGroupMember})
 * between attempts: parks rather than sleeps, since close() unparks and never interrupts (an interrupt
 * reaching the Kafka client's own close would be thrown from it).
 */
final class Backoff
{
    private Backoff()
    {
    }

    /**
     * Parks the calling thread for a back-off, as long as its input runs.
     *
     * @param running whether the input still runs; close() clears it and unparks the thread.
     * @param blocker for thread dumps.
     * @param millis  of the back-off.
     * @return whether the input still runs.
     */
    static boolean park(final BooleanSupplier running, final Object blocker, final long millis)
    {
        final long deadline = System.nanoTime() + millis * 1_000_000L;
        long left;
        while (running.getAsBoolean() && (left = deadline - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(blocker, left);
        }
        return running.getAsBoolean();
    }
}
