package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How a partition thread waits for the next event. On a machine with fewer cores than busy threads
 * (such as a 2-core box running 4 partitions), BUSY_SPIN and YIELD starve each other; SLEEP is the
 * default because it costs little CPU when idle and reacts within tens of microseconds.
 */
public enum WaitStrategyKind
{
    /** Spin on the sequence: lowest latency, one full core per partition thread. */
    BUSY_SPIN,
    /** Spin then Thread.yield(): low latency, gives the core to others that are runnable. */
    YIELD,
    /** Spin, yield, then park for short periods: low CPU when idle (the default). */
    SLEEP,
    /** Lock and condition: lowest CPU, highest wake-up latency. */
    BLOCK;

    /**
     * A new Disruptor wait strategy of this kind.
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
