package io.sluice.engine.pipeline;

import java.util.List;

/**
 * Pipelines written with the Java DSL, packaged in a jar that the daemon loads: its configuration
 * names the jar and this interface's implementing class ({@code java_pipelines: [{jar: ..., class:
 * ...}]}), or the jar lists implementations as a {@link java.util.ServiceLoader} service
 * ({@code META-INF/services/io.sluice.engine.pipeline.PipelineFactory}). The daemon runs them as it
 * runs YAML pipelines: the same journal, checkpoints, recovery and exactly-once sinks.
 *
 * <pre>{@code
 * public final class DeskPipelines implements PipelineFactory
 * {
 *     public List<Pipeline> pipelines(final Sinks sinks)
 *     {
 *         Schema trade = Schema.builder("trade").symbolField("sym", 8).longField("qty").timestampField("ts").build();
 *         return List.of(Pipeline.from("trades", trade).name("vol").partitionKey("sym").eventTime("ts", 0)
 *             .window(w -> w.tumbling(2_000).count("n").sum("q", "qty"))
 *             .sink("vol-out", sinks.sink("vol-out"))
 *             .build());
 *     }
 * }
 * }</pre>
 *
 * <p>Threading: called once, on the daemon's start-up thread, before anything runs; the pipelines'
 * operators and predicates then run on the partition threads and must follow the DSL's rules (no
 * allocation per event, state only in the window and join operators, so checkpoints capture it).
 * An implementation has a public no-argument constructor.
 */
public interface PipelineFactory
{
    /**
     * Builds the pipelines.
     *
     * @param sinks the outputs the daemon's configuration declares, by name.
     * @return the pipelines, with names unique among all the daemon's pipelines.
     */
    List<Pipeline> pipelines(Sinks sinks);

    /**
     * The outputs a daemon's configuration declares under {@code sinks:}: a pipeline sends its results
     * to one of them, which the daemon opens with the pipeline's output schema and makes exactly-once.
     */
    @FunctionalInterface
    interface Sinks
    {
        /**
         * The sink of this name.
         *
         * @param name of a sink under {@code sinks:} of the daemon's configuration.
         * @return the sink, to give to one pipeline's {@code sink(...)}.
         * @throws IllegalArgumentException if the configuration declares no such sink.
         */
        EventSink sink(String name);
    }
}
