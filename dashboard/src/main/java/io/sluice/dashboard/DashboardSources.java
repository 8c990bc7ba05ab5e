package io.sluice.dashboard;

import java.util.function.Supplier;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.runtime.Engine;

/**
 * What the dashboard reads: the engine (operations, checkpoint figures, pipeline names), the counters
 * (every health figure), the distinct error log, the result board and the configuration in force.
 *
 * @param title      shown in the page header, e.g. {@code sluice run: sluice.yaml}.
 * @param engine     the running engine, or null while it starts (the demo launches it later).
 * @param counters   the counters the engine and the daemon write (the daemon's memory-mapped file); the
 *                   dashboard reads them and allocates its own (type ids 4001-4005) from them.
 * @param errorLog   the distinct error log's buffer, or null while there is none.
 * @param board      the result board the pipelines' sinks write.
 * @param configText the configuration in force, secrets already masked ({@link ConfigMasker}).
 */
public record DashboardSources(
    String title,
    Supplier<Engine> engine,
    CountersManager counters,
    Supplier<AtomicBuffer> errorLog,
    ResultBoard board,
    String configText)
{
}
