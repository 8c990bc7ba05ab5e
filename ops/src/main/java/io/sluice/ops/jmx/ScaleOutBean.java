package io.sluice.ops.jmx;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.kafka.KafkaGroupMember;
import io.sluice.kafka.PartitionStatus;

/**
 * {@link ScaleOutMXBean} over the daemon's counters and its group member.
 *
 * <p>Threading: JMX threads; reads the counters without locks and the member's thread-safe getters.
 */
final class ScaleOutBean implements ScaleOutMXBean
{
    private static final String[] STATES = {"CONNECTING", "RUNNING", "FAILED", "CLOSED"};

    private final CountersReader counters;
    private final KafkaGroupMember member;

    ScaleOutBean(final CountersReader counters, final KafkaGroupMember member)
    {
        this.counters = counters;
        this.member = member;
    }

    @Override
    public String getJob()
    {
        return member.context().job();
    }

    @Override
    public String getGroup()
    {
        return member.context().source().groupId();
    }

    @Override
    public String getTopic()
    {
        return member.context().source().topic();
    }

    @Override
    public String getState()
    {
        final long code = single(SluiceCounters.KAFKA_MEMBER_STATE_TYPE_ID);
        return code >= 0 && code < STATES.length ? STATES[(int)code] : "UNKNOWN";
    }

    @Override
    public int[] getOwnedPartitions()
    {
        final long[] owned = perPartition(SluiceCounters.KAFKA_OWNED_TYPE_ID, 0);
        int count = 0;
        for (final long value : owned)
        {
            count += value == 1 ? 1 : 0;
        }
        final int[] partitions = new int[count];
        for (int p = 0, i = 0; p < owned.length; p++)
        {
            if (owned[p] == 1)
            {
                partitions[i++] = p;
            }
        }
        return partitions;
    }

    @Override
    public long[] getLag()
    {
        return perPartition(SluiceCounters.KAFKA_LAG_TYPE_ID, -1);
    }

    @Override
    public long getRebalances()
    {
        return single(SluiceCounters.KAFKA_REBALANCES_TYPE_ID);
    }

    @Override
    public long getLastRebalanceMillis()
    {
        return single(SluiceCounters.KAFKA_LAST_REBALANCE_TYPE_ID);
    }

    @Override
    public long getRecordsIn()
    {
        return single(SluiceCounters.KAFKA_RECORDS_IN_TYPE_ID);
    }

    @Override
    public long getMalformed()
    {
        return single(SluiceCounters.KAFKA_MALFORMED_TYPE_ID);
    }

    @Override
    public String[] getPartitionStatus()
    {
        final List<String> lines = new ArrayList<>();
        for (final PartitionStatus status : member.partitionStatus())
        {
            lines.add(describe(status));
        }
        return lines.toArray(new String[0]);
    }

    /**
     * One owned partition as a line of {@code ctl status}.
     *
     * @param status of the partition.
     * @return e.g. {@code 2: lag 0, next offset 5763, shared checkpoint 4294967325, 12 checkpoints, 12 commits, 0 duplicates; restored ...}.
     */
    static String describe(final PartitionStatus status)
    {
        return status.partition() + ": lag " + (status.lag() < 0 ? "?" : Long.toString(status.lag())) +
            ", next offset " + status.nextOffset() +
            ", shared checkpoint " + (status.sharedCheckpoint() < 0 ? "none yet" : Long.toString(status.sharedCheckpoint())) +
            ", " + status.checkpoints() + " checkpoints" + (status.failedCheckpoints() > 0 ? " (" + status.failedCheckpoints() + " failed)" : "") +
            ", " + status.commits() + " commits, " + status.duplicates() + " duplicates dropped; restored " + status.restored() +
            (status.problem() == null ? "" : "; PROBLEM: " + status.problem());
    }

    @Override
    public String[] getEvents()
    {
        return member.events().toArray(new String[0]);
    }

    @Override
    public String getLastError()
    {
        final String error = member.lastError();
        return error == null ? "" : error;
    }

    @Override
    public String[] getPausedPipelines()
    {
        return member.pausedPipelines().toArray(new String[0]);
    }

    @Override
    public String[] checkpointPartitions()
    {
        return member.checkpointOwnedPartitions(60_000).toArray(new String[0]);
    }

    @Override
    public String[] pause(final String pipeline)
    {
        return command(() -> member.pause(pipeline));
    }

    @Override
    public String[] resume(final String pipeline)
    {
        return command(() -> member.resume(pipeline));
    }

    @Override
    public String[] replay(final String pipeline, final long fromOffset)
    {
        return command(() -> member.onOwnedPartitions((partition, engine) ->
        {
            engine.replay(pipeline, fromOffset);
            return "replaying " + pipeline + " from offset " + fromOffset + " of its journal";
        }));
    }

    @Override
    public String[] replayFromTime(final String pipeline, final long fromEpochMillis)
    {
        return command(() -> member.onOwnedPartitions((partition, engine) ->
        {
            engine.replayFromTime(pipeline, fromEpochMillis);
            return "replaying " + pipeline + " from time " + fromEpochMillis;
        }));
    }

    /** Runs a command; only a message crosses JMX (a generic client cannot load project exception classes). */
    private static String[] command(final java.util.function.Supplier<List<String>> command)
    {
        try
        {
            return command.get().toArray(new String[0]);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    private long single(final int typeId)
    {
        final int id = SluiceCounters.find(counters, typeId, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE);
        return id < 0 ? -1 : counters.getCounterValue(id);
    }

    /** The values of a per-partition family of the member's topic, by Kafka partition; {@code absent} where no counter is. */
    private long[] perPartition(final int typeId, final long absent)
    {
        return KafkaCounterReads.perPartition(counters, typeId, getTopic(), absent);
    }
}
