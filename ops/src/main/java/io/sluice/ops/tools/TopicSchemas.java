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
     * The schema of every topic the configuration's pipelines read.
     *
     * @param config a daemon configuration file.
     * @return schemas by topic name.
     * @throws RuntimeException with every error if the configuration is invalid.
     */
    Map<String, Schema> load(Path config);

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
