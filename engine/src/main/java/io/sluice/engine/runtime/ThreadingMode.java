package io.sluice.engine.runtime;

/**
 * How the engine runs its background duties (as Aeron's driver {@code ThreadingMode}): the periodic
 * scheduler (ticks, checkpoints, retention), the checkpoint writer, the journal's segment
 * pre-allocation and group commit. Each duty is an Agrona {@code Agent}; the mode only decides which
 * threads run them. Partitions are not duties: they run on the processing threads
 * ({@link EngineContext#processingThreads(int)}), which no threading mode shares with a background duty.
 */
public enum ThreadingMode
{
    /** A thread per duty ({@code AgentRunner} each): duties never wait for each other. */
    DEDICATED,
    /**
     * All duties on one low-priority thread ({@code CompositeAgent}), so that on a machine with few
     * cores the partition threads keep theirs. A long duty (writing a checkpoint's state) delays the
     * others for its length, group commit included: DURABLE acknowledgements wait meanwhile.
     */
    SHARED
}
