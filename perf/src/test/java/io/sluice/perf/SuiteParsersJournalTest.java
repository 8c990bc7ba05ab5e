package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The suite reads {@link JournalThroughputMain}'s median row and RESULT line per payload into the append
 * (wall and CPU time) and replay figures, each with its same-run raw baseline; the lines have the layout
 * the main prints, with the writer's page-fault columns at the end of the row, after those the suite reads.
 */
class SuiteParsersJournalTest
{
    private static final List<String> OUTPUT = List.of(
        "JournalThroughputMain rounds=3 (+2 warm-up) mib=128 segment=512 MiB, dir=/tmp",
        "",
        "payload 64 B, aligned frame 96 B, 1398101 records (128 MiB) per round",
        "median       43.29      4.16         12.41       50.65      4.86   0.968   0.212   0.287 |     5.85     6.27   0.913 | " +
            "       65.01         10.26   0.495 |       4       3",
        "RESULT payload=64 append journal/raw median=0.968 (min 0.257, max 1.170); replay poll/scan median=0.495 " +
            "(min 0.089, max 0.522); appended and checksummed by the duty / raw median=0.212 (min 0.062, max 0.238); " +
            "append by CPU time of the measuring thread journal/raw median=0.913 (min 0.577, max 0.934); " +
            "minor page faults of the measuring thread per round, raw and journal median=4 and 3");

    @Test
    void shouldReadTheAppendByWallAndCpuTimeAndTheReplayWithTheirRawBaselines()
    {
        final List<SuiteFigure> figures = SuiteParsers.journal(OUTPUT);

        assertThat(figures).hasSize(3);
        assertThat(figures.get(0).what()).contains("payload 64 B").contains("append path alone");
        assertThat(figures.get(0).measured()).isEqualTo("50.65 M rec/s (4.86 GB/s)");
        assertThat(figures.get(0).baseline()).contains("43.29 M rec/s (4.16 GB/s)");
        assertThat(figures.get(0).ratio()).isEqualTo("0.968 (min 0.257, max 1.170)");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.MET);
        assertThat(figures.get(1).what()).contains("replay");
        assertThat(figures.get(1).measured()).isEqualTo("10.26 M rec/s");
        assertThat(figures.get(1).baseline()).contains("65.01 M rec/s");
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(2).what()).contains("by CPU time of the writing thread");
        assertThat(figures.get(2).measured()).isEqualTo("6.27 ns per record");
        assertThat(figures.get(2).baseline()).isEqualTo("raw memcpy: 5.85 ns per record");
        assertThat(figures.get(2).ratio()).isEqualTo("0.913 (min 0.577, max 0.934)");
    }
}
