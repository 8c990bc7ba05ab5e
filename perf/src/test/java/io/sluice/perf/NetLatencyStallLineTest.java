package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@code NetLatencyMain}'s {@code STALL} line: a daemon whose Aeron client timed out is named as a stall, with the
 * timeout that was exceeded; an error log without an Aeron timeout gives none.
 */
final class NetLatencyStallLineTest
{
    @Test
    void shouldNameADriverKeepaliveTimeoutInTheDaemonsErrorLogAsAStall()
    {
        final String stall = NetLatencyMain.stallLine(List.of(
            "1 observations from 2026-12-07T13:51:38.349Z to 2026-12-07T13:51:38.349Z:",
            "io.aeron.exceptions.DriverTimeoutException: FATAL - MediaDriver (/tmp/x/data/aeron) keepalive: age=10250ms > timeout=10000ms",
            "\tat io.aeron.ClientConductor.checkLiveness(ClientConductor.java:1898)"));
        assertThat(stall).startsWith("STALL: the daemon's Aeron client timed out (DriverTimeoutException: FATAL - MediaDriver")
            .contains("age=10250ms > timeout=10000ms").contains("sluice.net.liveness.timeout.ms");
    }

    @Test
    void shouldSayNothingWhenNoAeronTimeoutIsInTheErrorLog()
    {
        assertThat(NetLatencyMain.stallLine(List.of("io.sluice.ops.net.NetException: network ingress ingress[0]: bad frame"))).isNull();
    }
}
