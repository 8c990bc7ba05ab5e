package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

class LowLatencyProfileTest
{
    @TempDir
    Path dir;

    private static BitSet cpus(final String list)
    {
        return CoreBudget.parseCpuList(list);
    }

    @Test
    void shouldBusySpinPinnedWhenEveryThreadHasAFreeCore()
    {
        final CoreBudget budget = new CoreBudget(8, cpus("4-7"), cpus("0-3"), true, true, 1.0);
        final LowLatencyPlan plan = LowLatencyPlan.decide(4, budget, 100_000);
        assertThat(plan.honoured()).isTrue();
        assertThat(plan.waitStrategy()).isEqualTo(WaitStrategyKind.BUSY_SPIN);
        assertThat(plan.pin()).isTrue();
        assertThat(plan.line()).startsWith("profile low-latency: 4 processing threads busy-spin, each pinned to its own core of cpus 4-7 (isolated)")
            .contains("background duties on low-priority threads on cpu 0-3").contains("100,000 synthetic events").doesNotContain("\n");
    }

    @Test
    void shouldSayInOneLineWhenTheMachineCannotHonourTheProfileAndYieldInstead()
    {
        final CoreBudget budget = new CoreBudget(2, cpus("1"), cpus("0"), false, true, 17.5);
        final LowLatencyPlan plan = LowLatencyPlan.decide(4, budget, 0);
        assertThat(plan.honoured()).isFalse();
        assertThat(plan.waitStrategy()).isEqualTo(WaitStrategyKind.YIELD);
        assertThat(plan.pin()).isFalse();
        assertThat(plan.line())
            .startsWith("profile low-latency NOT honoured: 4 processing threads to spin, 1 free core (2 cpus, pinnable 1, none isolated)")
            .contains("instead: 4 processing threads yield").contains("load average 17.5 on 2 cpus: latencies include waiting for a CPU")
            .doesNotContain("\n");
    }

    @Test
    void shouldSpinUnpinnedWhenCoresSufficeButAffinityIsUnavailable()
    {
        final CoreBudget budget = new CoreBudget(4, cpus("1-3"), cpus("0"), false, false, -1);
        final LowLatencyPlan plan = LowLatencyPlan.decide(2, budget, 0);
        assertThat(plan.honoured()).isFalse();
        assertThat(plan.waitStrategy()).isEqualTo(WaitStrategyKind.BUSY_SPIN);
        assertThat(plan.pin()).isFalse();
        assertThat(plan.line()).contains("no affinity support").contains("busy-spin unpinned").doesNotContain("load average");
    }

    @Test
    void shouldParseAndFormatKernelCpuLists()
    {
        assertThat(CoreBudget.cpuList(cpus("2-5,8"))).isEqualTo("2-5,8");
        assertThat(CoreBudget.cpuList(cpus(" 0 \n"))).isEqualTo("0");
        assertThat(CoreBudget.cpuList(cpus(""))).isEqualTo("none");
        assertThat(cpus("1,3-4").cardinality()).isEqualTo(3);
    }

