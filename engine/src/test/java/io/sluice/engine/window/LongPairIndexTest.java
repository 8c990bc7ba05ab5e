package io.sluice.engine.window;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LongPairIndexTest
{
    @Test
    void shouldBehaveLikeHashMapUnderRandomPutsAndRemoves()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final LongPairIndex index = new LongPairIndex(4);
        final Map<String, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++)
        {
            final long first = random.nextInt(64) - 32;
            final long second = random.nextInt(64) * 0x1_0000_0000L;
            final String id = first + "/" + second;
            if (random.nextBoolean())
            {
                if (!reference.containsKey(id))
                {
                    index.putNew(first, second, i);
                    reference.put(id, i);
                }
            }
            else
            {
                final Integer removed = reference.remove(id);
                assertThat(index.remove(first, second)).as("seed=%d", seed)
                    .isEqualTo(removed == null ? LongPairIndex.MISSING : removed);
            }
            assertThat(index.get(first, second)).as("seed=%d", seed)
                .isEqualTo(reference.getOrDefault(id, LongPairIndex.MISSING));
            assertThat(index.size()).as("seed=%d", seed).isEqualTo(reference.size());
        }
        index.clear();
        assertThat(index.size()).isZero();
        assertThat(index.get(0, 0)).isEqualTo(LongPairIndex.MISSING);
    }
}
