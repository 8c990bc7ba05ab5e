package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import net.openhft.affinity.Affinity;

class SpinningThreadsCpuTest
{
    private static final long DEADLINE_NS = TimeUnit.MINUTES.toNanos(2);

    @Test
    void shouldReportTheSpinningThreadsTimeOnTheirCpuAndKeepAnEndedThreadsLastFigures() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/self/schedstat")), "Linux with scheduler statistics");
        final AtomicBoolean stop = new AtomicBoolean();
        final Set<Integer> tids = ConcurrentHashMap.newKeySet();
        final Thread processing = spinner("sluice-processing-0", stop, tids);
        final Thread sender = spinner("sluice-loadgen-sender", stop, tids);
        final SpinningThreadsCpu cpu = SpinningThreadsCpu.ofThisJvm();
        try
        {
            processing.start();
            sender.start();
            // Their comm is set once they run: start the interval once both are seen, then mark until both ran in it.
            final long deadline = System.nanoTime() + DEADLINE_NS;
            // Found once (as the demo does on the sender's thread before its first event), started from the open files with
            // a step between two reads.
            while (cpu.find() < 2)
            {
                assertThat(System.nanoTime()).as("both spinners seen within the deadline").isLessThan(deadline);
                Thread.yield();
            }
            final int[] betweenReads = {0};
            cpu.start(() -> betweenReads[0]++);
            assertThat(cpu.threads()).isEqualTo(2);
            assertThat(betweenReads[0]).as("one step between the two threads' reads").isEqualTo(1);
            do
            {
                assertThat(System.nanoTime()).as("both spinners ran within the deadline").isLessThan(deadline);
                Thread.yield();
                cpu.mark();
            }
            while (cpu.ranNanos(SpinningThreadsCpu.PROCESSING_COMM) == 0 || cpu.ranNanos(SpinningThreadsCpu.SENDER_COMM) == 0);
            stop.set(true);
            sender.join();
            processing.join();
            for (final int tid : tids)
            {
                while (Files.exists(Path.of("/proc/self/task/" + tid)))
                {
                    assertThat(System.nanoTime()).as("thread %d gone within the deadline", tid).isLessThan(deadline);
                    Thread.yield();
                }
            }
            cpu.mark(); // both have ended: still reported, with their figures as of the last mark they were alive for
            assertThat(cpu.ranNanos(SpinningThreadsCpu.PROCESSING_COMM)).isPositive();
            assertThat(cpu.ranNanos(SpinningThreadsCpu.SENDER_COMM)).isPositive();
            assertThat(cpu.line()).contains("processing thread ran ").contains("sender ran ").contains(" for its cpu, taken off it ");
        }
        finally
        {
            stop.set(true);
            processing.join();
            sender.join();
        }
    }

    @Test
    void shouldSayNothingBeforeStartOrWithoutItsThreads()
    {
        final SpinningThreadsCpu cpu = SpinningThreadsCpu.ofThisJvm();
        cpu.mark();
        assertThat(cpu.line()).isNull();
        cpu.start(); // no thread of those names in this JVM
        assertThat(cpu.line()).isNull();
    }

    @Test
    void shouldParseSchedstatAndNameWhatIsWrong()
    {
        assertThat(SpinningThreadsCpu.parseSchedstat("9876543210 1234 56\n")).containsExactly(9_876_543_210L, 1234L, 56L);
        assertThatThrownBy(() -> SpinningThreadsCpu.parseSchedstat("12 34"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'12 34'");
    }

    private static Thread spinner(final String name, final AtomicBoolean stop, final Set<Integer> tids)
    {
        return new Thread(() ->
        {
            tids.add(Affinity.getThreadId());
            while (!stop.get())
            {
                Thread.onSpinWait();
            }
        }, name);
    }
}
