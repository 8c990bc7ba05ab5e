package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The suite reads {@link NetLatencyMain}'s RESULT and ROUNDS lines (printed by {@link NetLatencyClient}) into figures
 * with their same-run raw ping-pong baseline and the IPC p99 verdicts (merged, and in every round); the lines are those
 * of real runs.
 */
class SuiteParsersNetTest
{
    private static final String RAW = "RESULT media=ipc path=raw rate=10000 count=100000 p50=23.6 p99=1286.1 p99.9=3301.4 " +
        "p99.99=5189.6 max=5685.2 us";
    private static final String IPC_ACK = "RESULT media=ipc path=ack rate=10000 count=100000 p50=20.0 p99=7675.9 p99.9=36667.4 " +
        "p99.99=45678.6 max=46661.6 us; raw p50=23.6 p99=1286.1 p99.9=3301.4 p99.99=5189.6 max=5685.2 us; ratio p50=0.85 p99=5.97 " +
        "p99.9=11.11 p99.99=8.80 max=8.21";
    private static final String UDP_RESULT = "RESULT media=udp path=result rate=10000 count=100000 p50=110.2 p99=1450.0 " +
        "p99.9=46759.9 p99.99=55312.4 max=56295.4 us; raw p50=51.0 p99=19054.6 p99.9=39223.3 p99.99=47480.8 max=48463.9 us; " +
        "ratio p50=2.16 p99=0.08 p99.9=1.19 p99.99=1.16 max=1.16";
    private static final String IPC_WITHIN = IPC_ACK.replace("p99=5.97", "p99=1.90");
    private static final String IPC_COUNTS = "COUNTS media=ipc events=140000 per event: ACK frames 0.899, RECORD frames 1.000, " +
        "ingress duty cycles 17.04 (of which yields awaiting the engine 1.36), egress duty cycles 17.04";

