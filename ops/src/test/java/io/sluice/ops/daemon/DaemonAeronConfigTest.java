package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code type: aeron} items are found through the ServiceLoader and every bad setting is reported
 * at load time with its key and the reason, together with the rest of the file's errors.
 */
class DaemonAeronConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAcceptAeronIngressAndEgressWithDefaults()
    {
        final DaemonConfig config = DaemonConfig.parse(DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
            egress:
              - type: aeron
                channel: aeron:ipc
                record_type: 0
                thread: processing
            """), "sluice.yaml", dir);

        assertThat(config.components()).hasSize(2);
        assertThat(config.components().get(0).role()).isEqualTo(DaemonComponent.Role.INGRESS);
        assertThat(config.components().get(0).component().name())
            .isEqualTo("aeron-ingress aeron:udp?endpoint=127.0.0.1:40456 stream 1001");
        assertThat(config.components().get(1).component().name()).isEqualTo("aeron-egress aeron:ipc stream 1002");
    }

    @Test
    void shouldReportEveryBadAeronSettingWithItsKey()
    {
        final String yaml = DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
                channel: aeron:udp?endpoint=10.1.2.3:40456
                term_buffer_length: 100k
                max_frame_length: 64k
                pending_acks_per_session: 1000
                heartbeat_interval: soon
                record_type: 1
              - type: aeron
                channel: tcp://127.0.0.1:1
                thread: partition
            egress:
              - type: aeron
                channel: aeron:udp?endpoint=127.0.0.1:99999
                pending_acks_per_session: 8
            """).replace("partitions: 2", "partitions: 0");

        final DaemonConfigException ex;
        try
        {
            DaemonConfig.parse(yaml, "sluice.yaml", dir);
            throw new AssertionError("accepted");
        }
        catch (final DaemonConfigException expected)
        {
            ex = expected;
        }

        assertThat(ex.errors())
            .anyMatch(e -> e.startsWith("partitions: must be in [1, 1024]"))
            .anyMatch(e -> e.startsWith("ingress[0].channel: endpoint host '10.1.2.3' is not a loopback address: set bind_remote: true"))
            .anyMatch(e -> e.startsWith("ingress[0].term_buffer_length: must be a power of two from 64k to 1g, was 102400"))
            .anyMatch(e -> e.startsWith("ingress[0].max_frame_length: must be from 1k to term_buffer_length / 8"))
            .anyMatch(e -> e.startsWith("ingress[0].pending_acks_per_session: must be a power of two, was 1000"))
            .anyMatch(e -> e.startsWith("ingress[0].heartbeat_interval: "))
            .anyMatch(e -> e.startsWith("ingress[0].record_type: unknown key"))
            .anyMatch(e -> e.startsWith("ingress[1].channel: 'tcp://127.0.0.1:1' is not an Aeron channel URI"))
            .anyMatch(e -> e.startsWith("ingress[1].thread: must be 'duties' (the background duties thread, the default) or " +
                "'processing' (the first processing thread, after its partitions' turns), was 'partition'"))
            .anyMatch(e -> e.startsWith("egress[0].channel: endpoint port must be in [1, 65535], was 99999"))
            .anyMatch(e -> e.startsWith("egress[0].pending_acks_per_session: unknown key"));
    }

    @Test
    void shouldAllowARemoteEndpointOnlyWhenAskedFor()
    {
        final DaemonConfig config = DaemonConfig.parse(DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
                channel: aeron:udp?endpoint=10.1.2.3:40456
                bind_remote: true
            """), "sluice.yaml", dir);

        assertThat(config.components()).hasSize(1);
    }
}
