package io.sluice.engine.runtime;

import java.util.Collection;
import java.util.List;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.exec.PartitionStateCodec;
import io.sluice.journal.PartitionReader;

/**
 * Event-sourced recovery at launch, before any partition thread starts: load the newest checkpoint
 * whose files verify (falling back to older ones, then to none), restore every pipeline instance
 * from it if it fits the running topology exactly, and replay each partition's journal from the
 * checkpointed offset (from the start without a usable checkpoint). Every decision is described in
 * the recovery events.
 *
 * <p>A checkpoint whose offset lies beyond the end of a partition's journal means the journal lost
 * records the checkpoint already covers (a lost tail, a restored older copy): recovery refuses to
 * start rather than replay what is left, which would silently reuse the offsets of acknowledged
 * records.
 */
final class EngineRecovery
{
    private EngineRecovery()
    {
    }

    /**
     * Recovers every partition of every group.
     *
     * @param groups the topology.
     * @param store  of checkpoints, or null when checkpointing is off.
     * @param maxId  newest checkpoint id that may be restored ({@link EngineContext#restoreCheckpointAtMost()}).
     * @param events receiving what recovery found and did.
     * @return the manifest restored from, or null when the journal was replayed from the start.
     */
    static CheckpointManifest recover(
        final Collection<GroupRuntime> groups, final CheckpointStore store, final long maxId, final List<String> events)
    {
        final CheckpointStore.LoadedCheckpoint loaded = store == null ? null : store.loadLatest(events, maxId);
        if (loaded != null)
        {
            checkNotAheadOfJournal(groups, loaded.manifest());
        }
        final boolean restore = loaded != null && fits(groups, loaded, events);
        for (final GroupRuntime group : groups)
        {
            for (int p = 0; p < group.partitions.length; p++)
            {
                final PartitionProcessor handler = group.partitions[p].handler;
                long from = 0;
                if (restore)
                {
                    final PartitionCheckpoint entry = loaded.manifest().find(group.name, p);
                    PartitionStateCodec.decode(handler.instances(), loaded.state(group.name, p));
                    handler.restoreSourcePositions(entry.sourcePositions());
                    from = entry.journalOffset();
                }
                try (PartitionReader reader = group.journalTopic.partition(p).newReader())
                {
                    reader.seek(from);
                    final long replayed = handler.replay(reader);
                    if (replayed > 0)
                    {
                        events.add("replayed " + replayed + " records of " + group.name + "/" + p + " from offset " + from);
                    }
                }
            }
        }
        return restore ? loaded.manifest() : null;
    }

    /**
     * Refuses a checkpoint that covers more of any partition than its journal holds.
     *
     * @throws EngineException naming the checkpoint, the partition, the checkpointed offset and the journal's end.
     */
    private static void checkNotAheadOfJournal(final Collection<GroupRuntime> groups, final CheckpointManifest manifest)
    {
        for (final GroupRuntime group : groups)
        {
            for (int p = 0; p < group.partitions.length; p++)
            {
                final PartitionCheckpoint entry = manifest.find(group.name, p);
                final long end = group.journalTopic.partition(p).endOffset();
                if (entry != null && entry.journalOffset() > end)
                {
                    throw new EngineException("checkpoint " + manifest.id() + " covers " + group.name + "/" + p + " up to offset " +
                        entry.journalOffset() + " but the journal of " + group.name + "/" + p + " ends at offset " + end +
                        ": the journal lost records the checkpoint includes; refusing to start (restore the journal, or move " +
                        "the checkpoints directory aside to start from what the journal holds)");
                }
            }
        }
    }

    /**
     * Whether a checkpoint covers exactly the running topology; if not, says why, and recovery replays
     * everything instead (a checkpoint is never restored into different pipelines).
     */
    private static boolean fits(
        final Collection<GroupRuntime> groups, final CheckpointStore.LoadedCheckpoint loaded, final List<String> events)
    {
        final long id = loaded.manifest().id();
        for (final GroupRuntime group : groups)
        {
            for (int p = 0; p < group.partitions.length; p++)
            {
                final PartitionCheckpoint entry = loaded.manifest().find(group.name, p);
                if (entry == null)
                {
                    events.add("checkpoint " + id + " has no state for " + group.name + "/" + p +
                        ": replaying the journal from the start instead");
                    return false;
                }
                final String mismatch = PartitionStateCodec.mismatch(
                    group.partitions[p].handler.instances(), loaded.state(group.name, p), entry.stateLength());
                if (mismatch != null)
                {
                    events.add("checkpoint " + id + " does not fit " + group.name + "/" + p + " (" + mismatch +
                        "): replaying the journal from the start instead");
                    return false;
                }
            }
        }
        return true;
    }
}
