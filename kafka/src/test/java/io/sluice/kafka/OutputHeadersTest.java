package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class OutputHeadersTest
{
    @Test
    void shouldGiveEachRecordItsOwnPartitionAndSequenceHeadersInOrder()
    {
        final OutputHeaders headers = new OutputHeaders(7);
        final ProducerRecord<byte[], byte[]> first = new ProducerRecord<>("t", 7, 1L, null, new byte[1], headers.of(41));
        final ProducerRecord<byte[], byte[]> second = new ProducerRecord<>("t", 7, 2L, null, new byte[1], headers.of(1_000_000_000_042L));

        assertHeaders(first, "41"); // built from the template before it was rewritten: keeps its own copy
        assertHeaders(second, "1000000000042");
    }

    private static void assertHeaders(final ProducerRecord<byte[], byte[]> record, final String sequence)
    {
        final Header[] all = record.headers().toArray();
        assertThat(all).hasSize(2);
        assertThat(all[0].key()).isEqualTo(KafkaSink.PARTITION_HEADER);
        assertThat(new String(all[0].value(), StandardCharsets.US_ASCII)).isEqualTo("7");
        assertThat(all[1].key()).isEqualTo(KafkaSink.SEQUENCE_HEADER);
        assertThat(new String(all[1].value(), StandardCharsets.US_ASCII)).isEqualTo(sequence);
    }
}
