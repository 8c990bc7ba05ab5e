package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The suite reads {@link RestartMain}'s RESULT lines into one figure whose verdict judges ready and the ratio apart,
 * and says what caps the ratio at the run's sizes; the lines are in the format {@link RestartMain} prints.
 */
class SuiteParsersRestartTest
{
    private static final String RESULT = "RESULT keys=1000000 history=20000000 tail=10000000 restart median 0.912 s, full replay " +
        "median 2.604 s, full/restart median 2.86; backtest median 3.100 s (replay/backtest time 0.84)";
    private static final String DERIVED = "RESULT partitions=2 process cpu: restart median 1.530 s, full replay median 4.120 s " +
        "(137 ns per replayed event, all threads), backtest thread median 2.900 s (97 ns per event); full/restart by cpu 2.69; " +
        "at one replay speed for both launches the ratio is (history + tail) / tail, capped at 3.0 by the sizes; derived: 20x " +
        "at a history of 190 M events before the checkpoint (this run's full-replay rate 11.52 M ev/s; by cpu 194 M)";

    @Test
    void shouldJudgeReadyAndTheRatioApartAndSayWhatCapsTheRatio()
    {
        final List<SuiteFigure> figures = SuiteParsers.restart(List.of("journaled ...", RESULT, DERIVED));

        assertThat(figures).singleElement().satisfies(f ->
        {
            assertThat(f.what()).isEqualTo("Restart from a checkpoint: 1,000,000 keys, 20,000,000 events before it, 10,000,000 after it");
            assertThat(f.measured()).isEqualTo("ready in 0.912 s (median)");
            assertThat(f.ratio()).isEqualTo("2.86x faster (median of full/restart)");
            assertThat(f.verdict()).startsWith("ready <= 1 s " + SuiteFigure.MET + ", >= 20x " + SuiteFigure.NOT_MET + "; ")
                .contains("capped at 3.0x by these sizes").contains("190M events before the checkpoint").doesNotContain("smaller sizes");
        });
    }

    @Test
    void shouldSayWhenTheRunIsSmallerThanTheTargetsSizes()
    {
        final String quick = RESULT.replace("keys=1000000", "keys=100000").replace("tail=10000000", "tail=200000")
            .replace("restart median 0.912", "restart median 1.500");

        assertThat(SuiteParsers.restart(List.of(quick))).singleElement().satisfies(f ->
            assertThat(f.verdict()).isEqualTo("ready <= 1 s " + SuiteFigure.NOT_MET + ", >= 20x " + SuiteFigure.NOT_MET +
                " (at this run's smaller sizes)"));
    }

    @Test
    void shouldReportAMissingFigureWithoutAResultLine()
    {
        assertThat(SuiteParsers.restart(List.of(DERIVED.replace("RESULT", "")))).singleElement()
            .satisfies(f -> assertThat(f.verdict()).isEqualTo(SuiteFigure.FAILED));
    }
}
