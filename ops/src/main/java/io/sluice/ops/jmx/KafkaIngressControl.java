package io.sluice.ops.jmx;

import io.sluice.kafka.KafkaSource;
import io.sluice.kafka.KafkaSourceContext;

/**
 * What the JMX beans need of a Kafka ingress of a daemon that runs every partition in its own engine.
 */
public interface KafkaIngressControl
{
    /**
     * The ingress's settings.
     *
     * @return the concluded settings.
     */
    KafkaSourceContext settings();

    /**
     * The running source.
     *
     * @return the source, null before the ingress started.
     */
    KafkaSource source();
}
