package io.sluice.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.config.ConfigException;
import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * Alert suppression ({@code suppress:}) on a sliding-window burst detector: without it one burst
 * raises an alert in every window that holds it; with a cooldown it raises one; on change, one per
 * distinct result. Its state survives a snapshot and restore exactly.
 */
class SuppressionTest
{
    private static final String PIPELINE = String.join("\n",
        "schemas:",
        "  trade: {account: LONG, amount: DOUBLE, qty: LONG, ts: TIMESTAMP}",
        "pipelines:",
        "  - name: burst",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    window: {kind: sliding, size: 60s, hop: 5s}",
        "    aggregates: [{n: count}]",
        "    having: n >= 10",
        "%s",
        "    sink: alerts",
        "");

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
    private final StageErrorHandler errors = (pipeline, stage, policy, event, key, ts, error) ->
    {
        throw new AssertionError(stage + ": " + error);
    };

    private Pipeline pipeline(final String suppress, final TestEvents.TextSink sink)
    {
        final String yaml = String.format(PIPELINE, suppress.isEmpty() ? "" : "    suppress: " + suppress);
        return PipelineConfig.parse(yaml, "burst.yaml").build(d -> sink).get(0);
    }

    private void feed(final PipelineInstance instance, final long account, final long ts)
    {
        TestEvents.trade(buffer, account, 1.0, 1, ts);
        instance.onEvent(buffer, 0, account, ts);
    }

    /** Two bursts of 12 charges one second apart on account 1, three minutes apart, and quiet traffic. */
    private void bursts(final PipelineInstance instance)
    {
        for (int burst = 0; burst < 2; burst++)
        {
            final long start = 100_000 + burst * 180_000L;
            for (int i = 0; i < 12; i++)
            {
                feed(instance, 1, start + i * 1_000L);
                if (i % 6 == 0)
                {
                    feed(instance, 2, start + i * 1_000L + 500);
                }
            }
        }
        instance.onEndOfInput();
    }

    @Test
    void shouldRaiseOneAlertPerBurstWithACooldownInsteadOfOnePerSlidingWindow()
    {
        final TestEvents.TextSink plain = new TestEvents.TextSink();
        bursts(PipelineInstance.create(pipeline("", plain), 0, errors));
        // Every window [s, s + 60 s) with s in [50 s, 100 s] holds at least 10 of a burst's 12 charges.
        assertThat(plain.lines()).hasSize(2 * 11);

        final TestEvents.TextSink cooled = new TestEvents.TextSink();
        final PipelineInstance cooledInstance = PipelineInstance.create(pipeline("{cooldown: 60s}", cooled), 0, errors);
        bursts(cooledInstance);
        assertThat(cooled.lines()).containsExactly(
            "0 0 1 109999 key=1 window_start=50000 window_end=110000 flags=1 n=10",
            "0 1 1 289999 key=1 window_start=230000 window_end=290000 flags=1 n=10");
        assertThat(cooledInstance.suppressedOutputs()).isEqualTo(2 * 10);

        final TestEvents.TextSink changed = new TestEvents.TextSink();
        bursts(PipelineInstance.create(pipeline("on_change", changed), 0, errors));
        // n goes 10, 12 (then 12 nine more times: no change) for each burst.
        assertThat(changed.lines()).containsExactly(
            "0 0 1 109999 key=1 window_start=50000 window_end=110000 flags=1 n=10",
            "0 1 1 114999 key=1 window_start=55000 window_end=115000 flags=1 n=12",
            "0 2 1 289999 key=1 window_start=230000 window_end=290000 flags=1 n=10",
            "0 3 1 294999 key=1 window_start=235000 window_end=295000 flags=1 n=12");
    }

