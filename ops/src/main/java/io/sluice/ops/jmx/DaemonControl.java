package io.sluice.ops.jmx;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.runtime.Engine;

/**
 * What the JMX beans need from the daemon.
 */
public interface DaemonControl
{
    /**
     * The running engine, for operations and topology.
     *
     * @return the engine, or null for a {@code scale_out} daemon (see {@link #scaleOut()}).
     */
    Engine engine();

    /**
     * The group member of a {@code scale_out} daemon, which runs one engine per Kafka partition it owns.
     *
     * @return the member, or null when the daemon runs every partition in its own engine.
     */
    default io.sluice.kafka.KafkaGroupMember scaleOut()
    {
        return null;
    }

    /**
     * The Kafka ingress items of a daemon that runs every partition in its own engine.
     *
     * @return the items, in configuration order; empty for a {@code scale_out} daemon or one without.
     */
    default java.util.List<KafkaIngressControl> kafkaIngress()
    {
        return java.util.List.of();
    }

    /**
     * A reader over the counters file, the source of every figure.
     *
     * @return the reader.
     */
    CountersReader counters();

    /**
     * Starts a new latency interval.
     */
    void resetLatency();

    /**
     * The daemon's state name.
     *
     * @return STARTING, RUNNING, STOPPING or STOPPED.
     */
    String state();

    /**
     * The process id.
     *
     * @return the pid.
     */
    long pid();

    /**
     * When the daemon started.
     *
     * @return epoch ms.
     */
    long startTimeMs();

    /**
     * The daemon's distinct error log (Agrona {@code DistinctErrorLog} layout, in the counters file).
     *
     * @return the buffer, read with {@code ErrorLogReader}.
     */
    org.agrona.concurrent.AtomicBuffer errorLog();
}
