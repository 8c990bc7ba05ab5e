package io.sluice.engine.runtime;

import io.sluice.engine.exceptions.SluiceException;

/**
 * Publishing to a partition that refuses events: FAILED (its thread stopped on a journal error;
 * retrying will not help until the daemon is restarted with the cause fixed) or DEGRADED (its journal
 * cannot take events now, e.g. the disk is full; the partition retries and accepts events again once
 * space returns). The event was not accepted. The message names the partition, the state and the cause.
 */
public final class PartitionFailedException extends SluiceException
{
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int partition;
    private final boolean failed;

    /**
     * An exception for a partition that refuses events.
     *
     * @param topic     source topic published to.
     * @param partition the refusing partition.
     * @param failed    true if it FAILED, false if it is DEGRADED.
     * @param cause     the failure that stopped it or the error it is retrying.
     */
    public PartitionFailedException(final String topic, final int partition, final boolean failed, final Throwable cause)
    {
        super("partition " + topic + "/" + partition + " is " + (failed ? "FAILED" : "DEGRADED") + ": " + cause.getMessage(), cause,
            failed ? Category.FATAL : Category.ERROR);
        this.topic = topic;
        this.partition = partition;
        this.failed = failed;
    }

    /**
     * Whether the partition FAILED (for good) rather than being DEGRADED (retrying).
     *
     * @return true if FAILED.
     */
    public boolean failed()
    {
        return failed;
    }

    /**
     * The source topic published to.
     *
     * @return the topic.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * The failed partition.
     *
     * @return the partition number.
     */
    public int partition()
    {
        return partition;
    }
}
