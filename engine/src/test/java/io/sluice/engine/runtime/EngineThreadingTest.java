package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

class EngineThreadingTest
{
    private static final Set<String> DUTY_THREADS =
        Set.of("sluice-duties", "sluice-io", "sluice-scheduler", "sluice-checkpoint", "sluice-segment-allocator", "sluice-group-commit");

    @TempDir
    Path dir;

    private static Pipeline volume()
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 50)
            .window(w -> w.tumbling(1_000).count("n"))
            .sink("text", new TestEvents.TextSink())
            .build();
    }

    /** Names of live duty threads started since {@code before} (other tests' engines may still be closing). */
    private static Set<String> dutyThreads(final Set<Thread> before)
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).filter(t -> !before.contains(t))
            .map(Thread::getName).filter(DUTY_THREADS::contains).collect(Collectors.toSet());
    }

    private void runWith(final ThreadingMode mode, final Set<String> expectedThreads) throws Exception
    {
        final EngineContext context = new EngineContext().directory(dir.resolve(mode.name())).partitions(2).ringSize(256)
            .groupCommit(true).checkpointIntervalMillis(50).threadingMode(mode).waitStrategy(WaitStrategyKind.SLEEP);
        final Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        try (Engine engine = Engine.launch(context, List.of(volume())))
        {
            assertThat(dutyThreads(before)).isEqualTo(expectedThreads);
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            for (int i = 0; i < 1_000; i++)
            {
                publisher.publish(TestEvents.trade(buffer, i % 10, 1, 1, i), 0);
            }
            final CheckpointManifest manifest = engine.checkpoint().get(120, TimeUnit.SECONDS);
            assertThat(manifest.partitions()).hasSize(2);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (engine.checkpoints().completed() < 3)
            {
                assertThat(System.nanoTime()).as("periodic checkpoints run in the scheduler duty").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!dutyThreads(before).isEmpty())
        {
            assertThat(System.nanoTime()).as("duty threads left after close: " + dutyThreads(before)).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldRunTheDiskDutiesOnOneThreadAndTheTimelyOnesOnAnotherWhenShared() throws Exception
    {
        runWith(ThreadingMode.SHARED, Set.of(Engine.SHARED_DUTIES_ROLE_NAME, Engine.SHARED_IO_DUTIES_ROLE_NAME));
    }

    @Test
    void shouldRunEachBackgroundDutyOnItsOwnThreadWhenDedicated() throws Exception
    {
        runWith(ThreadingMode.DEDICATED, Set.of("sluice-scheduler", "sluice-checkpoint", "sluice-segment-allocator", "sluice-group-commit"));
    }

    /** A duty that notes the threads it ran on and whether it was started and closed there. */
    private static final class RecordingDuty implements org.agrona.concurrent.Agent
    {
        final Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicLong cycles = new java.util.concurrent.atomic.AtomicLong();
        volatile String closedOn;

        @Override
        public int doWork()
        {
            threads.add(Thread.currentThread().getName());
            cycles.incrementAndGet();
            return 0;
        }

        @Override
        public void onClose()
        {
            // A slow onClose: a removal that returned before onClose ran (as the composite agent reports it
            // done) would be seen by the assertion after close() every time, not once in a while.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            closedOn = Thread.currentThread().getName();
        }

        @Override
        public String roleName()
        {
            return "test-duty";
        }
    }

    private void addAndRemoveDuty(final ThreadingMode mode, final String expectedThread) throws Exception
    {
        addAndRemoveDuty(mode, expectedThread, (engine, duty) -> engine.addDuty(duty, TimeUnit.MICROSECONDS.toNanos(100)));
    }

    private void addAndRemoveDuty(final ThreadingMode mode, final String expectedThread,
        final java.util.function.BiFunction<Engine, org.agrona.concurrent.Agent, EngineDuty> add) throws Exception
    {
        final EngineContext context = new EngineContext().directory(dir.resolve(mode.name())).partitions(1).ringSize(256)
            .checkpointIntervalMillis(0).threadingMode(mode).waitStrategy(WaitStrategyKind.SLEEP);
        final Engine engine = Engine.launch(context, List.of(volume()));
        try
        {
            final RecordingDuty first = new RecordingDuty();
            final RecordingDuty second = new RecordingDuty();
            final EngineDuty firstHandle = add.apply(engine, first);
            final EngineDuty secondHandle = add.apply(engine, second);
            assertThat(firstHandle.threadName()).isEqualTo(expectedThread);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (first.cycles.get() < 10 || second.cycles.get() < 10)
            {
                assertThat(System.nanoTime()).as("added duties run").isLessThan(deadline);
                Thread.sleep(1);
            }
            firstHandle.close();
            assertThat(first.closedOn).as("closed on its duty thread before close returns").isEqualTo(expectedThread);
            final long stopped = first.cycles.get();
            final long more = second.cycles.get() + 10;
            while (second.cycles.get() < more)
            {
                assertThat(System.nanoTime()).as("the other duty goes on").isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(first.cycles.get()).as("a removed duty runs no more").isEqualTo(stopped);
            assertThat(first.threads).containsExactly(expectedThread);
            assertThat(second.closedOn).isNull();
            engine.close();
            assertThat(second.closedOn).as("the engine's close stops the duties it still runs").isEqualTo(secondHandle.threadName());
            secondHandle.close(); // nothing left to do
            assertThatThrownBy(() -> add.apply(engine, new RecordingDuty())).isInstanceOf(EngineException.class)
                .hasMessageContaining("not running");
        }
        finally
        {
            engine.close();
        }
    }

    @Test
    void shouldRunAnAddedDutyOnTheSharedDutiesThreadUntilItsHandleCloses() throws Exception
    {
        addAndRemoveDuty(ThreadingMode.SHARED, Engine.SHARED_DUTIES_ROLE_NAME);
    }

    @Test
    void shouldRunAnAddedDutyOnItsOwnThreadWhenDedicated() throws Exception
    {
        addAndRemoveDuty(ThreadingMode.DEDICATED, "test-duty");
    }

    @Test
    void shouldRunAnAddedDutyOnTheFirstProcessingThreadUntilItsHandleCloses() throws Exception
    {
        addAndRemoveDuty(ThreadingMode.SHARED, ProcessingAgent.ROLE_NAME_PREFIX + 0, Engine::addProcessingDuty);
    }

    @Test
    void shouldRefuseADutyOnProcessingThreadsThatBlockWhenIdle() throws Exception
    {
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(256)
            .checkpointIntervalMillis(0).waitStrategy(WaitStrategyKind.BLOCK);
        try (Engine engine = Engine.launch(context, List.of(volume())))
        {
            final RecordingDuty duty = new RecordingDuty();
            assertThatThrownBy(() -> engine.addProcessingDuty(duty)).isInstanceOf(EngineException.class)
                .hasMessageContaining("test-duty").hasMessageContaining("wait_strategy: block");
            assertThat(duty.cycles.get()).isZero();
        }
    }

    @Test
    void shouldLetIdleDutiesSleepLongerWhileTheProcessingThreadsBusySpin() throws Exception
    {
        for (final WaitStrategyKind wait : new WaitStrategyKind[] {WaitStrategyKind.BUSY_SPIN, WaitStrategyKind.SLEEP})
        {
            final EngineContext context = new EngineContext().directory(dir.resolve(wait.name())).partitions(1).ringSize(256)
                .checkpointIntervalMillis(0).threadingMode(ThreadingMode.SHARED).waitStrategy(wait);
            try (Engine engine = Engine.launch(context, List.of(volume())))
            {
                // Busy-spinning processing threads do their journal's checksums and reservations themselves.
                assertThat(engine.sharedDutiesIdleCeilingNs()).as(wait.name())
                    .isEqualTo(wait == WaitStrategyKind.BUSY_SPIN ? Engine.BUSY_SPIN_DUTY_IDLE_NS : Engine.DUTY_IDLE_NS);
                engine.addDuty(new RecordingDuty(), TimeUnit.MICROSECONDS.toNanos(100));
                assertThat(engine.sharedDutiesIdleCeilingNs()).as("an added duty that must answer sooner lowers it")
                    .isEqualTo(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    @Test
    void shouldLowerTheSharedIdleCeilingToTheMostDemandingDuty()
    {
        final DutyIdleStrategy idle = new DutyIdleStrategy(1_000_000L);
        idle.lowerCeiling(100_000L);
        idle.lowerCeiling(500_000L);
        assertThat(idle.ceilingNs()).isEqualTo(100_000L);
        idle.lowerCeiling(0);
        assertThat(idle.ceilingNs()).as("at least the first park").isEqualTo(DutyIdleStrategy.MIN_PARK_NS);
    }

    @Test
    void shouldRefuseToConcludeAContextTwice()
    {
        final EngineContext context = new EngineContext().directory(dir);
        context.conclude();
        assertThatThrownBy(context::conclude).isInstanceOf(EngineException.class).hasMessageContaining("already concluded");
    }

    @Test
    void shouldTakeDefaultsFromSystemPropertiesNamedInConfiguration()
    {
        System.setProperty(EngineContext.Configuration.THREADING_MODE_PROP_NAME, "dedicated");
        try
        {
            assertThat(new EngineContext().directory(dir).conclude().threadingMode()).isEqualTo(ThreadingMode.DEDICATED);
        }
        finally
        {
            System.clearProperty(EngineContext.Configuration.THREADING_MODE_PROP_NAME);
        }
        assertThat(new EngineContext().partitions()).isEqualTo(EngineContext.Configuration.PARTITIONS_DEFAULT);
    }
}
