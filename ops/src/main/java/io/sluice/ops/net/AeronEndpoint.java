package io.sluice.ops.net;

import java.nio.file.Path;

import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonConfig;

/**
 * Where a client on the daemon's host reaches one of its Aeron items: the channel, the media driver's
 * directory and the stream, as the daemon's configuration sets them. Used by command-line clients
 * ({@code sluice publish}) that read the same configuration file as the daemon.
 *
 * @param item           path of the item in the configuration ({@code ingress[0]}).
 * @param channel        the daemon listens on.
 * @param aeronDirectory of the daemon's media driver, absolute.
 * @param streamId       of the daemon's subscription.
 * @param maxFrameLength the daemon accepts.
 */
public record AeronEndpoint(String item, String channel, Path aeronDirectory, int streamId, int maxFrameLength)
{
    /**
     * The first Aeron item of a role in a configuration.
     *
     * @param config of the daemon.
     * @param role   ingress or egress.
     * @return the endpoint, or null if the configuration has no Aeron item of that role.
     */
    public static AeronEndpoint find(final DaemonConfig config, final DaemonComponent.Role role)
    {
        for (final DaemonConfig.ComponentEntry entry : config.components())
        {
            if (entry.role() == role && entry.component() instanceof AeronComponent aeron)
            {
                final AeronComponent.Settings settings = aeron.settings();
                return new AeronEndpoint(entry.path(), settings.channel(), AeronDirectory.resolve(settings.aeronDir(), config.dataDirectory()),
                    settings.streamId(), settings.maxFrameLength());
            }
        }
        return null;
    }
}
