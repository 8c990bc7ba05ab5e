package io.sluice.ops.jmx;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.kafka.KafkaSource;

/**
 * {@link KafkaIngressMXBean} over the counters file and the ingress's source.
 *
 * <p>Threading: JMX threads; reads the counters without locks and the source's thread-safe getters.
 */
final class KafkaIngressBean implements KafkaIngressMXBean
{
    private final CountersReader counters;
    private final KafkaIngressControl ingress;

    KafkaIngressBean(final CountersReader counters, final KafkaIngressControl ingress)
    {
        this.counters = counters;
        this.ingress = ingress;
    }

    @Override
    public String getSourceTopic()
    {
        return ingress.settings().sluiceTopic();
    }

    @Override
    public String getKafkaTopic()
    {
        return ingress.settings().topic();
    }

    @Override
    public String getGroup()
    {
        return ingress.settings().groupId();
    }

    @Override
    public String getState()
    {
        final KafkaSource source = ingress.source();
        return source == null ? "STARTING" : source.state().name();
    }

    @Override
    public long[] getLag()
    {
        return KafkaCounterReads.perPartition(counters, SluiceCounters.KAFKA_LAG_TYPE_ID, getKafkaTopic(), -1);
    }

    @Override
    public long getRecordsIn()
    {
        return KafkaCounterReads.single(counters, SluiceCounters.KAFKA_RECORDS_IN_TYPE_ID, getKafkaTopic(), 0);
    }

    @Override
    public long getMalformed()
    {
        return KafkaCounterReads.single(counters, SluiceCounters.KAFKA_MALFORMED_TYPE_ID, getKafkaTopic(), 0);
    }

    @Override
    public long getAuthorizationFailures()
    {
        final KafkaSource source = ingress.source();
        return source == null ? 0 : source.authorizationFailures();
    }

    @Override
    public String getLastError()
    {
        final KafkaSource source = ingress.source();
        final String error = source == null ? null : source.lastError();
        return error == null ? "" : error;
    }
}
