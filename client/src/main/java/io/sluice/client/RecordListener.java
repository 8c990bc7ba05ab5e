package io.sluice.client;

import org.agrona.DirectBuffer;

/**
 * Receives records from {@link SluiceConsumer#poll(RecordListener, int)}. The buffer is valid only
 * during the call.
 */
@FunctionalInterface
public interface RecordListener
{
    /**
     * Called for each record, in offset order per partition.
     *
     * @param partition     of the record.
     * @param offset        of the record in its partition.
     * @param timestamp     of the record, epoch milliseconds.
     * @param key           of the record.
     * @param buffer        holding the payload.
     * @param payloadOffset of the payload in the buffer.
     * @param payloadLength of the payload.
     */
    void onRecord(int partition, long offset, long timestamp, long key, DirectBuffer buffer, int payloadOffset, int payloadLength);
}