    @Test
    void shouldReadEachPathWithItsRawBaselineAndJudgeOnlyIpcAtP99()
    {
        final List<SuiteFigure> figures = SuiteParsers.net(List.of("report: x", RAW, IPC_ACK, UDP_RESULT, IPC_WITHIN));

        assertThat(figures).hasSize(3);
        assertThat(figures.get(0).what()).contains("Aeron IPC").contains("JOURNALED ack").contains("10,000 msg/s");
        assertThat(figures.get(0).measured()).isEqualTo("p50 20.0, p99 7675.9, p99.9 36667.4, p99.99 45678.6, max 46661.6 us");
        assertThat(figures.get(0).baseline()).contains("raw Aeron ping-pong").contains("p99 1286.1");
        assertThat(figures.get(0).ratio()).isEqualTo("p50 0.85, p99 5.97, p99.9 11.11, p99.99 8.80");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(1).what()).contains("Aeron UDP").contains("egress result");
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.NO_TARGET);
        assertThat(figures.get(2).verdict()).isEqualTo(SuiteFigure.MET);
    }

    @Test
    void shouldReadTheDaemonsWorkPerEventWithoutAVerdict()
    {
        final List<SuiteFigure> figures = SuiteParsers.net(List.of(IPC_COUNTS, IPC_ACK));

        assertThat(figures).hasSize(2);
        assertThat(figures.get(0).what()).contains("Aeron IPC").contains("140000 events");
        assertThat(figures.get(0).measured()).startsWith("ACK frames 0.899").contains("yields awaiting the engine 1.36");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.NO_TARGET);
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.NOT_MET);
    }

    @Test
    void shouldJudgeTheIpcRoundsOnlyWhenEveryRoundIsWithinTwiceRaw()
    {
        final String ipc = "ROUNDS media=ipc rounds=3 p99 / raw p99: ack [0.83, 17.18, 1.12] median 1.12 (2 of 3 within 2x), result " +
            "[0.83, 1.28, 1.12] median 1.12 (3 of 3 within 2x); p99 us: raw [4976.6, 1786.9, 5331.5] median 4976.6, ack [4149.2, " +
            "30703.6, 5974.1] median 5974.1";
        final List<SuiteFigure> figures = SuiteParsers.net(List.of(ipc, ipc.replace("media=ipc", "media=udp")));

        assertThat(figures).hasSize(4);
        assertThat(figures.get(0).what()).contains("Aeron IPC").contains("JOURNALED ack").contains("per round (3 rounds)");
        assertThat(figures.get(0).measured()).isEqualTo("[0.83, 17.18, 1.12], median 1.12");
        assertThat(figures.get(0).ratio()).isEqualTo("2 of 3 rounds within 2x");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(1).what()).contains("egress result");
        assertThat(figures.get(1).verdict()).isEqualTo(SuiteFigure.MET);
        assertThat(figures.get(2).what()).contains("Aeron UDP");
        assertThat(figures.get(2).verdict()).isEqualTo(SuiteFigure.NO_TARGET);
    }

    @Test
    void shouldJudgeTheInterleavedViewAsAFigureOfItsOwnBesideThePhasesInSequence()
    {
        final String sequence = "ROUNDS media=ipc rounds=3 p99 / raw p99: ack [433.97, 4.49, 1.81] median 4.49 (1 of 3 within 2x), " +
            "result [434.35, 4.51, 1.81] median 4.51 (1 of 3 within 2x); p99 us: raw [172.2, 332.8, 111.0] median 172.2, ack " +
            "[74711.0, 1495.0, 200.6] median 1495.0";
        final String interleaved = "ROUNDS media=ipc view=interleaved rounds=3 p99 / raw p99: ack [0.68, 0.08, 1.19] median 0.68 " +
            "(3 of 3 within 2x), result [0.68, 0.09, 1.20] median 0.68 (3 of 3 within 2x); p99 us: raw [631.3, 7356.4, 116.9] median " +
            "631.3, ack [428.5, 621.6, 139.1] median 428.5";

        final List<SuiteFigure> figures = SuiteParsers.net(List.of(sequence, interleaved));

        assertThat(figures).hasSize(4);
        assertThat(figures.get(0).what()).contains("JOURNALED ack").doesNotContain("interleaved");
        assertThat(figures.get(0).measured()).isEqualTo("[433.97, 4.49, 1.81], median 4.49");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.NOT_MET);
        assertThat(figures.get(2).what()).contains("JOURNALED ack").contains("per round (3 rounds)").contains("slices interleaved");
        assertThat(figures.get(2).measured()).isEqualTo("[0.68, 0.08, 1.19], median 0.68");
        assertThat(figures.get(2).ratio()).isEqualTo("3 of 3 rounds within 2x");
        assertThat(figures.get(2).verdict()).isEqualTo(SuiteFigure.MET);
        assertThat(figures.get(3).what()).contains("egress result").contains("slices interleaved");
    }

    @Test
    void shouldJudgeAFailedRoundAsNotWithinTheTarget()
    {
        final String ipc = "ROUNDS media=ipc rounds=3 p99 / raw p99: ack [0.83, failed, 1.12] median 0.97 (2 of 3 within 2x), result " +
            "[0.83, failed, 1.12] median 0.97 (2 of 3 within 2x); p99 us: raw [4976.6, failed, 5331.5] median 5154.1, ack [4149.2, " +
            "failed, 5974.1] median 5061.7";

        final List<SuiteFigure> figures = SuiteParsers.net(List.of(ipc));

        assertThat(figures).hasSize(2);
        assertThat(figures.get(0).measured()).isEqualTo("[0.83, failed, 1.12], median 0.97");
        assertThat(figures.get(0).verdict()).isEqualTo(SuiteFigure.NOT_MET);
    }

    @Test
    void shouldReportAMissingFigureWhenTheRunPrintedNoResult()
    {
        assertThat(SuiteParsers.net(List.of("Exception in thread \"main\""))).singleElement()
            .satisfies(f -> assertThat(f.verdict()).isEqualTo(SuiteFigure.FAILED));
    }
}