    @Test
    void shouldRestoreSuppressionStateFromASnapshotExactly()
    {
        for (final String mode : new String[] {"{cooldown: 90s}", "on_change"})
        {
            final long seed = System.nanoTime();
            final long[][] events = events(new Random(seed), 40_000);

            final TestEvents.TextSink whole = new TestEvents.TextSink();
            final PipelineInstance uninterrupted = PipelineInstance.create(pipeline(mode, whole), 0, errors);
            for (final long[] e : events)
            {
                feed(uninterrupted, e[0], e[1]);
            }
            uninterrupted.onEndOfInput();

            final TestEvents.TextSink first = new TestEvents.TextSink();
            final PipelineInstance before = PipelineInstance.create(pipeline(mode, first), 0, errors);
            for (int i = 0; i < events.length / 2; i++)
            {
                feed(before, events[i][0], events[i][1]);
            }
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[before.snapshotLength()]);
            final int length = before.snapshotTo(snapshot, 0);

            final TestEvents.TextSink second = new TestEvents.TextSink();
            final PipelineInstance after = PipelineInstance.create(pipeline(mode, second), 0, errors);
            assertThat(after.restoreFrom(snapshot, 0)).isEqualTo(length);
            for (int i = events.length / 2; i < events.length; i++)
            {
                feed(after, events[i][0], events[i][1]);
            }
            after.onEndOfInput();

            final List<String> resumed = new ArrayList<>(first.lines());
            resumed.addAll(second.lines());
            assertThat(resumed).as("%s, seed %d", mode, seed).isEqualTo(whole.lines());
            assertThat(uninterrupted.suppressedOutputs()).as("%s, seed %d", mode, seed).isPositive();
            assertThat(whole.lines()).as("%s, seed %d", mode, seed).hasSizeGreaterThan(20);
        }
    }

    /** Background traffic on 200 accounts, with bursts of 10 to 15 charges on random accounts. */
    private static long[][] events(final Random random, final int count)
    {
        final long[][] events = new long[count][];
        long ts = 0;
        int i = 0;
        while (i < count)
        {
            ts += random.nextInt(40);
            if (random.nextInt(2_000) == 0)
            {
                final long account = random.nextInt(200);
                for (int b = 10 + random.nextInt(6); b > 0 && i < count; b--)
                {
                    events[i++] = new long[] {account, ts};
                    ts += random.nextInt(40);
                }
            }
            else
            {
                events[i++] = new long[] {random.nextInt(200), ts};
            }
        }
        return events;
    }

    @Test
    void shouldSuppressAcrossARestartOfTheEngineAsWithoutIt(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        for (final boolean cooldown : new boolean[] {true, false})
        {
            final TestEvents.TextSink uninterrupted = new TestEvents.TextSink();
            try (io.sluice.engine.runtime.Engine engine = io.sluice.engine.runtime.Engine.launch(
                context(dir.resolve("whole-" + cooldown)).checkpoints(false), List.of(engineBursts(uninterrupted, cooldown))))
            {
                publish(engine, 0, 30_000);
                engine.endOfInput("trades");
            }

            final TestEvents.TextSink before = new TestEvents.TextSink();
            try (io.sluice.engine.runtime.Engine engine = io.sluice.engine.runtime.Engine.launch(
                context(dir.resolve("restarted-" + cooldown)), List.of(engineBursts(before, cooldown))))
            {
                publish(engine, 0, 15_000);
            }
            // Closed without an end of input: the final checkpoint holds the suppression state of the first half.
            final TestEvents.TextSink after = new TestEvents.TextSink();
            try (io.sluice.engine.runtime.Engine engine = io.sluice.engine.runtime.Engine.launch(
                context(dir.resolve("restarted-" + cooldown)), List.of(engineBursts(after, cooldown))))
            {
                assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("loaded checkpoint"));
                publish(engine, 15_000, 30_000);
                engine.endOfInput("trades");
            }
            final java.util.TreeSet<String> resumed = new java.util.TreeSet<>(before.lines());
            resumed.addAll(after.lines());
            assertThat(after.lines()).as("cooldown %s", cooldown).isNotEmpty();
            assertThat(resumed).as("cooldown %s", cooldown).isEqualTo(new java.util.TreeSet<>(uninterrupted.lines()));
            assertThat(resumed).hasSize(uninterrupted.lines().size());
        }
    }

    private static Pipeline engineBursts(final TestEvents.TextSink sink, final boolean cooldown)
    {
        final Pipeline.Builder builder = Pipeline.from("trades", TestEvents.TRADE).name("bursts").partitionKey("account")
            .eventTime("ts", 100)
            .window(w -> w.sliding(2_000, 250).count("n").max("max_qty", "qty"));
        final int n = builder.schema().field("n").index();
        builder.filter("n >= 4", r -> r.getLong(n) >= 4);
        return (cooldown ? builder.suppressCooldown(1_500, 64) : builder.suppressOnChange(64)).sink("text", sink).build();
    }

    private static io.sluice.engine.runtime.EngineContext context(final java.nio.file.Path data)
    {
        return new io.sluice.engine.runtime.EngineContext().directory(data).partitions(3).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024);
    }

    private static void publish(final io.sluice.engine.runtime.Engine engine, final int from, final int to)
    {
        final io.sluice.engine.runtime.EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer event = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = from; i < to; i++)
        {
            final Random random = new Random(i);
            publisher.publish(TestEvents.trade(event, random.nextInt(100), 1.0, 1 + random.nextInt(3), i * 3L + random.nextInt(90)), 0);
        }
    }

    @Test
    void shouldRefuseAnUnknownSuppressionNamingIt()
    {
        assertThatThrownBy(() -> pipeline("sometimes", new TestEvents.TextSink()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("pipelines[0].suppress: 'sometimes' is not a suppression: write 'suppress: on_change' or 'suppress: {cooldown: 30s}'");
        assertThatThrownBy(() -> pipeline("{cooldown: 0s}", new TestEvents.TextSink()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0].suppress.cooldown: must be greater than zero");
        assertThatThrownBy(() -> pipeline("{every: 5s}", new TestEvents.TextSink()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'every'");
    }
}
