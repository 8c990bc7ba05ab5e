package io.sluice.engine.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.errors.DistinctErrorLog;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * The duty cycle of one partition on a processing thread: takes at most {@code batchLimit} published
 * slots from the partition's ring per turn and runs each through its {@link PartitionProcessor}, so
 * that a hot partition cannot starve the partitions sharing its thread. Several of these run in turn
 * on one {@link ProcessingAgent}.
 *
 * <p>The ring is polled, never waited on: the thread idles (by its {@code IdleStrategy}) only when
 * none of its partitions has work. The partition's {@link #sequence()} gates the producers, as a
 * Disruptor event processor's does.
 *
 * <p>A partition that cannot go on never stops its thread-mates: paused, it takes nothing; DEGRADED
 * (its journal refused an append for want of space), it leaves the slot in the ring and tries again
 * after a back-off; FAILED (an error escaped the processor), it records the cause, shows FAILED and
 * takes nothing more, while the thread goes on with the others.
 *
 * <p>With a {@link TurnCpuListener} set, each turn that took slots reads the thread's CPU clock before its first
 * slot and after its end, and reports the difference and the slots taken; without one, no clock is read.
 *
 * <p>Threading: {@link #doWork()}, {@link #onStart()} and {@link #onClose()} on the processing thread
 * only (the partition's single writer); {@link #sequence()} and {@link #failed()} from any thread.
 */
final class PartitionAgent implements Agent
{
    private final RingBuffer<RingSlot> ring;
    private final PartitionProcessor processor;
    private final DistinctErrorLog errorLog;
    private final int batchLimit;
    /** Told each turn's CPU time, or null (the default): then {@link #threadCpu} is null and no clock is read. */
    private final TurnCpuListener turnCpuListener;
    private final ThreadMXBean threadCpu;
    /** Highest sequence done with: written by the processing thread only, read by producers (gating) and drain. */
    private final Sequence sequence = new Sequence();
    /** Set on the processing thread once an error escaped the processor; read by any thread. */
    private volatile boolean failed;

    /**
     * @param ring       of the partition.
     * @param processor  that journals and processes each slot.
     * @param errorLog   of the engine, for a failure that stops the partition.
     * @param batchLimit most slots taken per turn, at least 1.
     * @param turnCpuListener told each turn's CPU time and slots, or null for none.
     */
    PartitionAgent(final RingBuffer<RingSlot> ring, final PartitionProcessor processor, final DistinctErrorLog errorLog, final int batchLimit,
        final TurnCpuListener turnCpuListener)
    {
        this.ring = ring;
        this.processor = processor;
        this.errorLog = errorLog;
        this.batchLimit = batchLimit;
        this.turnCpuListener = turnCpuListener;
        this.threadCpu = turnCpuListener == null ? null : ManagementFactory.getThreadMXBean();
        ring.addGatingSequences(sequence);
    }

    @Override
    public void onStart()
    {
        processor.onStart();
    }

    @Override
    public int doWork()
    {
        if (failed || processor.holdIfPaused() || !processor.mayRetryAppend())
        {
            return 0;
        }
        final long next = sequence.get() + 1;
        // Volatile read of the claimed cursor: slots up to it are claimed, each published once available.
        final long claimed = ring.getCursor();
        if (claimed < next)
        {
            // Not counted as work, so the idle strategy goes on as before, unless the processor times the quiet before
            // it continues a firing itself: a yield or park then would stretch that wait by a turn of the run queue.
            return processor.onIdle() ? 1 : 0;
        }
        final long limit = Math.min(claimed, next + batchLimit - 1);
        long available = next - 1;
        while (available < limit && ring.isAvailable(available + 1))
        {
            available++;
        }
        long done = next - 1;
        final TurnCpuListener cpuListener = turnCpuListener;
        final long cpuBefore = cpuListener == null ? 0 : threadCpu.getCurrentThreadCpuTime();
        try
        {
            for (long s = next; s <= available; s++)
            {
                if (!processor.onSlot(s, s == available))
                {
                    break; // DEGRADED: the slot stays in the ring and is tried again after a back-off
                }
                done = s;
            }
        }
        catch (final Throwable ex)
        {
            fail(ex);
        }
        try
        {
            // Once per turn: every record the turn appended, and every output it gave a sink, is published before its
            // slots are freed.
            processor.endTurn();
        }
        catch (final RuntimeException ex)
        {
            // A staged journal writer's write failed (FATAL): nothing more is acknowledged, the partition stops.
            if (!failed)
            {
                fail(ex);
            }
        }
        if (cpuListener != null && done >= next)
        {
            // Before the slots are released, so that a drain that saw them done has seen their turn's report.
            cpuListener.onTurn(processor.partition(), (int)(done - next + 1), threadCpu.getCurrentThreadCpuTime() - cpuBefore);
        }
        // Ordered store: the producers may reuse the slots up to here, and drain sees them processed.
        sequence.set(done);
        if (done >= next && done < next + batchLimit - 1 && !failed)
        {
            // A turn short of its limit: the thread keeps up with its producers and has a moment now.
            processor.checksumAppended();
        }
        return (int)(done - next + 1);
    }

    private void fail(final Throwable ex)
    {
        errorLog.record(ex);
        processor.onFatal(ex);
        failed = true; // volatile: drain and close see the partition has stopped
    }

    @Override
    public void onClose()
    {
        processor.onShutdown();
    }

    @Override
    public String roleName()
    {
        return "sluice-partition-" + processor.topic() + "-" + processor.partition();
    }

    /**
     * The highest ring sequence this partition is done with: every slot at or below it is journaled
     * and processed.
     *
     * @return the sequence, -1 before the first.
     */
    Sequence sequence()
    {
        return sequence;
    }

    /**
     * Whether an error stopped this partition (it is FAILED and takes no more slots).
     *
     * @return true once failed.
     */
    boolean failed()
    {
        return failed;
    }
}
