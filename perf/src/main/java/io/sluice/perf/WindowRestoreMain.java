package io.sluice.perf;

import io.sluice.engine.time.Watermarks;
import io.sluice.engine.window.Aggregators;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowOperatorContext;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Attribution for the restart benchmark: the cost of {@link WindowOperator#snapshotTo} and
 * {@link WindowOperator#restoreFrom} of a tumbling 1-day count+sum operator holding {@code n} keys (one
 * row each), directly, for growing {@code n}; then the cost of one more event per key after the
 * restore against the same events on the operator that built the state. Single thread, no engine.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.WindowRestoreMain 62500 125000 250000 500000 1000000
 * }</pre>
 */
public final class WindowRestoreMain
{
    private WindowRestoreMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args key counts.
     */
    public static void main(final String[] args)
    {
        System.out.println("WindowRestoreMain; " + EngineBench.machine());
        System.out.printf("%10s %12s %12s %12s %16s %16s%n",
            "keys", "build ms", "snapshot ms", "restore ms", "events orig ms", "events restored ms");
        final BenchEvents.Values values = new BenchEvents.Values();
        for (final String arg : args)
        {
            final int keys = Integer.parseInt(arg);
            final WindowOperator original = operator(keys);
            long t = System.nanoTime();
            feed(original, keys, values);
            final double build = (System.nanoTime() - t) / 1e6;
            final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(original.snapshotLength());
            t = System.nanoTime();
            final int length = original.snapshotTo(buffer, 0);
            final double snapshot = (System.nanoTime() - t) / 1e6;
            final WindowOperator restored = operator(keys);
            t = System.nanoTime();
            restored.restoreFrom(buffer, 0);
            final double restore = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            feed(original, keys, values);
            final double eventsOriginal = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            feed(restored, keys, values);
            final double eventsRestored = (System.nanoTime() - t) / 1e6;
            System.out.printf("%10d %12.1f %12.1f %12.1f %16.1f %16.1f   (snapshot %,d B, rows %d/%d)%n", keys, build, snapshot,
                restore, eventsOriginal, eventsRestored, length, original.stateEntries(), restored.stateEntries());
        }
    }

    private static WindowOperator operator(final int keys)
    {
        return new WindowOperatorContext().tumbling(86_400_000L)
            .aggregators(Aggregators.count(), Aggregators.sumDouble(BenchEvents.AMOUNT))
            .watermarks(Watermarks.boundedOutOfOrderness(0)).expectedEntries(2 * keys)
            .resultHandler((k, s, e, f, r) -> { }).build();
    }

    private static void feed(final WindowOperator operator, final int keys, final BenchEvents.Values values)
    {
        for (int key = 0; key < keys; key++)
        {
            values.amount = key;
            operator.onEvent(key, 1, values);
        }
    }
}
