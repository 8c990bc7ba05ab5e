package io.sluice.peers;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When a Kafka benchmark pipeline processed its first input record and its last: the first stage of each
 * pipeline calls {@link #onRecord} with the record's key, and the input ends with one end marker per partition
 * ({@link KafkaBench#endMarker}, a negative key), so the last record processed is the last end marker seen.
 * The time from it to the last result visible is the run's tail: the final windows' firing and, exactly once,
 * the commit that makes them visible.
 *
 * <p>Threading: {@link #onRecord} from any processing thread (a compare per record, a clock read only for the
 * first record and the markers); the times are read from any thread.
 */
final class InputClock
{
    private final AtomicLong first = new AtomicLong();
    private final AtomicLong lastMarker = new AtomicLong();

    /**
     * Notes one input record.
     *
     * @param key of the record: negative for an end marker.
     */
    void onRecord(final long key)
    {
        if (first.get() == 0)
        {
            first.compareAndSet(0, System.nanoTime());
        }
        if (key < 0)
        {
            lastMarker.accumulateAndGet(System.nanoTime(), Math::max);
        }
    }

    /**
     * When the first record was processed ({@link System#nanoTime()}).
     *
     * @return the time, or 0 before it.
     */
    long firstNanos()
    {
        return first.get();
    }

    /**
     * When the last end marker seen was processed ({@link System#nanoTime()}): once every partition's marker was,
     * when the last input record was.
     *
     * @return the time, or 0 before the first marker.
     */
    long lastMarkerNanos()
    {
        return lastMarker.get();
    }
}
