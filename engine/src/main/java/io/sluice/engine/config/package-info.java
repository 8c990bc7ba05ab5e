/**
 * Pipelines declared in a YAML file for the common cases (schema, source, key, time, filter, window,
 * aggregates, result filter, sink, and joins of two sources: interval, stream-table lookup and
 * table-table, see {@link io.sluice.engine.config.JoinDefinition}), compiled once at load time into the same {@link
 * io.sluice.engine.pipeline.Pipeline} objects the Java DSL builds. Every mistake is reported at load
 * time as a {@link io.sluice.engine.config.ConfigException} naming its YAML path; nothing is
 * interpreted per event. Filter expressions compile to trees of {@link
 * io.sluice.engine.pipeline.EventPredicate} that neither allocate nor box. The format is documented
 * in {@code docs/pipelines.md}.
 *
 * <p>Entry points: {@link io.sluice.engine.config.PipelineConfig#load(java.nio.file.Path)},
 * {@link io.sluice.engine.config.Expressions#compile(String, io.sluice.schema.Schema)} and
 * {@link io.sluice.engine.config.Durations#parse(String)}.
 */
package io.sluice.engine.config;
