package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The suite reads {@link JournalReplayMain}'s RESULT line per payload into three figures on warm mappings (poll, batch
 * read, checked batch read of a reopened journal), each beside the warm raw scan of the same rounds, and a fourth on fresh
 * mappings (a reopened journal's first read beside the raw scan of a fresh mapping of the same file).
 */
class SuiteParsersJournalReplayTest
{
    private static final List<String> OUTPUT = List.of(
        "JournalReplayMain rounds=5 (+2 warm-up) mib=128, load average 17.89",
        "RESULT payload=64 replay/scan by CPU time, warm mappings: poll median=1.023 (min 0.898, max 1.259); batch median=0.678 " +
            "(min 0.489, max 1.088); checked batch median=0.391 (min 0.321, max 0.581); CPU ns per record median " +
            "scan=5.75 poll=6.42 batch=8.65 checked=13.19; checked / the scan with each frame's CRC32C median=0.850 " +
            "(min 0.800, max 0.900), scan+crc 11.20 ns; fresh mappings: a reopened journal's first read / the scan of a " +
            "fresh mapping median=1.031 (min 0.963, max 1.049), fresh scan 55.98 ns, first read 54.30 ns; minor faults per " +
            "timed read: warm max 0, fresh scan median 231, first read median 230 [0]",
        "RESULT payload=256 replay/scan by CPU time, warm mappings: poll median=0.998 (min 0.990, max 1.001); batch median=0.849 " +
            "(min 0.655, max 0.941); checked batch median=0.572 (min 0.432, max 0.724); CPU ns per record median " +
            "scan=15.22 poll=15.26 batch=17.92 checked=26.59; checked / the scan with each frame's CRC32C median=0.820 " +
            "(min 0.790, max 0.880), scan+crc 21.80 ns; fresh mappings: a reopened journal's first read / the scan of a " +
            "fresh mapping median=1.120 (min 1.050, max 1.200), fresh scan 180.10 ns, first read 160.80 ns; minor faults per " +
            "timed read: warm max 0, fresh scan median 231, first read median 230 [1]");

    @Test
    void shouldReadEachWarmReadBesideTheWarmScanAndTheFirstReadBesideTheFreshScan()
    {
        final List<SuiteFigure> figures = SuiteParsers.journalReplayCpu(OUTPUT);

        assertThat(figures).hasSize(8);
        assertThat(figures.get(0).what()).contains("payload 64 B").contains("`poll`").contains("warm mapping");
        assertThat(figures.get(0).measured()).isEqualTo("6.42 ns of CPU per record");
        assertThat(figures.get(0).baseline()).isEqualTo("raw scan of the same bytes, warm mapping: 5.75 ns per record");
        assertThat(figures.get(0).ratio()).isEqualTo("1.023 (min 0.898, max 1.259)");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.MET);
        assertThat(figures.get(1).measured()).isEqualTo("8.65 ns of CPU per record");
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(2).what()).contains("reopened").contains("warm mapping");
        assertThat(figures.get(2).measured()).isEqualTo("13.19 ns of CPU per record");
        assertThat(figures.get(2).ratio()).isEqualTo("0.391 (min 0.321, max 0.581)");
        assertThat(figures.get(3).what()).contains("payload 64 B").contains("first read").contains("fresh mapping");
        assertThat(figures.get(3).measured()).isEqualTo("54.30 ns of CPU per record");
        assertThat(figures.get(3).baseline()).isEqualTo("raw scan of the same file, fresh mapping: 55.98 ns per record");
        assertThat(figures.get(3).ratio()).isEqualTo("1.031 (min 0.963, max 1.049)");
        assertThat(figures.get(3).verdict()).isEqualTo(SuiteFigure.NO_TARGET);
        assertThat(figures.get(6).what()).contains("payload 256 B").contains("reopened");
        assertThat(figures.get(6).measured()).isEqualTo("26.59 ns of CPU per record");
        assertThat(figures.get(6).baseline()).isEqualTo("raw scan of the same bytes, warm mapping: 15.22 ns per record");
        assertThat(figures.get(7).measured()).isEqualTo("160.80 ns of CPU per record");
    }

    @Test
    void shouldReportAMissingFigureWithoutAResultLine()
    {
        final List<SuiteFigure> figures = SuiteParsers.journalReplayCpu(List.of("JournalReplayMain rounds=5"));

        assertThat(figures).hasSize(1);
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.FAILED);
    }
}
