package io.sluice.ops.tools;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import io.sluice.schema.Schema;

/**
 * Reads the schema of each topic from a daemon configuration file, for tools that decode journaled
 * events ({@code journal dump --config}). The daemon layer provides it (through {@link ServiceLoader},
 * as the daemon's components are), so the tools stay below the daemon.
 */
public interface TopicSchemas
{
    /**
     * The topics of a daemon configuration and where their journals are.
     *
     * @param sources       the schema of every topic the configuration's pipelines read, by topic.
     * @param outputs       the output schema of the pipeline writing each {@code journal} sink, by the
     *                      sink's topic (in the output journal).
     * @param journal       the source topics' journal directory ({@code <data_dir>/journal}).
     * @param outputJournal the output journal directory of the journal sinks ({@code <data_dir>/outputs}).
     */
    record Topics(Map<String, Schema> sources, Map<String, Schema> outputs, Path journal, Path outputJournal)
    {
    }

    /**
     * Loads a configuration's topics.
     *
     * @param config a daemon configuration file.
     * @return its topics.
     * @throws RuntimeException with every error if the configuration is invalid.
     */
    Topics load(Path config);

    /**
     * The provider on the class path.
     *
     * @return the provider.
     * @throws IllegalStateException if there is none.
     */
    static TopicSchemas provider()
    {
        return ServiceLoader.load(TopicSchemas.class).findFirst()
            .orElseThrow(() -> new IllegalStateException("no reader of daemon configurations on the class path"));
    }
}
