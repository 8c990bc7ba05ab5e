package io.sluice.ops.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.ConnectFlyweight;
import io.sluice.client.wire.ConnectedFlyweight;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorCode;
import io.sluice.client.wire.ErrorFlyweight;
import io.sluice.client.wire.FrameDescriptor;
import io.sluice.client.wire.PublishFlyweight;

@Timeout(300)
class NetMalformedFrameTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountAndAnswerMalformedFramesWithoutAffectingOtherProducers()
    {
        try (NetFixture fixture = new NetFixture(dir, 2, 1024, context -> context.maxFrameLength(4096));
            SluiceProducer good = SluiceProducer.connect(fixture.client(3301), NetFixture.TOPIC);
            ExclusivePublication raw = fixture.aeron.addExclusivePublication(fixture.channel, 1001);
            Subscription responses = fixture.aeron.addSubscription("aeron:ipc", 3302))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[8192]);
            awaitConnected(raw);
            // A frame before CONNECT: no session to answer, counted.
            final PublishFlyweight early = new PublishFlyweight();
            early.wrap(frame, 0, frame.capacity());
            send(raw, frame, early.encode(7, 0, Durability.JOURNALED, 1, frame, 4096, NetFixture.TRADE.length()));
            final ConnectFlyweight connect = new ConnectFlyweight();
            connect.wrap(frame, 0, frame.capacity());
            final int connectLength = connect.encode(42, 3302, "aeron:ipc", NetFixture.TOPIC);
            send(raw, frame, connectLength);
            final long sessionId = awaitConnectedFrame(responses);

            final PublishFlyweight publish = new PublishFlyweight();
            publish.wrap(frame, 0, frame.capacity());
            final int valid = publish.encode(sessionId, 0, Durability.JOURNALED, 1, new UnsafeBuffer(new byte[64]), 0,
                NetFixture.TRADE.length());
            send(raw, frame, 10);                                 // truncated
            frame.putInt(0, valid + 5, FrameDescriptor.BYTE_ORDER);
            send(raw, frame, valid);                              // length field disagrees
            frame.putInt(0, valid, FrameDescriptor.BYTE_ORDER);
            frame.putShort(FrameDescriptor.TYPE_OFFSET, (short)99, FrameDescriptor.BYTE_ORDER);
            send(raw, frame, valid);                              // unknown type
            frame.putShort(FrameDescriptor.TYPE_OFFSET, (short)FrameDescriptor.TYPE_PUBLISH, FrameDescriptor.BYTE_ORDER);
            frame.putInt(0, 6000, FrameDescriptor.BYTE_ORDER);
            send(raw, frame, 6000);                               // oversized
            frame.putInt(0, valid, FrameDescriptor.BYTE_ORDER);
            frame.putInt(PublishFlyweight.EVENT_LENGTH_OFFSET, 8, FrameDescriptor.BYTE_ORDER);
            frame.putInt(0, PublishFlyweight.EVENT_OFFSET + 8, FrameDescriptor.BYTE_ORDER);
            send(raw, frame, PublishFlyweight.EVENT_OFFSET + 8);  // wrong event length for the topic
            frame.putShort(FrameDescriptor.TYPE_OFFSET, (short)FrameDescriptor.TYPE_RECORD, FrameDescriptor.BYTE_ORDER);
            frame.putInt(0, 48, FrameDescriptor.BYTE_ORDER);
            frame.putInt(20, 0, FrameDescriptor.BYTE_ORDER);
            send(raw, frame, 48);                                 // a server-to-client type

            final int[] expected = {ErrorCode.TRUNCATED, ErrorCode.BAD_LENGTH, ErrorCode.UNKNOWN_TYPE, ErrorCode.OVERSIZED,
                ErrorCode.EVENT_LENGTH, ErrorCode.UNEXPECTED_TYPE};
            final List<Integer> answered = awaitErrors(responses, sessionId, expected.length);
            assertThat(answered).containsExactly(ErrorCode.TRUNCATED, ErrorCode.BAD_LENGTH, ErrorCode.UNKNOWN_TYPE,
                ErrorCode.OVERSIZED, ErrorCode.EVENT_LENGTH, ErrorCode.UNEXPECTED_TYPE);
            final NetCounters counters = fixture.server.counters();
            assertThat(counters.rejected(ErrorCode.UNKNOWN_SESSION)).isEqualTo(1);
            for (final int code : expected)
            {
                assertThat(counters.rejected(code)).as(ErrorCode.name(code)).isEqualTo(1);
            }

            // The raw session still works, and so does everyone else.
            publish.wrap(frame, 0, frame.capacity());
            send(raw, frame, publish.encode(sessionId, 0, Durability.JOURNALED, 1, NetFixture.trade(new UnsafeBuffer(new byte[64]), 1, 1), 0,
                NetFixture.TRADE.length()));
            NetIngressTest.publish(good, 1, 1_000, Durability.JOURNALED);
            assertThat(good.awaitAcknowledged(1_000, Durability.JOURNALED, NetIngressTest.DEADLINE_MS)).isTrue();
            assertThat(good.errorCount()).isZero();
            // The raw session's event is not acknowledged to anyone: its image may reach the server after the
            // good producer's thousand (loopback UDP loss and a retransmit), so wait for it.
            final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
            while (counters.eventsIn() < 1_001 && System.currentTimeMillis() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll interval of a wait with a deadline
            }
            assertThat(counters.eventsIn()).isEqualTo(1_001);
            assertThat(counters.rejectedTotal()).isEqualTo(expected.length + 1);
        }
    }

    private static void awaitConnected(final ExclusivePublication publication)
    {
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (!publication.isConnected())
        {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void send(final ExclusivePublication publication, final UnsafeBuffer frame, final int length)
    {
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (publication.offer(frame, 0, length) < 0)
        {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static long awaitConnectedFrame(final Subscription responses)
    {
        final long[] sessionId = {0};
        final ConnectedFlyweight connected = new ConnectedFlyweight();
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (sessionId[0] == 0)
        {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            responses.poll((buffer, offset, length, header) ->
            {
                connected.wrap(buffer, offset, length);
                if (connected.type() == FrameDescriptor.TYPE_CONNECTED && connected.correlationId() == 42)
                {
                    sessionId[0] = connected.sessionId();
                }
            }, 10);
        }
        return sessionId[0];
    }

    private static List<Integer> awaitErrors(final Subscription responses, final long sessionId, final int count)
    {
        final List<Integer> codes = new ArrayList<>();
        final ErrorFlyweight error = new ErrorFlyweight();
        final long deadline = System.currentTimeMillis() + NetIngressTest.DEADLINE_MS;
        while (codes.size() < count && System.currentTimeMillis() < deadline)
        {
            responses.poll((buffer, offset, length, header) ->
            {
                error.wrap(buffer, offset, length);
                if (error.type() == FrameDescriptor.TYPE_ERROR && error.sessionId() == sessionId)
                {
                    codes.add(error.code());
                }
            }, 10);
        }
        return codes;
    }
}
