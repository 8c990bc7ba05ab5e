package io.sluice.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of one sink partition's records: the one {@value OutputHeaderDescriptor#KEY} header of
 * {@link OutputHeaderDescriptor}. A Kafka record copies the headers it is built with; from a {@link RecordHeaders} it
 * copies the list whole, an array of exactly one, where adding the header to a new record grew its list to ten
 * (section 79 of perf/README.md). Each output has a header and value of its own: an exactly-once partition keeps its
 * open transaction's records to send them again after a refusal, so no record may share a mutable one.
 *
 * <p>Partition thread only: {@link #of} rewrites the one template the next record is built from.
 */
final class OutputHeaders
{
    private final RecordHeaders template = new RecordHeaders();
    private final int kafkaPartition;

    /**
     * @param kafkaPartition the Kafka partition the records go to.
     */
    OutputHeaders(final int kafkaPartition)
    {
        this.kafkaPartition = kafkaPartition;
        template.add(OutputHeaderDescriptor.KEY, OutputHeaderDescriptor.encode(kafkaPartition, 0));
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
        template.remove(OutputHeaderDescriptor.KEY);
        template.add(new RecordHeader(OutputHeaderDescriptor.KEY, OutputHeaderDescriptor.encode(kafkaPartition, sequence)));
        return template;
    }
}
