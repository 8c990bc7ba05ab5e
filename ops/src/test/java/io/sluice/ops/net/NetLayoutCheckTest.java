package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.client.SluiceProducer;
import io.sluice.schema.Schema;

/** A producer learns the topic's layout at connect, and can tell a same-length schema that is not it. */
@Timeout(300)
class NetLayoutCheckTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTellTheProducerWhetherItWritesTheTopicsLayout()
    {
        // Same 32 bytes as the topic's schema, other fields: only the fingerprint can tell them apart.
        final Schema sameLength = Schema.builder("payment").longField("card").longField("merchant").longField("cents")
            .timestampField("ts").build();
        final Schema shorter = Schema.builder("ping").longField("id").timestampField("ts").build();
        assertThat(sameLength.length()).isEqualTo(NetFixture.TRADE.length());

        try (NetFixture fixture = new NetFixture(dir, 1, 1024);
            SluiceProducer producer = SluiceProducer.connect(fixture.client(3101), NetFixture.TOPIC))
        {
            assertThat(producer.layoutFingerprint()).isEqualTo(NetFixture.TRADE.layoutFingerprint());
            assertThat(producer.layoutMismatch(NetFixture.TRADE)).isNull();
            assertThat(producer.layoutMismatch(sameLength)).contains("another layout of 32 bytes").contains("payment");
            assertThat(producer.layoutMismatch(shorter)).contains("32-byte events").contains("ping 16");
        }
    }
}
