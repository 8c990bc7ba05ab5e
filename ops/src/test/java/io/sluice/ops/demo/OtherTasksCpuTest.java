package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class OtherTasksCpuTest
{
    private static final long DEADLINE_NS = TimeUnit.MINUTES.toNanos(2);

    @Test
    void shouldNameAnotherProcessThatRanAndCountThisJvmsThreadsApart() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/self/schedstat")), "Linux with scheduler statistics");
        // A real busy process, started before the interval: its comm is that of the shell.
        final Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try
        {
            final Path schedstat = Path.of("/proc/" + busy.pid() + "/schedstat");
            final OtherTasksCpu cpu = OtherTasksCpu.ofThisMachine();
            cpu.start();
            final long before = ranNanos(schedstat);
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (ranNanos(schedstat) - before < TimeUnit.MILLISECONDS.toNanos(20))
            {
                assertThat(System.nanoTime()).as("the busy process ran within the deadline").isLessThan(deadline);
                Thread.yield();
            }
            final long ranBeforeFinish = ranNanos(schedstat) - before;
            final String thisThread = Files.readString(Path.of("/proc/thread-self/comm")).strip();
            cpu.finish();
            assertThat(cpu.ownThreadsByName().get(thisThread)).as("this thread's cpu time, named by its comm").isPositive();
            assertThat(cpu.otherProcessesByName().get("sh")).as("the shell's cpu time").isGreaterThanOrEqualTo(ranBeforeFinish);
            assertThat(cpu.line()).startsWith("  others       cpu time of the other tasks on this machine over the ")
                .containsPattern("other processes and kernel threads \\d+\\.\\d ms/s \\(most: [^)]+\\d ms/s\\); this JVM's other threads \\d+\\.\\d ms/s \\(most: [^)]+\\d ms/s\\)$");
        }
        finally
        {
            busy.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldSayNothingUntilBothEndsAreRead()
    {
        final OtherTasksCpu cpu = OtherTasksCpu.ofThisMachine();
        cpu.finish();
        assertThat(cpu.line()).isNull();
        cpu.start();
        assertThat(cpu.line()).isNull();
    }

    @Test
    void shouldGroupAKernelWorkerByItselfNotByTheQueueItServesNow()
    {
        assertThat(OtherTasksCpu.taskName("kworker/1:2-mm_percpu_wq")).isEqualTo("kworker/1:2");
        assertThat(OtherTasksCpu.taskName("kworker/u8:3-kvfree_rcu_reclaim")).isEqualTo("kworker/u8:3");
        assertThat(OtherTasksCpu.taskName("kworker/0:1H")).isEqualTo("kworker/0:1H");
        assertThat(OtherTasksCpu.taskName("kafka-producer-")).isEqualTo("kafka-producer-");
    }

    private static long ranNanos(final Path schedstat) throws Exception
    {
        return SpinningThreadsCpu.parseSchedstat(Files.readString(schedstat))[0];
    }
}
