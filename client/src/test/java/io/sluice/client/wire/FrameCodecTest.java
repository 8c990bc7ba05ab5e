package io.sluice.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FrameCodecTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    @Test
    void shouldRoundTripPublishAndAcceptIt()
    {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[32]);
        event.putLong(8, 77);
        final PublishFlyweight publish = new PublishFlyweight();
        publish.wrap(buffer, 0, buffer.capacity());
        final int length = publish.encode(5, 2, Durability.DURABLE, 9, event, 0, 32);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.OK);
        publish.wrap(buffer, 0, length);
        assertThat(publish.type()).isEqualTo(FrameDescriptor.TYPE_PUBLISH);
        assertThat(publish.sessionId()).isEqualTo(5);
        assertThat(publish.topicId()).isEqualTo(2);
        assertThat(publish.durability()).isEqualTo(Durability.DURABLE);
        assertThat(publish.producerSequence()).isEqualTo(9);
        assertThat(publish.eventLength()).isEqualTo(32);
        assertThat(buffer.getLong(PublishFlyweight.EVENT_OFFSET + 8)).isEqualTo(77);
    }

    @Test
    void shouldRoundTripConnectSubscribeAndErrorStrings()
    {
        final ConnectFlyweight connect = new ConnectFlyweight();
        connect.wrap(buffer, 0, buffer.capacity());
        int length = connect.encode(11, 3, "aeron:ipc", "trades");
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.OK);
        assertThat(connect.responseChannel()).isEqualTo("aeron:ipc");
        assertThat(connect.topic()).isEqualTo("trades");
        assertThat(connect.correlationId()).isEqualTo(11);

        final SubscribeFlyweight subscribe = new SubscribeFlyweight();
        subscribe.wrap(buffer, 0, buffer.capacity());
        length = subscribe.encode(4, 12, 5000, "trades", "risk", "m-1");
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.OK);
        assertThat(subscribe.topic() + "/" + subscribe.group() + "/" + subscribe.memberId()).isEqualTo("trades/risk/m-1");
        assertThat(subscribe.sessionTimeoutMs()).isEqualTo(5000);

        final ErrorFlyweight error = new ErrorFlyweight();
        error.wrap(buffer, 0, buffer.capacity());
        length = error.encode(4, ErrorCode.FENCED, 3, "x".repeat(1000));
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.OK);
        assertThat(error.message()).hasSize(ErrorFlyweight.MAX_MESSAGE_LENGTH);
        assertThat(error.code()).isEqualTo(ErrorCode.FENCED);
    }

    @Test
    void shouldRejectBodiesWhoseCountsOrLengthsDisagreeWithTheFrame()
    {
        final CommitFlyweight commit = new CommitFlyweight();
        commit.wrap(buffer, 0, buffer.capacity());
        final int length = commit.encode(1, 2, 3, 2);
        commit.entry(0, 0, 10);
        commit.entry(1, 1, 20);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.OK);
        buffer.putInt(CommitFlyweight.ENTRY_COUNT_OFFSET, 3, FrameDescriptor.BYTE_ORDER);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.BAD_LENGTH);
        buffer.putInt(CommitFlyweight.ENTRY_COUNT_OFFSET, -1, FrameDescriptor.BYTE_ORDER);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.MALFORMED_BODY);
        buffer.putInt(CommitFlyweight.ENTRY_COUNT_OFFSET, 2, FrameDescriptor.BYTE_ORDER);
        buffer.putLong(CommitFlyweight.ENTRIES_OFFSET + 8, -5, FrameDescriptor.BYTE_ORDER);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.MALFORMED_BODY);
        buffer.putByte(FrameDescriptor.VERSION_OFFSET, (byte)2);
        assertThat(FrameValidator.validate(buffer, 0, length, 4096)).isEqualTo(ErrorCode.BAD_VERSION);
    }
}
