package io.sluice.engine.runtime;

import io.sluice.engine.exceptions.SluiceException;

/**
 * Publishing to a partition that has FAILED (its thread stopped on a journal error): the event was
 * not accepted. The message names the partition and the cause; retrying will not help until the
 * daemon is restarted with the cause fixed.
 */
public final class PartitionFailedException extends SluiceException
{
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int partition;

    /**
     * An exception for a failed partition.
     *
     * @param topic     source topic published to.
     * @param partition the failed partition.
     * @param cause     the failure that stopped it.
     */
    public PartitionFailedException(final String topic, final int partition, final Throwable cause)
    {
        super("partition " + topic + "/" + partition + " is FAILED: " + cause.getMessage(), cause, Category.FATAL);
        this.topic = topic;
        this.partition = partition;
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
