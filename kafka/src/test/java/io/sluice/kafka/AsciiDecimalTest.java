package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AsciiDecimalTest
{
    @Test
    void shouldWriteTheSameBytesAsLongToString()
    {
        final long[] edges = {0, 1, -1, 9, 10, -10, 99, 100, 999_999_999_999L, 1_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
            Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (final long value : edges)
        {
            assertThat(AsciiDecimal.bytes(value)).as("%d", value).isEqualTo(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
        final SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 10_000; i++)
        {
            final long value = random.nextLong() >> random.nextInt(64);
            assertThat(AsciiDecimal.bytes(value)).as("%d", value).isEqualTo(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
    }
}
