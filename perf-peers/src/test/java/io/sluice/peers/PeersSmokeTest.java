package io.sluice.peers;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The comparison on a tiny workload: every system, every query, rows equal to the plain loop's. Runs only with the
 * Maven profile {@code peers} (the module is not in the default reactor).
 */
class PeersSmokeTest
{
    @TempDir
    Path scratch;

    @ParameterizedTest
    @EnumSource(Query.class)
    void shouldProduceThePlainLoopsRowsInEverySystem(final Query query) throws Exception
    {
        final Workload workload = query.isJoin() ? Workload.ordersAndPayments(3_000, 7) : Workload.orders(6_000, 7);
        final long[][] reference = Rows.sorted(new PlainLoop().run(query, workload).rows());
        assertThat(reference.length).as("reference rows").isGreaterThan(1_000);

        final List<PeerSystem> systems = List.of(SluicePeer.backtest(), SluicePeer.live(1, scratch), SluicePeer.live(2, scratch),
            new FlinkPeer(1), new FlinkPeer(2), new KafkaStreamsPeer(false, scratch), new KafkaStreamsPeer(true, scratch));
        for (final PeerSystem system : systems)
        {
            final PeerRun run = system.run(query, workload);
            assertThat(run.nanos()).as(system.name()).isPositive();
            assertThat(Rows.difference(reference, Rows.sorted(run.rows()))).as(system.name() + " on " + query).isNull();
        }
    }

    @Test
    void shouldTimeTheFloorOverEveryEventWithoutPassingAny()
    {
        // floorCpuNanosPerEvent throws unless its window took every order, all of them in its gap, and emitted nothing.
        final double nanos = SluicePeer.floorCpuNanosPerEvent(Workload.orders(20_000, 7));
        assertThat(nanos).isPositive();
        assertThat(Double.isFinite(nanos)).as("floor %s ns/event", nanos).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Query.class, names = {"W1", "W2", "W3"})
    void shouldProduceThePlainLoopsRowsThroughTheLiveOperatorOverAFewKeys(final Query query)
    {
        final Workload workload = Workload.orders(200_000, 7, 16);
        final long[] keys = Arrays.stream(workload.key, 0, workload.count).distinct().sorted().toArray();
        assertThat(keys).containsExactly(LongStream.range(0, 16).toArray());
        final long[][] reference = Rows.sorted(new PlainLoop().run(query, workload).rows());
        assertThat(reference.length).as("reference rows: more than one window of 16 keys").isGreaterThan(16);

        final PeerRun run = SluicePeer.rowBacktest(query, workload);
        assertThat(run.cpuNanos()).isPositive();
        assertThat(Rows.difference(reference, Rows.sorted(run.rows()))).as("rows of " + query).isNull();
    }

    @Test
    void shouldRefuseMoreKeysThanTheWorkloadHas()
    {
        assertThatThrownBy(() -> Workload.orders(10, 7, Workload.KEYS + 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys must be 1 to " + Workload.KEYS);
        assertThatThrownBy(() -> Workload.orders(10, 7, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
    }

    @Test
    void shouldKeepEveryTimestampWithinTheBoundBehindTheLargestBefore()
    {
        final Workload w = Workload.ordersAndPayments(50_000, 11);
        long max = 0;
        long behind = 0;
        for (int i = 0; i < w.count; i++)
        {
            behind = Math.max(behind, max - w.ts[i]);
            max = Math.max(max, w.ts[i]);
        }
        assertThat(behind).isLessThanOrEqualTo(Workload.DISORDER_MS).isGreaterThan(Workload.DISORDER_MS - 50);
        assertThat(w.payments()).isBetween(w.orders / 2 - 1_000, w.orders / 2 + 1_000);
        assertThat(w.maxTs).isBetween(w.count / Workload.EVENTS_PER_MS - 1L, w.count / Workload.EVENTS_PER_MS + Workload.DISORDER_MS);
    }

    @Test
    void shouldReportTheFirstDifferingRow()
    {
        final Rows a = new Rows(4);
        a.add(1, 0, 6_000, 2, 10);
        a.add(2, 0, 6_000, 1, 5);
        final Rows b = new Rows(4);
        b.add(2, 0, 6_000, 1, 5);
        b.add(1, 0, 6_000, 2, 11);
        assertThat(Rows.difference(Rows.sorted(List.of(a)), Rows.sorted(List.of(a)))).isNull();
        assertThat(Rows.difference(Rows.sorted(List.of(a)), Rows.sorted(List.of(b)))).contains("row 0").contains("11");
        final Rows shorter = new Rows(1);
        shorter.add(1, 0, 6_000, 2, 10);
        assertThat(Rows.difference(Rows.sorted(List.of(a)), Rows.sorted(List.of(shorter)))).contains("2 rows expected but 1 produced");
    }
}
