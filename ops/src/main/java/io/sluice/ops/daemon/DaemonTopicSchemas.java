package io.sluice.ops.daemon;

import java.nio.file.Path;
import java.util.Map;

import io.sluice.ops.tools.TopicSchemas;
import io.sluice.schema.Schema;

/**
 * {@link TopicSchemas} from a daemon configuration: {@link DaemonConfig#topicSchemas()}.
 */
public final class DaemonTopicSchemas implements TopicSchemas
{
    /**
     * For {@link java.util.ServiceLoader}.
     */
    public DaemonTopicSchemas()
    {
    }

    @Override
    public Map<String, Schema> load(final Path config)
    {
        return DaemonConfig.load(config).topicSchemas();
    }
}
