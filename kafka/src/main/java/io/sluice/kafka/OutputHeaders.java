package io.sluice.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of one sink partition's records, {@value KafkaSink#PARTITION_HEADER} (the Kafka partition's number as
 * decimal text) and {@value KafkaSink#SEQUENCE_HEADER} (the output's sequence), in that order. A Kafka record copies
 * the headers it is built with; from a {@link RecordHeaders} it copies the list whole, an array of exactly two, where
 * adding the headers to a new record one by one grew its list to ten (section 79 of perf/README.md: 4.8 % of the
 * processing thread). The partition's header is one object shared by every record of the partition (the producer
 * only reads it); each output still has its sequence's digits and their header.
 *
 * <p>Partition thread only: {@link #of} rewrites the one template the next record is built from.
 */
final class OutputHeaders
{
    private final RecordHeaders template = new RecordHeaders();

    /**
     * @param kafkaPartition the Kafka partition the records go to.
     */
    OutputHeaders(final int kafkaPartition)
    {
        template.add(new RecordHeader(KafkaSink.PARTITION_HEADER, AsciiDecimal.bytes(kafkaPartition)));
        template.add(KafkaSink.SEQUENCE_HEADER, AsciiDecimal.bytes(0));
    }

    /**
     * The headers of the output with {@code sequence}, to give to the record's constructor (which copies them) before
     * the next call.
     *
     * @param sequence of the output.
     * @return the headers, valid until the next call.
     */
    Iterable<Header> of(final long sequence)
    {
        template.remove(KafkaSink.SEQUENCE_HEADER);
        template.add(new RecordHeader(KafkaSink.SEQUENCE_HEADER, AsciiDecimal.bytes(sequence)));
        return template;
    }
}