    @Test
    void shouldWarmUpOnAScratchCopyWithoutJournalingOrEmittingAnything() throws Exception
    {
        final AtomicLong filterCalls = new AtomicLong();
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 0)
            .filter("count calls", e ->
            {
                filterCalls.incrementAndGet();
                return true;
            })
            .window(w -> w.tumbling(100).count("n"))
            .sink("text", sink)
            .build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(256).checkpoints(false)
            .profile(EngineProfile.LOW_LATENCY).warmUpEvents(20_000);
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            assertThat(engine.profileReport()).startsWith("profile low-latency").doesNotContain("\n")
                .contains(engine.context().journalWritesStaged() ? "journal writes staged" : "journal writes mapped");
            assertThat(engine.context().threadingMode()).isEqualTo(ThreadingMode.SHARED);
            assertThat(engine.context().waitStrategy()).isIn(WaitStrategyKind.BUSY_SPIN, WaitStrategyKind.YIELD);
            // Its events, then the windows it closes for the window's one period (4 events each), then its shorter passes
            // on fresh copies.
            assertThat(filterCalls.get()).as("the warm-up ran the pipeline's code")
                .isEqualTo(EngineWarmUp.eventsPerGroup(20_000, EngineWarmUp.LIVE_WINDOW_CLOSES, 1))
                .isGreaterThan(20_000 + EngineWarmUp.LIVE_WINDOW_CLOSES * 4L);
            assertThat(sink.lines()).as("warm-up outputs are discarded").isEmpty();
            assertThat(engine.journal().topic("trades").partition(0).endOffset()).as("nothing journaled by the warm-up").isZero();
            for (final PipelineInstance instance : engine.instances("volume"))
            {
                assertThat(instance.eventsIn()).isZero();
                assertThat(instance.stateEntries()).as("the live instance's state is untouched").isZero();
            }

            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            for (int i = 0; i < 300; i++)
            {
                publisher.publish(TestEvents.trade(buffer, i % 3, 1, 1, i), 0);
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(120, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.journal().topic("trades").partition(0).endOffset()).isEqualTo(301); // 300 events + end of input
        }
        // 3 windows of 100 ms x 3 keys, sequence numbers from 0: the warm-up consumed none of them.
        assertThat(sink.lines()).hasSize(9);
        assertThat(sink.lines().get(0)).startsWith("0 0 ");
    }

    @Test
    void shouldWarmTheBarrierCodeWithoutTakingOrRecordingACheckpoint() throws Exception
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE).name("volume").partitionKey("account").eventTime("ts", 0)
            .window(w -> w.tumbling(100).count("n")).sink("text", sink).build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(256).checkpoints(true)
            .checkpointIntervalMillis(0).profile(EngineProfile.LOW_LATENCY).warmUpEvents(5_000);
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            // The warm-up drove thousands of barriers through a scratch snapshotter: every copy was released
            // unwritten (else the staging buffers would have run out and the launch hung), none was recorded.
            assertThat(org.agrona.concurrent.errors.ErrorLogReader.read(engine.errorLog().buffer(), (count, first, last, text) -> { }))
                .as("no error in the warm-up").isZero();
            assertThat(engine.checkpoints().pauseHistogram().getTotalCount()).as("warm-up barriers are not checkpoint pauses").isZero();
            assertThat(engine.checkpoints().completed()).isZero();

            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            for (int i = 0; i < 300; i++)
            {
                publisher.publish(TestEvents.trade(buffer, i % 3, 1, 1, i), 0);
            }
            assertThat(engine.checkpoint().get(120, TimeUnit.SECONDS).partitions()).hasSize(1);
            assertThat(engine.checkpoints().pauseHistogram().getTotalCount()).isEqualTo(1);
            assertThat(engine.checkpoints().completed()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotWarmUpOrChangeSettingsUnderTheStandardProfile()
    {
        final AtomicLong filterCalls = new AtomicLong();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE).name("p").partitionKey("account").eventTime("ts", 0)
            .filter("count calls", e -> filterCalls.incrementAndGet() > 0).sink("text", new TestEvents.TextSink()).build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(256).checkpoints(false)
            .waitStrategy(WaitStrategyKind.SLEEP);
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            assertThat(engine.profileReport()).isNull();
            assertThat(engine.context().waitStrategy()).isEqualTo(WaitStrategyKind.SLEEP);
            assertThat(filterCalls.get()).isZero();
        }
    }

    @Test
    void shouldKeepTheMappedJournalWriterUnderTheLowLatencyProfileUnlessAskedForStagedWrites()
    {
        assumeTrue(System.getProperty(EngineContext.Configuration.JOURNAL_STAGED_WRITES_PROP_NAME) == null,
            "the defaults, without -Dsluice.journal.staged.writes");
        assertThat(new EngineContext().profile(EngineProfile.LOW_LATENCY).journalWritesStaged()).isFalse();
        assertThat(new EngineContext().profile(EngineProfile.STANDARD).journalWritesStaged()).isTrue();
        assertThat(new EngineContext().profile(EngineProfile.LOW_LATENCY).journalStagedWrites(true).journalWritesStaged()).isTrue();
        assertThat(new EngineContext().profile(EngineProfile.STANDARD).journalStagedWrites(false).journalWritesStaged()).isFalse();
        // With a latency listener a run is still written as one, then its events are timed one by one: staged too.
        assertThat(new EngineContext().profile(EngineProfile.STANDARD).latencyListener((partition, ingest, done) ->
        {
        }).journalWritesStaged()).isTrue();
    }
}
