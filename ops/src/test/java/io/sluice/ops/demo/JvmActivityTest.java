package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmActivityTest
{
    @Test
    void shouldNotStartTheMeasuredIntervalWhenWarmingUp()
    {
        final JvmActivity jvm = JvmActivity.ofThisJvm();
        jvm.warmUp(50);
        assertThat(jvm.counts()).as("warmed up, not started").isNull();
        assertThat(jvm.line()).isNull();

        jvm.start();
        jvm.mark();
        assertThat(jvm.counts()).contains(" collections (").contains("safepoint");
        assertThat(jvm.line()).startsWith("  jvm          while measuring");
    }
}
