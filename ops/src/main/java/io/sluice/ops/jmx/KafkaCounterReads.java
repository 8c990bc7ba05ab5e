package io.sluice.ops.jmx;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;

/**
 * Reads of the Kafka counters (type ids 3201-3214), which carry the Kafka topic as their name and,
 * per partition, the Kafka partition in their key. No lock, no allocation beyond the result; for JMX
 * threads.
 */
final class KafkaCounterReads
{
    private KafkaCounterReads()
    {
    }

    /**
     * The values of a per-partition family of a Kafka topic, by partition.
     *
     * @param counters of the daemon.
     * @param typeId   of the family.
     * @param topic    the Kafka topic.
     * @param absent   the value where no counter is.
     * @return the values, as long as the highest partition found plus one.
     */
    static long[] perPartition(final CountersReader counters, final int typeId, final String topic, final long absent)
    {
        int size = 0;
        for (int id = 0, max = counters.maxCounterId(); id < max; id++)
        {
            if (isOf(counters, id, typeId, topic))
            {
                size = Math.max(size, SluiceCounters.partition(counters, id) + 1);
            }
        }
        final long[] values = new long[size];
        java.util.Arrays.fill(values, absent);
        for (int id = 0, max = counters.maxCounterId(); id < max; id++)
        {
            if (isOf(counters, id, typeId, topic))
            {
                values[SluiceCounters.partition(counters, id)] = counters.getCounterValue(id);
            }
        }
        return values;
    }

    /**
     * The value of a single counter of a Kafka topic.
     *
     * @param counters of the daemon.
     * @param typeId   of the counter.
     * @param topic    the Kafka topic.
     * @param absent   the value when there is none.
     * @return the value.
     */
    static long single(final CountersReader counters, final int typeId, final String topic, final long absent)
    {
        for (int id = 0, max = counters.maxCounterId(); id < max; id++)
        {
            if (isOf(counters, id, typeId, topic))
            {
                return counters.getCounterValue(id);
            }
        }
        return absent;
    }

    private static boolean isOf(final CountersReader counters, final int id, final int typeId, final String topic)
    {
        return counters.getCounterState(id) == CountersReader.RECORD_ALLOCATED && counters.getCounterTypeId(id) == typeId &&
            topic.equals(SluiceCounters.name(counters, id));
    }
}
