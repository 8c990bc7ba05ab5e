package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;

/**
 * The embedded media driver's client liveness timeout is Sluice's ({@link NetServerContext#livenessTimeoutMs()}, a
 * minute by default), not Aeron's ten seconds: read back from the running driver's command-and-control file, which is
 * where every client, the daemon's own and a producer process's, takes it from.
 */
final class NetLivenessTimeoutTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLaunchTheEmbeddedDriverWithTheLivenessTimeoutInItsCommandAndControlFile()
    {
        final String aeronDir = dir.resolve("aeron").toString();
        final SharedMediaDriver driver = SharedMediaDriver.acquire(aeronDir, 64 * 1024, Throwable::printStackTrace, false);
        try (Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir)))
        {
            assertThat(client.isClosed()).isFalse();
            final MappedByteBuffer cnc = IoUtil.mapExistingFile(new File(aeronDir, CncFileDescriptor.CNC_FILE), "cnc");
            try
            {
                assertThat(CncFileDescriptor.clientLivenessTimeoutNs(CncFileDescriptor.createMetaDataBuffer(cnc)))
                    .isEqualTo(TimeUnit.MILLISECONDS.toNanos(NetServerContext.livenessTimeoutMs()))
                    .isGreaterThan(TimeUnit.SECONDS.toNanos(10));
            }
            finally
            {
                IoUtil.unmap(cnc);
            }
        }
        finally
        {
            driver.release();
        }
    }

    @Test
    void shouldUnblockAPublicationOnlyAfterTheClientLivenessTimeoutAsAeronRequires()
    {
        final io.aeron.driver.MediaDriver.Context context =
            SharedMediaDriver.driverContext(dir.resolve("aeron").toString(), 64 * 1024, Throwable::printStackTrace, false);
        assertThat(context.clientLivenessTimeoutNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(NetServerContext.DEFAULT_LIVENESS_TIMEOUT_MS));
        assertThat(context.publicationUnblockTimeoutNs()).isGreaterThan(context.clientLivenessTimeoutNs());
    }
}
