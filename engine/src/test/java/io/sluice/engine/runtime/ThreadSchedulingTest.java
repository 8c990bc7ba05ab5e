package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import net.openhft.affinity.Affinity;

class ThreadSchedulingTest
{
    @Test
    void shouldMoveARunningThreadToSchedIdleAndBackAsProcShowsIt() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux");
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger tid = new AtomicInteger();
        final Thread other = new Thread(() ->
        {
            tid.set(Affinity.getThreadId());
            started.countDown();
            awaitQuietly(done);
        }, "scheduling-test-other");
        other.start();
        try
        {
            started.await();
            final ThreadScheduling.Setting before = ThreadScheduling.read(tid.get());
            assertThat(before.policy()).as("a new thread's policy").isEqualTo(ThreadScheduling.NORMAL);
            assertThat(ThreadScheduling.read(Affinity.getThreadId())).as("the caller, untouched").isEqualTo(before);

            assertThat(ThreadScheduling.idle(tid.get())).isNull();

            assertThat(ThreadScheduling.read(tid.get())).isEqualTo(new ThreadScheduling.Setting(ThreadScheduling.IDLE, before.nice()));
            assertThat(ThreadScheduling.read(tid.get()).policyName()).isEqualTo("SCHED_IDLE");
            assertThat(ThreadScheduling.read(Affinity.getThreadId()).policy()).as("only that thread").isEqualTo(ThreadScheduling.NORMAL);
            if (ThreadScheduling.mayRaise(before.nice()))
            {
                assertThat(ThreadScheduling.apply(tid.get(), before)).isNull();
                assertThat(ThreadScheduling.read(tid.get())).as("put back").isEqualTo(before);
            }
            else
            {
                assertThat(ThreadScheduling.apply(tid.get(), before)).as("refused without CAP_SYS_NICE").contains("EPERM");
            }
        }
        finally
        {
            done.countDown(); // only now may the other thread end: its /proc/self/task entry goes with it
            other.join();
        }
    }

    @Test
    void shouldSetTheNiceValueOfANormalThread() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux");
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger tid = new AtomicInteger();
        final Thread other = new Thread(() ->
        {
            tid.set(Affinity.getThreadId());
            started.countDown();
            awaitQuietly(done);
        }, "scheduling-test-nice");
        other.start();
        try
        {
            started.await();
            assertThat(ThreadScheduling.apply(tid.get(), new ThreadScheduling.Setting(ThreadScheduling.NORMAL, 19))).isNull();
            assertThat(ThreadScheduling.read(tid.get())).isEqualTo(new ThreadScheduling.Setting(ThreadScheduling.NORMAL, 19));
            assertThat(ThreadScheduling.apply(tid.get(), new ThreadScheduling.Setting(1, 0))).contains("not a time-sharing policy");
        }
        finally
        {
            done.countDown();
            other.join();
        }
    }

    @Test
    void shouldSayWhyWhenTheThreadHasEnded() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux");
        final AtomicInteger tid = new AtomicInteger();
        final Thread ended = new Thread(() -> tid.set(Affinity.getThreadId()), "scheduling-test-ended");
        ended.start();
        ended.join();
        assumeTrue(!Files.exists(Path.of("/proc/self/task/" + tid.get())), "the tid not reused yet");

        assertThat(ThreadScheduling.idle(tid.get())).contains("ESRCH");
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
