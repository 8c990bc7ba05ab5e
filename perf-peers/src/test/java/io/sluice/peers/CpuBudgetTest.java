package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CpuSnapshot} and {@link CpuBudget} against a thread that burns a known amount of its own CPU clock: conditions
 * on CPU clocks, which a loaded machine stretches in wall time but never shortens.
 */
class CpuBudgetTest
{
    private static final long BURN_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void shouldChargeTheBurnToThePipelineAndAddUpToTheWallTimeOfTheCpus() throws Exception
    {
        final CountDownLatch burnt = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong burntNanos = new AtomicLong();
        final Thread burner = new Thread(() ->
        {
            final long start = THREADS.getCurrentThreadCpuTime();
            long sink = 0;
            while (THREADS.getCurrentThreadCpuTime() - start < BURN_NANOS)
            {
                for (int i = 0; i < 10_000; i++)
                {
                    sink += i * 31L ^ sink;
                }
            }
            burntNanos.set(THREADS.getCurrentThreadCpuTime() - start + (sink == 42 ? 1 : 0));
            burnt.countDown();
            try
            {
                release.await(); // alive until the second snapshot: an ended thread is not seen by name
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "budget-test-pipeline");
        final CpuSnapshot before = CpuSnapshot.take();
        burner.start();
        burnt.await();
        final CpuSnapshot after = CpuSnapshot.take();
        release.countDown();
        burner.join();

        final CpuBudget budget = before.until(after, name -> name.startsWith("budget-test-"), name -> name.equals("main"));
        assertThat(budget.pipelineByThread()).containsOnlyKeys("budget-test-pipeline");
        // Its CPU before the first snapshot (none: not started) and after the burn (a parked thread's) are ~0.
        assertThat(budget.pipeline()).isBetween(burntNanos.get(), burntNanos.get() + TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(budget.gc()).isNotNegative();
        assertThat(budget.jit()).isNotNegative();

        final double[] parts = budget.perRecord(1, budget.wallNanos());
        double sum = 0;
        for (final double part : parts)
        {
            sum += part;
        }
        // /proc/stat's 10 ms ticks, per cpu and at both ends, and the snapshots' own reading time are the slack.
        final int cpus = Runtime.getRuntime().availableProcessors();
        final double capacity = (double)budget.wallNanos() * cpus;
        assertThat(sum).as("parts %s over %d ns x %d cpus", CpuBudget.describe(parts), budget.wallNanos(), cpus)
            .isCloseTo(capacity, org.assertj.core.data.Offset.offset(0.05 * capacity + cpus * 2 * 10_000_000.0));
        assertThat(CpuBudget.describe(parts)).startsWith("pipeline's threads ").contains(", idle ");
    }
}
