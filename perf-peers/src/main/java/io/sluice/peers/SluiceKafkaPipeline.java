package io.sluice.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.kafka.KafkaSink;
import io.sluice.kafka.KafkaSinkContext;
import io.sluice.kafka.KafkaSource;
import io.sluice.kafka.KafkaSourceContext;
import io.sluice.kafka.SinkMode;
import io.sluice.kafka.ValueFormat;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Sluice between two Kafka topics, as docs/kafka.md wires it: {@link KafkaSink} opened first (exactly once:
 * transactional producer per partition, committed when the checkpoint covering its outputs completes; at least
 * once: idempotent producer), the engine launched (journal on, one partition per Kafka partition, SLEEP unless told,
 * checkpoints every {@code checkpointMillis}), then {@link KafkaSource} (BINARY values, event time from the ts
 * field, bound 500 ms). The pipeline is W1's tumbling 6 s count+sum with a first stage that notes the first
 * record and the end markers ({@link InputClock}).
 */
final class SluiceKafkaPipeline implements KafkaPipeline
{
    private final KafkaSink sink;
    private final Engine engine;
    private final KafkaSource source;
    private final Path directory;
    private final InputClock clock;
    private final KafkaLatencyTrace trace;
    private boolean closed;

    private SluiceKafkaPipeline(
        final KafkaSink sink, final Engine engine, final KafkaSource source, final Path directory, final InputClock clock,
        final KafkaLatencyTrace trace)
    {
        this.trace = trace;
        this.sink = sink;
        this.engine = engine;
        this.source = source;
        this.directory = directory;
        this.clock = clock;
    }

    private static Pipeline pipeline(final InputClock clock, final EventSink sink, final KafkaLatencyTrace trace)
    {
        return Pipeline.from("orders", SluicePeer.ORDER).name("w1").partitionKey("key").eventTime("ts", Workload.BOUND_MS)
            .filter("clock", e ->
            {
                clock.onRecord(e.getLong(0));
                if (trace != null)
                {
                    trace.onInput(e.getLong(0), e.getLong(2));
                }
                return true;
            })
            .window(w -> w.tumbling(Query.W1.size).count("n").sum("total", "value").expectedEntries(2 * Workload.KEYS))
            .sink("kafka", sink).build();
    }

