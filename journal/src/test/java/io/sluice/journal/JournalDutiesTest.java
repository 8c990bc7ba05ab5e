package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalDutiesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldStartNoThreadsWhenTheCallerRunsTheDutiesAndForceThroughThem() throws Exception
    {
        final JournalContext context = JournalTestSupport.smallContext(dir).groupCommit(true).externalDuties(true);
        final java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
        try (Journal journal = Journal.open(context))
        {
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> !before.contains(t)).noneMatch(
                t -> t.getName().startsWith("sluice-group-commit") || t.getName().startsWith("sluice-segment-allocator"));
            assertThat(journal.duties()).extracting(Agent::roleName).contains("sluice-group-commit", "sluice-segment-allocator");
            final Partition partition = journal.createTopic("t", 4).partition(0);
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
            final long offset = JournalTestSupport.append(partition.writer(), scratch, 1);
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (partition.durableOffset() <= offset)
            {
                assertThat(System.nanoTime()).as("group commit forces once its delay has passed").isLessThan(deadline);
                for (final Agent duty : journal.duties())
                {
                    duty.doWork();
                }
            }
        }
    }

    @Test
    void shouldNotAllocateInAGroupCommitDutyCycle() throws Exception
    {
        final JournalContext context = JournalTestSupport.smallContext(dir).groupCommit(true).externalDuties(true);
        try (Journal journal = Journal.open(context))
        {
            final Topic topic = journal.createTopic("t", 8);
            final Agent groupCommit = journal.duties().stream().filter(d -> d.roleName().equals("sluice-group-commit")).findFirst().orElseThrow();
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().getId();
            for (int i = 0; i < 20_000; i++)
            {
                groupCommit.doWork(); // warm up
            }
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++)
            {
                groupCommit.doWork();
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(topic.partitionCount()).isEqualTo(8);
            // Nothing per cycle: an iterator per cycle would be >= 2.4 MB here; a few bytes of JVM noise are tolerated.
            assertThat(allocated).as("bytes allocated by 100,000 idle duty cycles over 8 partitions").isLessThan(1024);
        }
    }
}
