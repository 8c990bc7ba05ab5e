package io.sluice.engine.runtime;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How a processing thread waits when none of its partitions has an event ({@link #newIdleStrategy()}).
 * On a machine with fewer cores than busy threads (such as a 2-core box running a producer and two
 * processing threads), BUSY_SPIN starves the others and YIELD only helps when the scheduler has
 * something else to run; SLEEP is the default because it costs little CPU when idle and reacts within
 * tens of microseconds. {@link #newWaitStrategy()} gives the same behaviour as a Disruptor wait strategy,
 * for code that consumes a ring with a Disruptor event processor (the raw hand-off baselines in perf).
 */
public enum WaitStrategyKind
{
    /** Spin on the sequence: lowest latency, one full core per partition thread. */
    BUSY_SPIN,
    /** Thread.yield() while idle: low latency, gives the core to others that are runnable. */
    YIELD,
    /** Spin, yield, then park for up to 50 us: low CPU when idle (the default). */
    SLEEP,
    /** Lock and condition, woken by the producers: lowest CPU, highest wake-up latency. */
    BLOCK;

    /** Spins before yielding, and yields before parking, in {@link #SLEEP}. */
    static final int SLEEP_SPINS = 100;
    /** Longest park of an idle thread in {@link #SLEEP}, in nanoseconds. */
    static final long SLEEP_MAX_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    /**
     * The name as a configuration spells it ({@code wait_strategy: busy_spin}), for lines people read.
     *
     * @return the name in lower case.
     */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A new idle strategy of this kind, for one processing thread.
     *
     * @return the idle strategy ({@link BlockingIdleStrategy} for BLOCK, woken by the rings it serves).
     */
    public IdleStrategy newIdleStrategy()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            case BLOCK:
                return new BlockingIdleStrategy();
            default:
                return new BackoffIdleStrategy(SLEEP_SPINS, SLEEP_SPINS, TimeUnit.MICROSECONDS.toNanos(1), SLEEP_MAX_PARK_NANOS);
        }
    }

    /**
     * A new Disruptor wait strategy of this kind, for a ring consumed by a Disruptor event processor.
     *
     * @return the wait strategy.
     */
    public WaitStrategy newWaitStrategy()
    {
        switch (this)
        {
            case BUSY_SPIN:
                return new BusySpinWaitStrategy();
            case YIELD:
                return new YieldingWaitStrategy();
            case BLOCK:
                return new BlockingWaitStrategy();
            default:
                return new SleepingWaitStrategy(200, TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
