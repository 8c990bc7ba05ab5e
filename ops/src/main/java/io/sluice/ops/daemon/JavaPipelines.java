package io.sluice.ops.daemon;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.PipelineFactory;
import io.sluice.engine.pipeline.StageSpec;
import io.sluice.schema.EventFlyweight;

/**
 * Pipelines written with the Java DSL, loaded from the jars the configuration names under
 * {@code java_pipelines}:
 * <pre>
 * java_pipelines:
 *   - jar: lib/desk-pipelines.jar          # relative to the configuration file
 *     class: com.desk.DeskPipelines         # a PipelineFactory; leave out to use the jar's
 *                                           # META-INF/services/io.sluice.engine.pipeline.PipelineFactory
 * </pre>
 * Each jar gets its own class loader, child of the daemon's (the DSL and the schema classes are the
 * daemon's own). The factories run when the configuration is loaded, so {@code sluice run --check}
 * validates them too, and every problem (no jar, no class, not a factory, a factory that throws, a
 * sink that is not declared) is a configuration error naming the item. A factory's pipelines reach
 * their outputs through {@link PipelineFactory.Sinks#sink}: a {@link NamedSink} placeholder that the
 * daemon binds at start to the sink it opens with the pipeline's output schema, exactly as for a YAML
 * pipeline, so checkpoints, recovery and exactly-once outputs are the same.
 *
 * <p>Threading: loaded on the daemon's start-up thread.
 */
final class JavaPipelines
{
    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    private JavaPipelines()
    {
    }

    /**
     * Loads every item of {@code java_pipelines}, recording errors in the sections.
     *
     * @param top   the configuration's top level.
     * @param sinks declared under {@code sinks}, by name.
     * @return the loaded pipelines (those of items without errors).
     */
    static JavaPipelines load(final ConfigSection top, final Map<String, DaemonConfig.SinkConfig> sinks)
    {
        final JavaPipelines loaded = new JavaPipelines();
        for (final ConfigSection item : top.sections("java_pipelines"))
        {
            final Path jar = item.path("jar", true);
            final String className = item.has("class") ? item.string("class", null) : null;
            item.checkUnknownKeys();
            if (jar == null)
            {
                continue;
            }
            if (!Files.isRegularFile(jar))
            {
                item.error("jar", "no such file " + jar);
                continue;
            }
            try
            {
                for (final PipelineFactory factory : factories(jar, className))
                {
                    final List<Pipeline> built = factory.pipelines(name ->
                    {
                        if (!sinks.containsKey(name))
                        {
                            throw new IllegalArgumentException("no sink named '" + name + "' under 'sinks' (sinks: " + sinks.keySet() + ")");
                        }
                        return new NamedSink(name);
                    });
                    if (built == null || built.isEmpty())
                    {
                        item.error(className != null ? "class" : "jar", factory.getClass().getName() + " built no pipelines");
                        continue;
                    }
                    for (final Pipeline pipeline : built)
                    {
                        if (sinkOf(pipeline) == null)
                        {
                            item.error(className != null ? "class" : "jar", "pipeline '" + pipeline.name() + "' of " + factory.getClass().getName() +
                                " does not send its outputs to a sink of the configuration (use sinks.sink(\"name\"))");
                            continue;
                        }
                        loaded.pipelines.add(pipeline);
                        loaded.paths.add(item.keyPath(className != null ? "class" : "jar"));
                    }
                }
            }
            catch (final ReflectiveOperationException | java.io.IOException | LinkageError | RuntimeException ex)
            {
                item.error(className != null ? "class" : "jar", "cannot load pipelines from " + jar.getFileName() +
                    (className != null ? " class " + className : "") + ": " + ex);
            }
        }
        return loaded;
    }

    private static List<PipelineFactory> factories(final Path jar, final String className)
        throws ReflectiveOperationException, MalformedURLException
    {
        // Never closed: the pipelines' classes are needed until the daemon exits.
        @SuppressWarnings("resource")
        final URLClassLoader loader = new URLClassLoader("sluice-pipelines:" + jar.getFileName(), new URL[] {jar.toUri().toURL()},
            JavaPipelines.class.getClassLoader());
        if (className != null)
        {
            final Class<?> type = Class.forName(className, true, loader);
            if (!PipelineFactory.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException(className + " does not implement " + PipelineFactory.class.getName());
            }
            return List.of((PipelineFactory)type.getConstructor().newInstance());
        }
        final List<PipelineFactory> factories = new ArrayList<>();
        for (final PipelineFactory factory : ServiceLoader.load(PipelineFactory.class, loader))
        {
            if (factory.getClass().getClassLoader() == loader)
            {
                factories.add(factory);
            }
        }
        if (factories.isEmpty())
        {
            throw new IllegalArgumentException("the jar lists no " + PipelineFactory.class.getName() +
                " in META-INF/services (or give 'class')");
        }
        return factories;
    }

    /**
     * The pipelines, in the order of the items and of each factory's list.
     *
     * @return the pipelines.
     */
    List<Pipeline> pipelines()
    {
        return pipelines;
    }

    /**
     * The configuration path of the item a pipeline came from, for errors.
     *
     * @param index of the pipeline in {@link #pipelines()}.
     * @return the path, e.g. {@code java_pipelines[0].class}.
     */
    String path(final int index)
    {
        return paths.get(index);
    }

    /**
     * The placeholder sink a pipeline sends to, or null.
     *
     * @param pipeline built by a factory.
     * @return its named sink.
     */
    static NamedSink sinkOf(final Pipeline pipeline)
    {
        for (final StageSpec stage : pipeline.stages())
        {
            if (stage instanceof StageSpec.SinkSpec sink && sink.sink() instanceof NamedSink named)
            {
                return named;
            }
        }
        return null;
    }

    /**
     * Whether a pipeline's window emits UPDATE or EARLY results (its file sink then gets the emit column).
     *
     * @param pipeline a pipeline.
     * @return true with allowed lateness or early results.
     */
    static boolean emitsNonFinal(final Pipeline pipeline)
    {
        for (final StageSpec stage : pipeline.stages())
        {
            if (stage instanceof StageSpec.WindowStageSpec window &&
                (window.spec().allowedLateness() > 0 || window.spec().earlyOnUpdate()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A sink of the configuration, by name, that a Java pipeline sends to; bound by the daemon at
     * start to the sink it opens for the pipeline (one binding, before anything runs).
     */
    static final class NamedSink implements EventSink
    {
        private final String name;
        private EventSink target;

        NamedSink(final String name)
        {
            this.name = name;
        }

        String name()
        {
            return name;
        }

        void bind(final EventSink target)
        {
            if (this.target != null)
            {
                throw new IllegalStateException("sink '" + name + "' is bound twice: give each pipeline its own sinks.sink(...)");
            }
            this.target = target;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            target.onEvent(partition, sequence, key, timestamp, event);
        }

        @Override
        public void onEndOfInput(final int partition)
        {
            target.onEndOfInput(partition);
        }

        @Override
        public void onTurnEnd(final int partition)
        {
            target.onTurnEnd(partition);
        }

        @Override
        public void onCheckpoint(final int partition)
        {
            target.onCheckpoint(partition);
        }

        @Override
        public void onCheckpoint(final int partition, final long checkpointId)
        {
            target.onCheckpoint(partition, checkpointId);
        }
    }
}
