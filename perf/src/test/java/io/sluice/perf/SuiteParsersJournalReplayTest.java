package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The suite reads {@link JournalReplayMain}'s RESULT line per payload into three figures (poll, batch read, batch read of
 * a reopened journal), each beside the raw scan's CPU time per record of the same rounds.
 */
class SuiteParsersJournalReplayTest
{
    private static final List<String> OUTPUT = List.of(
        "JournalReplayMain rounds=5 (+2 warm-up) mib=128, load average 17.89",
        "RESULT payload=64 replay/scan by CPU time: poll median=1.023 (min 0.898, max 1.259); batch median=0.678 " +
            "(min 0.489, max 1.088); reopened batch median=0.391 (min 0.321, max 0.581); CPU ns per record median " +
            "scan=5.75 poll=6.42 batch=8.65 reopened=13.19 [0]",
        "RESULT payload=256 replay/scan by CPU time: poll median=0.998 (min 0.990, max 1.001); batch median=0.849 " +
            "(min 0.655, max 0.941); reopened batch median=0.572 (min 0.432, max 0.724); CPU ns per record median " +
            "scan=15.22 poll=15.26 batch=17.92 reopened=26.59 [1]");

    @Test
    void shouldReadEachReadOfEachPayloadBesideTheScanOfTheSameRounds()
    {
        final List<SuiteFigure> figures = SuiteParsers.journalReplayCpu(OUTPUT);

        assertThat(figures).hasSize(6);
        assertThat(figures.get(0).what()).contains("payload 64 B").contains("`poll`");
        assertThat(figures.get(0).measured()).isEqualTo("6.42 ns of CPU per record");
        assertThat(figures.get(0).baseline()).isEqualTo("raw scan of the same bytes: 5.75 ns per record");
        assertThat(figures.get(0).ratio()).isEqualTo("1.023 (min 0.898, max 1.259)");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.MET);
        assertThat(figures.get(1).measured()).isEqualTo("8.65 ns of CPU per record");
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(2).what()).contains("reopened");
        assertThat(figures.get(2).ratio()).isEqualTo("0.391 (min 0.321, max 0.581)");
        assertThat(figures.get(5).what()).contains("payload 256 B").contains("reopened");
        assertThat(figures.get(5).measured()).isEqualTo("26.59 ns of CPU per record");
        assertThat(figures.get(5).baseline()).isEqualTo("raw scan of the same bytes: 15.22 ns per record");
    }

    @Test
    void shouldReadTheReopenedReadBesideTheScanOfAFreshMappingWhereTheLineGivesIt()
    {
        final List<SuiteFigure> figures = SuiteParsers.journalReplayCpu(List.of(
            "RESULT payload=64 replay/scan by CPU time: poll median=0.868 (min 0.468, max 6.663); batch median=3.476 " +
                "(min 0.963, max 8.030); reopened batch median=0.659 (min 0.601, max 1.123); CPU ns per record median " +
                "scan=36.03 poll=67.48 batch=9.73 reopened=54.67; reopened / the scan with each frame's CRC32C median=0.176 " +
                "(min 0.145, max 0.839), scan+crc 9.23 ns; reopened / the scan of a fresh mapping median=1.031 " +
                "(min 0.963, max 1.049), fresh scan 55.98 ns [0]"));

        assertThat(figures).hasSize(4);
        assertThat(figures.get(3).what()).contains("payload 64 B").contains("mapped afresh");
        assertThat(figures.get(3).measured()).isEqualTo("54.67 ns of CPU per record");
        assertThat(figures.get(3).baseline()).isEqualTo("raw scan of a fresh mapping of the same file: 55.98 ns per record");
        assertThat(figures.get(3).ratio()).isEqualTo("1.031 (min 0.963, max 1.049)");
        assertThat(figures.get(3).verdict()).isEqualTo(SuiteFigure.NO_TARGET);
    }

    @Test
    void shouldReportAMissingFigureWithoutAResultLine()
    {
        final List<SuiteFigure> figures = SuiteParsers.journalReplayCpu(List.of("JournalReplayMain rounds=5"));

        assertThat(figures).hasSize(1);
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.FAILED);
    }
}
