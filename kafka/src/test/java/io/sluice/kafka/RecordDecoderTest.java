package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.schema.EventFlyweight;

class RecordDecoderTest
{
    private static final int PAD = 7;

    /** A trade in the schema's binary layout, {@code PAD} bytes into a larger array, as a fetch buffer holds it. */
    private static byte[] fetchBuffer(final long account, final double amount, final long qty, final long ts)
    {
        final int length = KafkaTestSupport.TRADE.length();
        final ByteBuffer buffer = ByteBuffer.allocate(PAD + length + PAD).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] bytes = buffer.array();
        java.util.Arrays.fill(bytes, (byte)0x5A);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(bytes, PAD, length), 0);
        event.putLong(0, account);
        event.putDouble(1, amount);
        event.putLong(2, qty);
        event.putLong(3, ts);
        return bytes;
    }

    private static void assertTrade(final DirectBuffer buffer, final long account, final double amount, final long qty, final long ts)
    {
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE).wrap(buffer, 0);
        assertThat(event.getLong(0)).isEqualTo(account);
        assertThat(event.getDouble(1)).isEqualTo(amount);
        assertThat(event.getLong(2)).isEqualTo(qty);
        assertThat(event.getLong(3)).isEqualTo(ts);
    }

    @Test
    void shouldReadABinaryValueInPlaceFromItsPositionWithoutMovingIt()
    {
        final RecordDecoder decoder = new RecordDecoder(KafkaTestSupport.TRADE, ValueFormat.BINARY);
        final byte[] bytes = fetchBuffer(42, 12.5, 3, 1_000);
        final ByteBuffer value = ByteBuffer.wrap(bytes, PAD, KafkaTestSupport.TRADE.length());

        assertThat(decoder.decode(value)).isNull();
        assertTrade(decoder.buffer(), 42, 12.5, 3, 1_000);
        assertThat(value.position()).isEqualTo(PAD);
        assertThat(value.remaining()).isEqualTo(KafkaTestSupport.TRADE.length());

        // A view, not a copy: what the publisher copies into the ring is the record's own bytes.
        bytes[PAD] = 43;
        assertThat(decoder.buffer().getLong(0, ByteOrder.LITTLE_ENDIAN)).isEqualTo(43);
    }

    @Test
    void shouldReadABinaryValueFromASliceAndFromADirectBuffer()
    {
        final RecordDecoder decoder = new RecordDecoder(KafkaTestSupport.TRADE, ValueFormat.BINARY);
        final byte[] bytes = fetchBuffer(7, -1.25, 9, 123_456);
        // What the consumer's deserializer receives: a slice whose index 0 is PAD bytes into the array.
        final ByteBuffer slice = ByteBuffer.wrap(bytes).position(PAD).slice().limit(KafkaTestSupport.TRADE.length());
        assertThat(decoder.decode(slice)).isNull();
        assertTrade(decoder.buffer(), 7, -1.25, 9, 123_456);

        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(PAD).limit(PAD + KafkaTestSupport.TRADE.length());
        assertThat(decoder.decode(direct)).isNull();
        assertTrade(decoder.buffer(), 7, -1.25, 9, 123_456);
    }

    @Test
    void shouldRejectABinaryValueOfAnotherLengthAndATombstone()
    {
        final RecordDecoder decoder = new RecordDecoder(KafkaTestSupport.TRADE, ValueFormat.BINARY);
        final byte[] bytes = fetchBuffer(1, 1, 1, 1);
        final ByteBuffer shorter = ByteBuffer.wrap(bytes, PAD, KafkaTestSupport.TRADE.length() - 1);

        assertThat(decoder.decode(shorter)).isEqualTo("binary value of " + (KafkaTestSupport.TRADE.length() - 1) +
            " bytes, schema 'trade' events are " + KafkaTestSupport.TRADE.length() + " bytes");
        assertThat(decoder.decode(null)).contains("tombstone");
    }

    @Test
    void shouldDecodeTextFromTheValuesPositionToItsLimitAfterABinaryView()
    {
        final RecordDecoder decoder = new RecordDecoder(KafkaTestSupport.TRADE, ValueFormat.JSON);
        final String json = "xx{\"account\":5,\"amount\":2.5,\"qty\":4,\"ts\":77}yy";
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer value = ByteBuffer.wrap(bytes, 2, bytes.length - 4).slice();

        assertThat(decoder.decode(value)).isNull();
        assertTrade(decoder.buffer(), 5, 2.5, 4, 77);
        assertThat(value.position()).isZero();

        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(2).limit(bytes.length - 2);
        assertThat(decoder.decode(direct)).isNull();
        assertTrade(decoder.buffer(), 5, 2.5, 4, 77);
        assertThat(decoder.decode(ByteBuffer.wrap("{\"account\":5}".getBytes(StandardCharsets.UTF_8)))).isNotNull();
    }
}
