package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import net.openhft.affinity.Affinity;

import io.sluice.engine.runtime.ThreadScheduling;

class SenderPriorityTest
{
    @Test
    void shouldLowerTheLongRunningThreadsOnTheSendersCpusButNotTheEnginesOrThosePinnedElsewhereAndPutThemBack() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")) && Runtime.getRuntime().availableProcessors() >= 2,
            "Linux with 2 cpus or more");
        assumeTrue(ThreadScheduling.mayRaise(0), "CAP_SYS_NICE: this test JVM's threads must be put back afterwards");
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(3);
        final AtomicInteger besideTid = new AtomicInteger();
        final AtomicInteger engineTid = new AtomicInteger();
        final AtomicInteger pinnedTid = new AtomicInteger();
        final BitSet cpu0 = cpus(0);
        final BitSet cpu1 = cpus(1);
        // Named as the dashboard's threads (lowered) and as the engine's (kept: the processing thread may wait for them).
        final Thread beside = parked("sluice-dashboard-test", besideTid, cpu0, started, done);
        final Thread engine = parked("sluice-io-test", engineTid, cpu0, started, done);
        final Thread pinned = parked("priority-test-pinned", pinnedTid, cpu1, started, done);
        final AtomicReference<SenderPriority> result = new AtomicReference<>();
        final AtomicReference<ThreadScheduling.Setting> senderSetting = new AtomicReference<>();
        final AtomicReference<ThreadScheduling.Setting> besideLowered = new AtomicReference<>();
        started.await();
        final int reporterTid = Affinity.getThreadId();
        final ThreadScheduling.Setting reporterBefore = ThreadScheduling.read(reporterTid);
        final Thread sender = new Thread(() ->
        {
            Affinity.setAffinity(cpu0);
            result.set(SenderPriority.lowerOthers(false));
            try
            {
                senderSetting.set(ThreadScheduling.read(Affinity.getThreadId()));
                besideLowered.set(ThreadScheduling.read(besideTid.get()));
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }, "priority-test-sender");
        try
        {
            sender.start();
            sender.join();
            final SenderPriority priority = result.get();
            try
            {
                assertThat(priority.line()).startsWith("priorities: the sender at normal priority on cpu 0; ")
                    .contains("moved to SCHED_IDLE (", "1 dashboard", "1 pinned elsewhere (processing)");
                assertThat(senderSetting.get().policy()).as("the sender").isEqualTo(ThreadScheduling.NORMAL);
                assertThat(besideLowered.get().policy()).as("a dashboard thread beside it").isEqualTo(ThreadScheduling.IDLE);
                assertThat(ThreadScheduling.read(engineTid.get()).policy()).as("an engine thread").isEqualTo(ThreadScheduling.NORMAL);
                assertThat(ThreadScheduling.read(reporterTid).policy()).as("the reporter").isEqualTo(ThreadScheduling.NORMAL);
                assertThat(ThreadScheduling.read(pinnedTid.get()).policy()).as("pinned elsewhere").isEqualTo(ThreadScheduling.NORMAL);
                assertThat(priority.line()).as("service threads of this JVM").contains(" JVM service");
            }
            finally
            {
                priority.restore();
            }
            assertThat(ThreadScheduling.read(reporterTid)).as("untouched").isEqualTo(reporterBefore);
            assertThat(ThreadScheduling.read(besideTid.get()).policy()).as("put back").isEqualTo(ThreadScheduling.NORMAL);
        }
        finally
        {
            done.countDown();
            beside.join();
            engine.join();
            pinned.join();
        }
    }

    @Test
    void shouldLowerNothingAndWarnWhenTheThreadsCouldNotBePutBackInAJvmThatOutlivesTheDemo() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux");
        assumeTrue(!ThreadScheduling.mayRaise(0), "without CAP_SYS_NICE (root has it)");
        final AtomicReference<SenderPriority> result = new AtomicReference<>();
        final Thread sender = new Thread(() -> result.set(SenderPriority.lowerOthers(false)), "priority-test-sender");
        sender.start();
        sender.join();

        assertThat(result.get().loweredCount()).isZero();
        assertThat(result.get().line()).startsWith("warning: the sender shares cpu ").contains("could not raise them back");
        assertThat(ThreadScheduling.read(Affinity.getThreadId()).policy()).isEqualTo(ThreadScheduling.NORMAL);
    }

    private static Thread parked(final String name, final AtomicInteger tid, final BitSet cpus, final CountDownLatch started,
        final CountDownLatch done)
    {
        final Thread thread = new Thread(() ->
        {
            Affinity.setAffinity(cpus);
            tid.set(Affinity.getThreadId());
            started.countDown();
            try
            {
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.start();
        return thread;
    }

    private static BitSet cpus(final int cpu)
    {
        final BitSet cpus = new BitSet();
        cpus.set(cpu);
        return cpus;
    }
}
