package io.sluice.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

class PipelineInstanceTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
    private final List<String> errors = new ArrayList<>();
    private final StageErrorHandler errorHandler = (pipeline, stage, policy, event, key, ts, error) ->
        errors.add(pipeline + "|" + stage + "|" + policy + "|" + error.getMessage());

    @Test
    void shouldFilterWindowAndSinkWithResultSchema()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 0)
            .filter("qty > 0", e -> e.getLong(2) > 0)
            .window(w -> w.tumbling(10).count("n").sum("notional", "amount").max("max_qty", "qty"))
            .sink("text", sink)
            .build();
        final PipelineInstance instance = PipelineInstance.create(pipeline, 0, errorHandler);
        feed(instance, 1, 10.0, 5, 1);
        feed(instance, 1, 20.0, 0, 2);   // filtered out
        feed(instance, 1, 30.0, 7, 9);
        feed(instance, 2, 1.5, 1, 9);
        feed(instance, 1, 5.0, 2, 10);   // watermark 9: window [0,10) fires
        instance.onEndOfInput();
        assertThat(pipeline.outputSchema().describeLayout()).contains("window_start").contains("notional");
        assertThat(sink.lines()).containsExactly(
            "0 0 1 9 key=1 window_start=0 window_end=10 flags=1 n=2 notional=40.0 max_qty=7",
            "0 1 2 9 key=2 window_start=0 window_end=10 flags=1 n=1 notional=1.5 max_qty=1",
            "0 2 1 19 key=1 window_start=10 window_end=20 flags=1 n=1 notional=5.0 max_qty=2");
        assertThat(instance.outputs()).isEqualTo(3);
        assertThat(instance.eventsIn()).isEqualTo(5);
    }

    @Test
    void shouldSkipAndCountFailingEventsUnderSkipPolicy()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final PipelineInstance instance = PipelineInstance.create(Pipeline.from("trades", TestEvents.TRADE)
            .name("skipper").partitionKey("account").eventTime("ts", 0)
            .onError(ErrorPolicy.SKIP)
            .filter("explodes on qty 13", e ->
            {
                if (e.getLong(2) == 13)
                {
                    throw new IllegalStateException("unlucky");
                }
                return true;
            })
            .sink("text", sink).build(), 0, errorHandler);
        feed(instance, 1, 1, 1, 1);
        feed(instance, 1, 1, 13, 2);
        feed(instance, 1, 1, 2, 3);
        assertThat(sink.lines()).hasSize(2);
        assertThat(instance.errors()).isEqualTo(1);
        assertThat(instance.state()).isEqualTo(PipelineInstance.RUNNING);
        assertThat(errors).containsExactly("skipper|filter explodes on qty 13|SKIP|unlucky");
    }

    @Test
    void shouldHaltVisiblyUnderHaltPolicy()
    {
        final PipelineInstance instance = PipelineInstance.create(Pipeline.from("trades", TestEvents.TRADE)
            .name("strict").partitionKey("account").eventTime("ts", 0)
            .onError(ErrorPolicy.HALT)
            .map(TestEvents.TRADE, (in, out) ->
            {
                if (in.getDouble(1) < 0)
                {
                    throw new IllegalArgumentException("negative amount");
                }
                out.copyFrom(in);
                return true;
            })
            .sink("text", new TestEvents.TextSink()).build(), 3, errorHandler);
        feed(instance, 1, 1, 1, 1);
        assertThatThrownBy(() -> feed(instance, 1, -1, 1, 2))
            .isInstanceOf(PipelineHaltedException.class)
            .hasMessageContaining("strict").hasMessageContaining("partition 3").hasMessageContaining("negative amount");
        assertThat(instance.state()).isEqualTo(PipelineInstance.HALTED);
        assertThatThrownBy(() -> feed(instance, 1, 1, 1, 3)).isInstanceOf(PipelineHaltedException.class);
        assertThat(instance.errors()).isEqualTo(1);
    }

    @Test
    void shouldReportDeclarationMistakesWhenBuilding()
    {
        assertThatThrownBy(() -> Pipeline.from("t", TestEvents.TRADE).partitionKey("account").eventTime("ts", 0).build())
            .hasMessageContaining("has no sink");
        assertThatThrownBy(() -> Pipeline.from("t", TestEvents.TRADE).eventTime("ts", 0).sink("s", new TestEvents.TextSink()).build())
            .hasMessageContaining("no partition key");
        assertThatThrownBy(() -> Pipeline.from("t", TestEvents.TRADE).eventTime("amount", 0))
            .hasMessageContaining("must be TIMESTAMP or LONG");
        assertThatThrownBy(() -> Pipeline.from("t", TestEvents.TRADE).partitionKey("account").eventTime("ts", 0)
            .window(w -> w.count("n")))
            .hasMessageContaining("needs a kind");
        final Schema other = Schema.builder("o").longField("x").build();
        assertThatThrownBy(() -> Pipeline.from("t", other).partitionKey("nope"))
            .hasMessageContaining("no field 'nope'");
        // DECIMAL and TEXT keys are refused as in YAML, by the builder and by a join's Source.
        final Schema money = Schema.builder("m").decimalField("amount", 18, 2).textField("memo", 16).longField("ts").build();
        assertThatThrownBy(() -> Pipeline.from("payments", money).name("p").partitionKey("amount"))
            .isInstanceOf(SchemaException.class)
            .hasMessage("pipeline 'p' partition key 'amount' is a DECIMAL(18, 2); use a LONG, INT, TIMESTAMP or SYMBOL field");
        assertThatThrownBy(() -> Pipeline.from("payments", money).partitionKey("memo"))
            .hasMessage("pipeline 'payments' partition key 'memo' is a TEXT(16); use a LONG, INT, TIMESTAMP or SYMBOL field");
        assertThatThrownBy(() -> io.sluice.engine.pipeline.Source.stream("payments", money).partitionKey("memo"))
            .isInstanceOf(SchemaException.class)
            .hasMessage("source 'payments': partition key 'memo' is a TEXT(16); use a LONG, INT, TIMESTAMP or SYMBOL field");
    }

    @Test
    void shouldHandAScratchCopysResultsToTheGivenDiscardingSinkOnly()
    {
        final TestEvents.TextSink pipelineSink = new TestEvents.TextSink();
        final TestEvents.TextSink discarding = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE).name("volume").partitionKey("account").eventTime("ts", 0)
            .window(w -> w.tumbling(10).count("n")).sink("text", pipelineSink).build();
        final PipelineInstance scratch = PipelineInstance.scratch(pipeline, 0, errorHandler, discarding);

        feed(scratch, 1, 10.0, 5, 1);
        feed(scratch, 2, 10.0, 5, 12);
        scratch.onEndOfInput();

        assertThat(discarding.lines()).containsExactly(
            "0 0 1 9 key=1 window_start=0 window_end=10 flags=1 n=1",
            "0 1 2 19 key=2 window_start=10 window_end=20 flags=1 n=1");
        assertThat(pipelineSink.lines()).as("the pipeline's own sink").isEmpty();
        assertThat(scratch.outputs()).isEqualTo(2);
        assertThatThrownBy(() -> PipelineInstance.scratch(pipeline, 0, errorHandler, null))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("discarding");
    }

    @Test
    void shouldHandAScratchCopysLaterResultsToTheSinkItWasLastGivenAndRefuseToChangeALiveInstancesSink()
    {
        final TestEvents.TextSink pipelineSink = new TestEvents.TextSink();
        final TestEvents.TextSink first = new TestEvents.TextSink();
        final TestEvents.TextSink second = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE).name("volume").partitionKey("account").eventTime("ts", 0)
            .window(w -> w.tumbling(10).count("n")).sink("text", pipelineSink).build();
        final PipelineInstance scratch = PipelineInstance.scratch(pipeline, 0, errorHandler, first);

        feed(scratch, 1, 10.0, 5, 1);
        feed(scratch, 2, 10.0, 5, 12);
        scratch.discardInto(second);
        feed(scratch, 3, 10.0, 5, 25);
        scratch.onEndOfInput();

        assertThat(first.lines()).containsExactly("0 0 1 9 key=1 window_start=0 window_end=10 flags=1 n=1");
        assertThat(second.lines()).as("numbered on from the first sink's").containsExactly(
            "0 1 2 19 key=2 window_start=10 window_end=20 flags=1 n=1",
            "0 2 3 29 key=3 window_start=20 window_end=30 flags=1 n=1");
        assertThat(pipelineSink.lines()).as("the pipeline's own sink").isEmpty();
        final PipelineInstance live = PipelineInstance.create(pipeline, 0, errorHandler);
        assertThatThrownBy(() -> live.discardInto(second))
            .isInstanceOf(IllegalStateException.class).hasMessage("pipeline volume: only a scratch copy's sink can be changed");
        assertThatThrownBy(() -> scratch.discardInto(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("discarding");
    }

    private void feed(final PipelineInstance instance, final long account, final double amount, final long qty, final long ts)
    {
        TestEvents.trade(buffer, account, amount, qty, ts);
        instance.onEvent(buffer, 0, account, ts);
    }
}
