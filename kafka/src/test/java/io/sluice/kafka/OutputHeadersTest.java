package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class OutputHeadersTest
{
    @Test
    void shouldGiveEachRecordOneHeaderOfItsOwnPartitionAndSequence()
    {
        final OutputHeaders headers = new OutputHeaders(7);
        final ProducerRecord<byte[], byte[]> first = new ProducerRecord<>("t", 7, 1L, null, new byte[1], headers.of(41));
        final ProducerRecord<byte[], byte[]> second = new ProducerRecord<>("t", 7, 2L, null, new byte[1], headers.of(1_000_000_000_042L));

        assertHeader(first, 41); // built from the template before it was rewritten: keeps its own copy
        assertHeader(second, 1_000_000_000_042L);
    }

    @Test
    void shouldLayTheHeaderOutAsPartitionThenSequenceBigEndian()
    {
        final byte[] value = OutputHeaderDescriptor.encode(3, 0x0102030405060708L);

        assertThat(value).hasSize(12);
        final ByteBuffer drawn = ByteBuffer.wrap(value); // big-endian, as the diagram says
        assertThat(drawn.getInt(OutputHeaderDescriptor.PARTITION_OFFSET)).isEqualTo(3);
        assertThat(drawn.getLong(OutputHeaderDescriptor.SEQUENCE_OFFSET)).isEqualTo(0x0102030405060708L);
        assertThat(OutputHeaderDescriptor.partition(value)).isEqualTo(3);
        assertThat(OutputHeaderDescriptor.sequence(value)).isEqualTo(0x0102030405060708L);
    }

    @Test
    void shouldReadTheLegacyDecimalHeadersOfRecordsWrittenBeforeTheOneHeader()
    {
        final RecordHeaders legacy = new RecordHeaders();
        legacy.add(OutputHeaderDescriptor.LEGACY_PARTITION_KEY, "2".getBytes(StandardCharsets.US_ASCII));
        legacy.add(OutputHeaderDescriptor.LEGACY_SEQUENCE_KEY, "1000000000042".getBytes(StandardCharsets.US_ASCII));

        assertThat(OutputHeaderDescriptor.partition(legacy)).isEqualTo(2);
        assertThat(OutputHeaderDescriptor.sequence(legacy)).isEqualTo(1_000_000_000_042L);
    }

    @Test
    void shouldNameWhatIsWrongWithAHeaderItCannotRead()
    {
        final RecordHeaders none = new RecordHeaders();
        final RecordHeaders shortValue = new RecordHeaders();
        shortValue.add(OutputHeaderDescriptor.KEY, new byte[8]);
        final RecordHeaders text = new RecordHeaders();
        text.add(OutputHeaderDescriptor.LEGACY_SEQUENCE_KEY, "4x".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> OutputHeaderDescriptor.sequence(none)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a Sluice output record").hasMessageContaining("sluice.output");
        assertThatThrownBy(() -> OutputHeaderDescriptor.sequence(shortValue)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("must hold 12 bytes").hasMessageContaining("not 8");
        assertThatThrownBy(() -> OutputHeaderDescriptor.sequence(text)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'sluice.sequence'").hasMessageContaining("'4x'");
    }

    private static void assertHeader(final ProducerRecord<byte[], byte[]> record, final long sequence)
    {
        final Header[] all = record.headers().toArray();
        assertThat(all).hasSize(1);
        assertThat(all[0].key()).isEqualTo(OutputHeaderDescriptor.KEY);
        assertThat(OutputHeaderDescriptor.partition(all[0].value())).isEqualTo(7);
        assertThat(OutputHeaderDescriptor.sequence(all[0].value())).isEqualTo(sequence);
    }
}
