package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings whose products overflow are refused by {@link EngineContext#conclude()}, before anything is allocated.
 */
class EngineContextLimitsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseARingWhoseBlockWouldOverflowAnInt()
    {
        // 8,388,608 slots of 320 bytes (a 256-byte event and the slot's header in whole cache lines): 2.5 * 2^30 bytes,
        // past an int (a product of 2^31 wrapped to a negative int before).
        assertThatThrownBy(() -> new EngineContext().directory(dir).ringSize(8_388_608).conclude())
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("'ringSize' 8388608")
            .hasMessageContaining("2684354560 bytes");
    }
}
