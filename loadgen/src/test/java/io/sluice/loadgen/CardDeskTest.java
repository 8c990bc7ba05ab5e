package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class CardDeskTest
{
    @Test
    void shouldFireEveryWindowOfTheDeskInTheGivenSlice()
    {
        final String yaml = CardDesk.desk(4).pipelinesYaml();

        assertThat(Pattern.compile("window: \\{[^}\\n]*, firing_slice: 4\\}").matcher(yaml).results().count()).as(yaml).isEqualTo(3);
        assertThat(CardDesk.desk().pipelinesYaml()).doesNotContain("firing_slice");
        assertThat(CardDesk.desk(4).pipelines(new AlertLog(1, 16), new LatencyRecorder(RatePlan.steady(1_000, 0, 1_000, 0, 0, 2))))
            .hasSameSizeAs(CardDesk.desk().pipelines(new AlertLog(1, 16), new LatencyRecorder(RatePlan.steady(1_000, 0, 1_000, 0, 0, 2))));
    }

    @Test
    void shouldRefuseASliceBelowOne()
    {
        assertThatThrownBy(() -> CardDesk.desk(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
