package io.sluice.engine.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.Schema;

/**
 * The pipelines of one YAML configuration file, loaded and fully validated: schemas built, filter
 * expressions compiled, every pipeline built once through the DSL. Anything wrong is a {@link
 * ConfigException} from {@link #load} or {@link #parse} naming its YAML path; once loaded, {@link
 * #build} cannot fail on the configuration. The format is documented in {@code docs/pipelines.md}.
 *
 * <pre>{@code
 *   PipelineConfig config = PipelineConfig.load(Path.of("pipelines.yaml"));
 *   List<Pipeline> pipelines = config.build(definition -> sinks.get(definition.sink()));
 * }</pre>
 *
 * <p>Threading: immutable once loaded.
 */
public final class PipelineConfig
{
    private final Map<String, Schema> schemas;
    private final List<PipelineDefinition> pipelines;

    PipelineConfig(final Map<String, Schema> schemas, final List<PipelineDefinition> pipelines)
    {
        this.schemas = Collections.unmodifiableMap(new LinkedHashMap<>(schemas));
        this.pipelines = List.copyOf(pipelines);
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file YAML file, UTF-8.
     * @return the configuration.
     * @throws ConfigException naming the YAML path and the reason of the first error.
     * @throws UncheckedIOException if the file cannot be read.
     */
    public static PipelineConfig load(final Path file)
    {
        ConfigLimits.checkFileSize(file);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            return new PipelineConfigLoader(String.valueOf(file.getFileName())).load(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read pipeline configuration " + file, ex);
        }
    }

    /**
     * Parses and validates configuration text.
     *
     * @param yaml       the document.
     * @param sourceName named in error messages, e.g. a file name.
     * @return the configuration.
     * @throws ConfigException naming the YAML path and the reason of the first error.
     */
    public static PipelineConfig parse(final String yaml, final String sourceName)
    {
        ConfigLimits.checkTextSize(yaml, sourceName);
        return new PipelineConfigLoader(sourceName).load(new StringReader(yaml));
    }

    /**
     * The declared schemas by name, in declaration order.
     *
     * @return the schemas.
     */
    public Map<String, Schema> schemas()
    {
        return schemas;
    }

    /**
     * The declared pipelines in declaration order.
     *
     * @return the definitions.
     */
    public List<PipelineDefinition> pipelines()
    {
        return pipelines;
    }

    /**
     * A pipeline by name.
     *
     * @param name of the pipeline.
     * @return the definition.
     * @throws ConfigException if there is no such pipeline.
     */
    public PipelineDefinition pipeline(final String name)
    {
        for (final PipelineDefinition definition : pipelines)
        {
            if (definition.name().equals(name))
            {
                return definition;
            }
        }
        final List<String> names = new ArrayList<>();
        pipelines.forEach(p -> names.add(p.name()));
        throw new ConfigException("pipelines", "no pipeline named '" + name + "' (pipelines: " + names + ")");
    }

    /**
     * Builds every pipeline, each ending in the sink the resolver gives for it.
     *
     * @param sinks resolving a definition (usually by {@link PipelineDefinition#sink()}) to its sink.
     * @return the pipelines in declaration order.
     */
    public List<Pipeline> build(final Function<PipelineDefinition, EventSink> sinks)
    {
        final List<Pipeline> built = new ArrayList<>();
        for (final PipelineDefinition definition : pipelines)
        {
            built.add(definition.build(sinks.apply(definition)));
        }
        return built;
    }
}
