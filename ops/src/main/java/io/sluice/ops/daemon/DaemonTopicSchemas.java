package io.sluice.ops.daemon;

import java.nio.file.Path;

import io.sluice.ops.tools.TopicSchemas;

/**
 * {@link TopicSchemas} from a daemon configuration: {@link DaemonConfig#topicSchemas()} and
 * {@link DaemonConfig#outputTopicSchemas()}.
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
    public Topics load(final Path config)
    {
        final DaemonConfig loaded = DaemonConfig.load(config);
        return new Topics(loaded.topicSchemas(), loaded.outputTopicSchemas(), loaded.dataDirectory().resolve("journal"),
            loaded.dataDirectory().resolve(Daemon.OUTPUTS_DIRECTORY));
    }
}
