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
     * The duties on two low-priority threads, so that on a machine with few cores the partition threads
     * keep theirs: those that wait on the disk together ({@code sluice-io}: a long one, writing a
     * checkpoint's state, delays group commit, and DURABLE acknowledgements wait meanwhile), and the
     * scheduler with the added duties such as the network server ({@code sluice-duties}), which never
     * wait on the disk.
     */
    SHARED
}
