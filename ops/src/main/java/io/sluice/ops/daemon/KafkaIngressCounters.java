package io.sluice.ops.daemon;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.kafka.KafkaSource;

/**
 * The figures of a Kafka ingress, copied from its {@link KafkaSource} into the daemon's counters file
 * (which JMX, {@code sluice stat} and Prometheus read) every {@value #PERIOD_MS} ms, as a scale-out
 * daemon's member does for the partitions it owns. Every counter is named by the Kafka topic; the lag
 * counters are keyed by the Kafka partition:
 * <pre>
 *   3202 kafka-lag: &lt;kafka topic&gt;/P     records behind the end of partition P, -1 until known
 *   3212 kafka-records-in: &lt;kafka topic&gt;  records journaled
 *   3213 kafka-malformed: &lt;kafka topic&gt;   records that did not decode
 * </pre>
 *
 * <p>Threading: allocated on the daemon's control thread; {@link #doWork} on the daemon's statistics
 * thread, the single writer of these counters.
 */
final class KafkaIngressCounters implements Agent
{
    private static final long PERIOD_MS = 250;

    private final KafkaSource source;
    private final AtomicCounter[] lag;
    private final AtomicCounter recordsIn;
    private final AtomicCounter malformed;
    private long nextRunMs;

    /**
     * Allocates the counters.
     *
     * @param source     of the figures.
     * @param counters   of the daemon's counters file (control thread).
     * @param partitions of the Kafka topic (the engine's partition count).
     */
    KafkaIngressCounters(final KafkaSource source, final CountersManager counters, final int partitions)
    {
        this.source = source;
        final String topic = source.context().topic();
        lag = new AtomicCounter[partitions];
        for (int p = 0; p < partitions; p++)
        {
            lag[p] = SluiceCounters.allocate(counters, SluiceCounters.KAFKA_LAG_TYPE_ID, "kafka-lag: " + topic + "/" + p,
                SluiceCounters.NONE, p, SluiceCounters.NONE, SluiceCounters.NONE, topic);
            lag[p].set(-1);
        }
        recordsIn = SluiceCounters.allocate(counters, SluiceCounters.KAFKA_RECORDS_IN_TYPE_ID, "kafka-records-in: " + topic,
            SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, topic);
        malformed = SluiceCounters.allocate(counters, SluiceCounters.KAFKA_MALFORMED_TYPE_ID, "kafka-malformed: " + topic,
            SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, topic);
    }

    @Override
    public int doWork()
    {
        final long now = System.currentTimeMillis();
        if (now < nextRunMs)
        {
            return 0;
        }
        nextRunMs = now + PERIOD_MS;
        final long[] lagNow = source.lag();
        for (int p = 0; p < lag.length; p++)
        {
            // Release stores: a reader in another process sees each value whole.
            lag[p].setRelease(p < lagNow.length ? lagNow[p] : -1);
        }
        recordsIn.setRelease(source.records());
        malformed.setRelease(source.malformed());
        return 1;
    }

    @Override
    public String roleName()
    {
        return "sluice-kafka-ingress-counters-" + source.context().topic();
    }
}
