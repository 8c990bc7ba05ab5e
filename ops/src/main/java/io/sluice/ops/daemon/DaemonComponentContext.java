package io.sluice.ops.daemon;

import java.nio.file.Path;

import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.runtime.Engine;
import io.sluice.journal.Journal;

/**
 * What a started {@link DaemonComponent} may use.
 *
 * @param engine          the running engine: {@link Engine#publisher(String)} for ingress (one
 *                        publisher per producing thread), {@link Engine#journal()} for source topics.
 * @param outputJournal   the journal of the daemon's {@code journal} sinks ({@code <data>/outputs}):
 *                        egress reads output topics and runs consumer groups over it.
 * @param countersManager of the counters file, to allocate the component's own counters (type ids
 *                        3000-3999 are reserved for network components); allocate on the control
 *                        thread, update from the component's threads.
 * @param errorLog        the daemon's distinct error log (in the counters file).
 * @param dataDirectory   the daemon's data directory, for the component's own files (0700/0600).
 */
public record DaemonComponentContext(
    Engine engine,
    Journal outputJournal,
    CountersManager countersManager,
    DistinctErrorLog errorLog,
    Path dataDirectory)
{
}