    /**
     * Pipelines of one sink mode.
     *
     * @param mode             of the Kafka sink.
     * @param partitions       of the engine (= of the topics).
     * @param checkpointMillis between checkpoints (exactly once: how often outputs are committed).
     * @param scratch          for the engines' directories.
     * @param tuning           Kafka client settings for the sink's producers and the source's consumer.
     * @param wait             how the processing threads wait for events (the broker shares the cores: YIELD gives the
     *                         core away but keeps taking CPU while idle, SLEEP parks after a short spin).
     * @param consumers        of the source ({@link KafkaSourceContext#consumers(int)}: 0 for one per partition).
     * @param commitSpacingMs  exactly once: {@link KafkaSinkContext#minCommitSpacingMillis}, held while the source has input
     *                         waiting ({@link KafkaSource#inputWaiting}); -1 for the sink's default.
     * @param outputHeader     whether the sink's records carry the {@code sluice.output} header ({@link KafkaSinkContext#outputHeader}).
     * @return the factory.
     */
    static Factory factory(
        final SinkMode mode, final int partitions, final long checkpointMillis, final Path scratch, final KafkaTuning tuning,
        final WaitStrategyKind wait, final int consumers, final long commitSpacingMs, final boolean outputHeader)
    {
        final Schema output = pipeline(new InputClock(), (partition, sequence, key, timestamp, event) -> { }, null).outputSchema();
        final EventFlyweight result = new EventFlyweight(output);
        final UnsafeBuffer resultBuffer = new UnsafeBuffer(new byte[0]);
        return new Factory()
        {
            @Override
            public void decode(final ConsumerRecord<byte[], byte[]> record, final Rows rows)
            {
                resultBuffer.wrap(record.value());
                result.wrap(resultBuffer, 0);
                // key, window_start, window_end, flags, n, total
                rows.add(result.getLong(0), result.getLong(1), result.getLong(2), result.getLong(4), result.getLong(5));
            }

            @Override
            public boolean ownsThread(final String threadName, final String run)
            {
                // The engine's threads (sluice-processing-<p>, sluice-io, sluice-kafka-source-<topic>, the sink's
                // sluice-kafka-commit-<prefix>...) and the sink's producers' network threads (client id <prefix>-<p>).
                return threadName.startsWith("sluice-") || threadName.contains("sluice.bench." + run);
            }

            @Override
            public String name()
            {
                return "Sluice p=" + partitions + " " + (mode == SinkMode.EXACTLY_ONCE ? "exactly_once" : "at_least_once") +
                    " (checkpoint every " + checkpointMillis + " ms" + (wait == WaitStrategyKind.SLEEP ? "" : ", " + wait.configName()) +
                    (consumers == 0 ? "" : ", " + consumers + " source consumer" + (consumers == 1 ? "" : "s")) +
                    (commitSpacingMs < 0 ? "" : ", commits >= " + commitSpacingMs + " ms apart") + (outputHeader ? "" : ", no output header") + ")";
            }

            @Override
            public KafkaPipeline start(final String bootstrap, final String input, final String output, final String run) throws Exception
            {
                return start(bootstrap, input, output, run, false);
            }

            @Override
            public KafkaPipeline start(final String bootstrap, final String input, final String output, final String run, final boolean traced)
                throws Exception
            {
                final Path dir = Files.createTempDirectory(scratch, "sluice-kafka-");
                final KafkaSinkContext sinkContext = new KafkaSinkContext().bootstrapServers(bootstrap).topic(output)
                    .transactionalIdPrefix("sluice.bench." + run).partitions(partitions).mode(mode).format(ValueFormat.BINARY)
                    .timeoutMillis(120_000).clientProperties(tuning.producer()).outputHeader(outputHeader);
                final KafkaSink sink = KafkaSink.open(commitSpacingMs < 0 ? sinkContext : sinkContext.minCommitSpacingMillis(commitSpacingMs));
                final InputClock clock = new InputClock();
                final KafkaLatencyTrace trace = traced ? new KafkaLatencyTrace(partitions, Query.W1.size, Workload.BOUND_MS) : null;
                final Pipeline pipeline = pipeline(clock, trace == null ? sink : trace.wrap(sink), trace);
                final Engine engine = Engine.launch(new EngineContext().directory(dir).partitions(partitions)
                    .waitStrategy(wait).maxEventLength(64).checkpointIntervalMillis(checkpointMillis)
                    .restoreCheckpointAtMost(sink.restoreCheckpointAtMost()), List.of(pipeline));
                engine.addCheckpointListener(sink);
                if (trace == null)
                {
                    sink.checkpointTrigger(engine::checkpoint);
                }
                else
                {
                    engine.addCheckpointListener(trace);
                    trace.sample(sink);
                    sink.checkpointTrigger(() ->
                    {
                        trace.asked();
                        engine.checkpoint();
                    });
                }
                final KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(bootstrap).topic(input)
                    .groupId("sluice.bench." + run).sluiceTopic("orders").format(ValueFormat.BINARY)
                    .consumers(consumers).clientProperties(tuning.consumer()));
                sink.inputWaiting(source::inputWaiting); // the spacing, if any, holds only while input waits
                return new SluiceKafkaPipeline(sink, engine, source, dir, clock, trace);
            }
        };
    }

    @Override
    public long firstRecordNanos()
    {
        if (source.state() == KafkaSource.State.FAILED)
        {
            throw new IllegalStateException("Sluice Kafka source failed: " + source.lastError());
        }
        return clock.firstNanos();
    }

    @Override
    public long lastRecordNanos()
    {
        return clock.lastMarkerNanos();
    }

    @Override
    public long[] outputs()
    {
        long sent = 0;
        long committed = 0;
        for (int p = 0; p < engine.partitionCount(); p++)
        {
            sent += sink.sent(p);
            committed += sink.committedNext(p);
        }
        return new long[] {sent, sink.context().mode() == SinkMode.EXACTLY_ONCE ? committed : -1};
    }

    @Override
    public boolean assigned(final int inputPartitions)
    {
        firstRecordNanos(); // fails fast if the source failed
        // The source assigns every partition of the topic itself, then seeks, then turns RUNNING.
        return source.state() == KafkaSource.State.RUNNING;
    }

    @Override
    public String diagnostics()
    {
        long commits = 0;
        long sent = 0;
        long commitNanos = 0;
        long handedOver = 0;
        long skipped = 0;
        long flushNanos = 0;
        long offsetsNanos = 0;
        long endNanos = 0;
        long retries = 0;
        long held = 0;
        for (int p = 0; p < engine.partitionCount(); p++)
        {
            held += sink.commitsHeldBySpacing(p);
            commits += sink.commits(p);
            skipped += sink.skippedCommits(p);
            sent += sink.sent(p);
            commitNanos += sink.commitNanos(p);
            handedOver += sink.handedOver(p);
            flushNanos += sink.commitFlushNanos(p);
            offsetsNanos += sink.commitOffsetsNanos(p);
            endNanos += sink.commitEndNanos(p);
            retries += sink.producerRetries(p);
        }
        final StringBuilder problems = new StringBuilder();
        for (int p = 0; p < engine.partitionCount(); p++)
        {
            if (sink.hangingTransactions(p) > 0 || sink.lastRefusal(p) != null || sink.lastAbort(p) != null)
            {
                problems.append(", partition ").append(p).append(": hanging transactions ").append(sink.hangingTransactions(p))
                    .append(", last refusal ").append(sink.lastRefusal(p)).append(", last abort ").append(sink.lastAbort(p));
            }
        }
        final long failed = engine.checkpoints().failed();
        return "checkpoints completed " + engine.checkpoints().completed() + " (" + sink.checkpointsAsked() + " asked by the sink)" +
            (failed == 0 ? "" : ", " + failed + " failed") + ", transactions committed " + commits + " (" + skipped +
            " skipped: nothing new" + (held == 0 ? "" : ", " + held + " held by the spacing") + "), records sent " + sent +
            (commits == 0 ? "" : String.format(", %.1f ms per commit (flush %.1f, offsets %.1f, end %.1f), %d outputs handed over during a commit",
                commitNanos / 1e6 / commits, flushNanos / 1e6 / commits, offsetsNanos / 1e6 / commits, endNanos / 1e6 / commits, handedOver)) +
            ", producer batches retried " + retries + problems + (source.lastError() == null ? "" : ", source: " + source.lastError());
    }

    @Override
    public String stopAndTrace(final Rows rows, final long[] arrivalMillis, final long lastEnd)
    {
        close();
        return trace == null ? "" : trace.report(rows, arrivalMillis, lastEnd);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return; // a traced latency run closes it before reading the trace
        }
        closed = true;
        try
        {
            source.close();
            engine.close();
            sink.close();
            if (trace != null)
            {
                trace.stop();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            SluicePeer.deleteRecursively(directory);
        }
    }
}
