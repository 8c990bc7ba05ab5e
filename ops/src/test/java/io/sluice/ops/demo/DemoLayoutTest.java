package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.WaitStrategyKind;

class DemoLayoutTest
{
    private static CoreBudget budget(final int cpus, final String pinnable, final double load)
    {
        return new CoreBudget(cpus, CoreBudget.parseCpuList(pinnable), CoreBudget.parseCpuList("0"), false, true, load);
    }

    @Test
    void shouldTakeTheLowLatencyProfileWhenEveryProcessingThreadHasAFreeCore()
    {
        final DemoLayout layout = DemoLayout.choose(3, 7, null, null, budget(8, "1-7", 1.0));
        assertThat(layout.lowLatency()).isTrue();
        assertThat(layout.partitions()).isEqualTo(2);
        assertThat(layout.waitStrategy()).isEqualTo(WaitStrategyKind.BUSY_SPIN);
        assertThat(layout.lines()).hasSize(1);
        assertThat(layout.lines().get(0)).startsWith("layout: low-latency profile: 2 partitions x 3 topic groups on 6 processing threads")
            .contains("pinned to a free core of cpus 1-7", "the load generator's sender spinning on the free core left, alone; the reporter, " +
                "the engine's background duties and the JVM's own threads on cpu 0", "8 cpus, 7 free");
        assertThat(layout.senderOwnCore()).as("6 spinning threads, 7 free cores").isTrue();
    }

    @Test
    void shouldTakeTheLowLatencyProfileOnTwoCoresWhenTheEngineRunsEveryGroupOnOneThread()
    {
        final DemoLayout layout = DemoLayout.choose(3, 1, null, null, budget(2, "1", 0.4));

        assertThat(layout.lowLatency()).isTrue();
        assertThat(layout.partitions()).isEqualTo(1);
        assertThat(layout.waitStrategy()).isEqualTo(WaitStrategyKind.BUSY_SPIN);
        assertThat(layout.cpus()).isEqualTo(2);
        assertThat(layout.lines()).containsExactly("layout: low-latency profile: 1 partition x 3 topic groups on 1 processing thread, " +
            "busy-spinning pinned to cpu 1; the load generator's sender spinning on cpu 0 beside the reporter, " +
            "the engine's background duties and the JVM's own threads, all at normal priority; this machine has 2 cpus, 1 free " +
            "for a spinning thread (all but the first, not isolated)");
        assertThat(layout.senderOwnCore()).isFalse();
        assertThat(layout.loadLine(0.9)).isEqualTo("  load         average 0.4 at the start, 0.9 at the end, on 2 cpus: within the cpus");
        assertThat(layout.loadLine(2.5)).as("a load that rose during the run")
            .isEqualTo("  load         average 0.4 at the start, 2.5 at the end, on 2 cpus: above the cpus, so the latencies above " +
                "include waiting for a CPU");
        assertThat(layout.loadLine(-1)).as("unknown").isNull();
    }

    @Test
    void shouldGiveTheSenderNoCoreOfItsOwnWhenTheProcessingThreadsTakeEveryFreeCore()
    {
        // 4 cpus: 3 free, 3 groups at one partition each on 3 processing threads.
        final DemoLayout layout = DemoLayout.choose(3, 3, null, null, budget(4, "1-3", 0.3));

        assertThat(layout.lowLatency()).isTrue();
        assertThat(layout.senderOwnCore()).isFalse();
        assertThat(layout.lines().get(0)).contains("on 3 processing threads, each busy-spinning pinned to a free core of cpus 1-3;",
            "sender spinning on cpu 0 beside the reporter", "the JVM's own threads, all at normal priority");
    }

    @Test
    void shouldTakeTheFewestThreadsAndSayWhyWhenTheCoresAreTooFewAndWarnAboutTheLoad()
    {
        // Four processing threads wanted, one free core.
        final DemoLayout layout = DemoLayout.choose(3, 4, null, null, budget(2, "1", 17.2));
        assertThat(layout.lowLatency()).isFalse();
        assertThat(layout.partitions()).isEqualTo(1);
        assertThat(layout.waitStrategy()).isEqualTo(WaitStrategyKind.SLEEP);
        assertThat(layout.lines().get(0)).startsWith("layout: fewest threads: 1 partition x 3 topic groups on 3 processing threads,")
            .contains("needs a free core for each of its 3 processing threads and a cpu besides for the sender, this machine has 2 cpus, 1 free");
        assertThat(layout.lines().get(1))
            .isEqualTo("warning: load average 17.2 exceeds the 2 cpus: latencies below include waiting for a CPU");
    }

    @Test
    void shouldTakeTheFewestThreadsOnOneCpu()
    {
        final DemoLayout layout = DemoLayout.choose(3, 1, null, null,
            new CoreBudget(1, CoreBudget.parseCpuList(""), CoreBudget.parseCpuList("0"), false, true, 0.2));
        assertThat(layout.lowLatency()).isFalse();
        assertThat(layout.waitStrategy()).isEqualTo(WaitStrategyKind.SLEEP);
        assertThat(layout.lines()).hasSize(1);
        assertThat(layout.lines().get(0)).startsWith("layout: fewest threads: 1 partition x 3 topic groups on 1 processing thread,")
            .contains("this machine has 1 cpus, 0 free");
    }

    @Test
    void shouldKeepWhatTheCommandLineAskedFor()
    {
        final DemoLayout layout = DemoLayout.choose(3, 7, 4, null, budget(8, "1-7", 0.5));
        assertThat(layout.lowLatency()).isFalse();
        assertThat(layout.partitions()).isEqualTo(4);
        assertThat(layout.waitStrategy()).isEqualTo(WaitStrategyKind.SLEEP);
        assertThat(layout.lines()).containsExactly(
            "layout: as asked: 4 partitions x 3 topic groups on 7 processing threads, wait strategy sleep; this machine has 8 cpus, " +
            "7 free for a spinning thread (all but the first, not isolated)");
    }
}
