package io.sluice.engine.runtime;

/**
 * A named set of engine settings for a kind of desk. A profile is resolved once, at
 * {@link Engine#launch}, against the machine the engine finds itself on, and the engine says in one
 * line what it did ({@link Engine#profileReport()}).
 */
public enum EngineProfile
{
    /** The context's settings as they are (wait strategy, pinning, threading mode): nothing is changed. */
    STANDARD,
    /**
     * Microseconds first, CPU second (docs/low-latency.md):
     * <ul>
     *   <li>every processing thread busy-spins, pinned by OpenHFT affinity to a core of its own, taken from
     *       the isolated cores ({@code isolcpus}, or a cgroup cpuset / {@code -Daffinity.reserved} mask) when
     *       there are some, else from every core but the first; at most one spinning thread per core;</li>
     *   <li>every background duty (scheduler, checkpoint writer, segment allocation, group commit) on one
     *       shared low-priority thread ({@link ThreadingMode#SHARED}), kept off the spinning cores;</li>
     *   <li>the pipelines' code compiled before the engine accepts input: synthetic events run through a
     *       scratch copy of every pipeline (outputs discarded, nothing journaled), see
     *       {@link EngineContext#warmUpEvents(int)};</li>
     *   <li>no clock read per event by the engine unless a latency listener is set (latency recording on).</li>
     * </ul>
     * When the machine has fewer free cores than spinning threads, the engine does the next best thing
     * and says so at launch, in one line.
     */
    LOW_LATENCY
}
