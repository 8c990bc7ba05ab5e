package io.sluice.kafka;

import java.util.concurrent.locks.LockSupport;

/**
 * How a Kafka input's reader waits for room in a full ring (a paused or slow pipeline holds it back):
 * each wait parks twice as long as the one before, from {@value #FIRST_PARK_NANOS} up to
 * {@value #MAX_PARK_NANOS} ns, until a whole poll's records went in without waiting, so a reader that
 * the processing thread holds back refills the ring in runs instead of a few slots per wake-up.
 *
 * <p>Threading: the reader's thread only.
 */
final class HeldBackWait
{
    /** First wait for room in a full ring (the kernel's timer slack makes it ~50 us). */
    static final long FIRST_PARK_NANOS = 1_000;
    /**
     * Longest wait for room in a full ring. A full ring is {@code ringSize} events ahead of the processing thread
     * (8,192 by default: 14 ms at 575k events/s), so a wait this long leaves it far from empty, while a source held
     * back for long wakes ~4,000 times a second instead of ~20,000 (each wake-up a timed park's system calls, on the
     * cores the processing thread and the brokers share).
     */
    static final long MAX_PARK_NANOS = 256_000;

    private long park = FIRST_PARK_NANOS;
    private boolean waitedThisPoll;

    /** Parks once, the next wait twice as long (up to the longest). */
    void park()
    {
        waitedThisPoll = true;
        LockSupport.parkNanos(this, park);
        park = Math.min(MAX_PARK_NANOS, park << 1);
    }

    /** After a poll's records: if none of them waited, the reader is no longer held back. */
    void pollDone()
    {
        if (!waitedThisPoll)
        {
            park = FIRST_PARK_NANOS;
        }
        waitedThisPoll = false;
    }
}
