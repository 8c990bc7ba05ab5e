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
        try (WaitingThread other = WaitingThread.start("scheduling-test-other"))
        {
            final AtomicInteger tid = other.tid;
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
    }

    @Test
    void shouldSetTheNiceValueOfANormalThread() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux");
        try (WaitingThread other = WaitingThread.start("scheduling-test-nice"))
        {
            final AtomicInteger tid = other.tid;
            assertThat(ThreadScheduling.apply(tid.get(), new ThreadScheduling.Setting(ThreadScheduling.NORMAL, 19))).isNull();
            assertThat(ThreadScheduling.read(tid.get())).isEqualTo(new ThreadScheduling.Setting(ThreadScheduling.NORMAL, 19));
            assertThat(ThreadScheduling.apply(tid.get(), new ThreadScheduling.Setting(1, 0))).contains("not a time-sharing policy");
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

    /** A thread that waits until closed, so that its /proc/self/task entry stays while a test reads and sets it. */
    private static final class WaitingThread implements AutoCloseable
    {
        final AtomicInteger tid = new AtomicInteger();
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;

        private WaitingThread(final String name)
        {
            thread = new Thread(() ->
            {
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
        }

        static WaitingThread start(final String name) throws InterruptedException
        {
            final WaitingThread waiting = new WaitingThread(name);
            waiting.thread.start();
            waiting.started.await();
            return waiting;
        }

        @Override
        public void close()
        {
            done.countDown(); // only now may the thread end: its /proc/self/task entry goes with it
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
