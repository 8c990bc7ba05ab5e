package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import net.openhft.affinity.Affinity;

import io.sluice.engine.runtime.CoreBudget;

class ProcessAffinityTest
{
    @Test
    void shouldMoveEveryOtherThreadOntoTheCpusAndPutThemBack() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")) && Runtime.getRuntime().availableProcessors() >= 2,
            "Linux with 2 cpus or more");
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger tid = new AtomicInteger();
        final Thread other = new Thread(() ->
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
        }, "affinity-test-other");
        other.start();
        started.await();
        final String before = allowed(tid.get());
        final String mine = allowed(Affinity.getThreadId());
        final BitSet cpu0 = new BitSet();
        cpu0.set(0);

        final ProcessAffinity moved = ProcessAffinity.moveOtherThreads(cpu0);
        try
        {
            assertThat(moved.failure()).isNull();
            assertThat(allowed(tid.get())).isEqualTo("0");
            assertThat(allowed(Affinity.getThreadId())).as("the caller keeps its cpus").isEqualTo(mine);
        }
        finally
        {
            moved.restore();
        }
        try
        {
            assertThat(allowed(tid.get())).as("put back").isEqualTo(before);
        }
        finally
        {
            done.countDown(); // only now may the other thread end: its /proc/self/task entry goes with it
            other.join();
        }
    }

    private static String allowed(final int tid) throws Exception
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status")))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return CoreBudget.cpuList(CoreBudget.parseCpuList(line.substring("Cpus_allowed_list:".length()).trim()));
            }
        }
        throw new AssertionError("no Cpus_allowed_list for " + tid);
    }
}
