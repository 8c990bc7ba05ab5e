package io.sluice.ops.jmx;

/**
 * A Kafka ingress of a daemon that runs every partition in its own engine, registered as
 * {@code io.sluice:type=KafkaIngress,topic=<source topic>}: where it reads, its state and its lag per
 * partition (a scale-out daemon shows the same in {@code io.sluice:type=ScaleOut}). Lag, records and
 * malformed come from the counters file. Open types only.
 */
public interface KafkaIngressMXBean
{
    /**
     * The pipelines' source topic the records feed.
     *
     * @return the topic.
     */
    String getSourceTopic();

    /**
     * The Kafka topic read.
     *
     * @return the topic.
     */
    String getKafkaTopic();

    /**
     * The consumer group (completed checkpoints commit their offsets to it, for monitoring).
     *
     * @return the group.
     */
    String getGroup();

    /**
     * The source's state: STARTING (before the ingress started), CONNECTING, RUNNING, FAILED or CLOSED.
     *
     * @return the state.
     */
    String getState();

    /**
     * Records between the consumer's position and the end of each partition it last fetched (the last
     * stable offset: the source reads {@code read_committed}).
     *
     * @return lag by Kafka partition, -1 where not known yet.
     */
    long[] getLag();

    /**
     * Records journaled since start.
     *
     * @return the count.
     */
    long getRecordsIn();

    /**
     * Records that did not decode (sent to the dead-letter topic).
     *
     * @return the count.
     */
    long getMalformed();

    /**
     * Polls the brokers' authorizer refused (each retried with back-off).
     *
     * @return the count.
     */
    long getAuthorizationFailures();

    /**
     * The last problem met (unreachable brokers, missing topic, authorization), or empty.
     *
     * @return the message.
     */
    String getLastError();
}
