package io.sluice.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random frames through the validator and, when it accepts one, through every accessor of its
 * flyweight (Agrona bounds checks are on in tests, so a read outside the frame throws). 10^4 frames by
 * default, 10^6 in the variant tagged slow (run with -Pslow); the seed is printed on failure.
 */
class FrameFuzzTest
{
    private static final int MAX_FRAME = 4096;
    private static final String[] NAMES = {"", "t", "trades", "a-long-topic-name-" + "x".repeat(230), "bad\u0001name"};

    @Test
    @Timeout(120)
    void shouldRejectAndCountEveryBadFrameWithoutThrowing()
    {
        fuzz(10_000);
    }

    @Test
    @Tag("slow")
    @Timeout(1800)
    void shouldRejectAndCountEveryBadFrameOfAMillionWithoutThrowing()
    {
        fuzz(1_000_000);
    }

    private void fuzz(final int frames)
    {
        final long seed = Long.getLong("sluice.fuzz.seed", System.nanoTime());
        final Random random = new Random(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_FRAME * 2]);
        final long[] counts = new long[ErrorCode.CODE_COUNT];
        long expectedBad = 0;
        try
        {
            for (int i = 0; i < frames; i++)
            {
                buffer.setMemory(0, buffer.capacity(), (byte)0);
                int length = encodeValid(random, buffer);
                final int mutation = random.nextInt(6);
                int expected = ErrorCode.OK;
                switch (mutation)
                {
                    case 1:
                        length = random.nextInt(FrameDescriptor.HEADER_LENGTH);
                        expected = ErrorCode.TRUNCATED;
                        break;
                    case 2:
                        buffer.putInt(0, length + 1 + random.nextInt(100), FrameDescriptor.BYTE_ORDER);
                        expected = ErrorCode.BAD_LENGTH;
                        break;
                    case 3:
                        length = MAX_FRAME + 1 + random.nextInt(MAX_FRAME - 1);
                        buffer.putInt(0, length, FrameDescriptor.BYTE_ORDER);
                        expected = ErrorCode.OVERSIZED;
                        break;
                    case 4:
                        for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
                        {
                            buffer.putByte(random.nextInt(Math.max(1, length)), (byte)random.nextInt(256));
                        }
                        expected = -1; // anything, but never a throw
                        break;
                    case 5:
                        length = random.nextInt(MAX_FRAME + 64);
                        for (int b = 0; b < length; b++)
                        {
                            buffer.putByte(b, (byte)random.nextInt(256));
                        }
                        expected = -1;
                        break;
                    default:
                        break;
                }
                final int code = FrameValidator.validate(buffer, 0, length, MAX_FRAME);
                counts[code]++;
                if (expected >= 0)
                {
                    assertThat(ErrorCode.name(code)).as("frame %d, mutation %d", i, mutation).isEqualTo(ErrorCode.name(expected));
                }
                if (expected != ErrorCode.OK && expected != -1)
                {
                    expectedBad++;
                }
                if (code == ErrorCode.OK)
                {
                    readAll(buffer, length);
                }
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("fuzz failed with seed " + seed + " (rerun with -Dsluice.fuzz.seed=" + seed + ")", ex);
        }
        long total = 0;
        long bad = 0;
        for (int code = 0; code < counts.length; code++)
        {
            total += counts[code];
            bad += code == ErrorCode.OK ? 0 : counts[code];
        }
        assertThat(total).isEqualTo(frames);
        assertThat(bad).as("every bad frame counted (seed " + seed + ")").isGreaterThanOrEqualTo(expectedBad);
        assertThat(counts[ErrorCode.OK]).isPositive();
    }

    private static int encodeValid(final Random random, final UnsafeBuffer buffer)
    {
        final long session = random.nextLong();
        final String name = NAMES[1 + random.nextInt(3)];
        switch (1 + random.nextInt(FrameDescriptor.MAX_TYPE))
        {
            case FrameDescriptor.TYPE_CONNECT:
                return ((ConnectFlyweight)new ConnectFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(random.nextLong(), 7, "aeron:ipc",
                    random.nextBoolean() ? "" : name);
            case FrameDescriptor.TYPE_CONNECTED:
                return ((ConnectedFlyweight)new ConnectedFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, 1, 0, 32, 100, 0x5eed);
            case FrameDescriptor.TYPE_PUBLISH:
                return ((PublishFlyweight)new PublishFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, 0,
                    1 + random.nextInt(2), 1 + random.nextInt(1000), buffer, MAX_FRAME, random.nextInt(200));
            case FrameDescriptor.TYPE_ACK:
                return ((AckFlyweight)new AckFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, 1 + random.nextInt(3), random.nextLong());
            case FrameDescriptor.TYPE_ERROR:
                return ((ErrorFlyweight)new ErrorFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, random.nextInt(19), -1, name);
            case FrameDescriptor.TYPE_SUBSCRIBE:
                return ((SubscribeFlyweight)new SubscribeFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, 1,
                    1 + random.nextInt(10_000), name, "g", "m");
            case FrameDescriptor.TYPE_ASSIGNMENT:
            {
                final AssignmentFlyweight a = (AssignmentFlyweight)new AssignmentFlyweight().wrap(buffer, 0, MAX_FRAME);
                final int partitions = 1 + random.nextInt(16);
                final int owned = random.nextInt(partitions + 1);
                final int length = a.encode(session, random.nextInt(100), partitions, owned);
                for (int i = 0; i < owned; i++)
                {
                    a.entry(i, i, random.nextInt(1000));
                }
                return length;
            }
            case FrameDescriptor.TYPE_RECORD:
                return ((RecordFlyweight)new RecordFlyweight().wrap(buffer, 0, MAX_FRAME)).encode(session, random.nextInt(16),
                    random.nextInt(1000), random.nextLong(), random.nextLong(), buffer, MAX_FRAME, random.nextInt(300));
            case FrameDescriptor.TYPE_COMMIT:
            {
                final CommitFlyweight c = (CommitFlyweight)new CommitFlyweight().wrap(buffer, 0, MAX_FRAME);
                final int count = random.nextInt(16);
                final int length = c.encode(session, random.nextLong(), random.nextInt(10), count);
                for (int i = 0; i < count; i++)
                {
                    c.entry(i, i, random.nextInt(1000));
                }
                return length;
            }
            case FrameDescriptor.TYPE_HEARTBEAT:
                return new AckFlyweight().wrap(buffer, 0, MAX_FRAME).encodeHeaderOnly(FrameDescriptor.TYPE_HEARTBEAT, session);
            default:
                return new AckFlyweight().wrap(buffer, 0, MAX_FRAME).encodeHeaderOnly(FrameDescriptor.TYPE_LEAVE, session);
        }
    }

    /** Reads every field of an accepted frame through a view limited to the frame's length. */
    private static void readAll(final UnsafeBuffer source, final int length)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        frame.putBytes(0, source, 0, length);
        switch (FrameValidator.type(frame, 0))
        {
            case FrameDescriptor.TYPE_CONNECT:
            {
                final ConnectFlyweight f = (ConnectFlyweight)new ConnectFlyweight().wrap(frame, 0, length);
                assertThat(f.responseChannel().length() + f.topic().length() + f.correlationId() * 0 + f.responseStreamId() * 0)
                    .isEqualTo(length - ConnectFlyweight.CHANNEL_OFFSET);
                break;
            }
            case FrameDescriptor.TYPE_PUBLISH:
            {
                final PublishFlyweight f = (PublishFlyweight)new PublishFlyweight().wrap(frame, 0, length);
                assertThat(PublishFlyweight.EVENT_OFFSET + f.eventLength()).isEqualTo(length);
                f.buffer().getByte(length - 1 < PublishFlyweight.EVENT_OFFSET ? 0 : length - 1);
                break;
            }
            case FrameDescriptor.TYPE_ERROR:
                ((ErrorFlyweight)new ErrorFlyweight().wrap(frame, 0, length)).message();
                break;
            case FrameDescriptor.TYPE_SUBSCRIBE:
            {
                final SubscribeFlyweight f = (SubscribeFlyweight)new SubscribeFlyweight().wrap(frame, 0, length);
                assertThat(f.topic().length() + f.group().length() + f.memberId().length()).isEqualTo(length - SubscribeFlyweight.NAMES_OFFSET);
                break;
            }
            case FrameDescriptor.TYPE_ASSIGNMENT:
            {
                final AssignmentFlyweight f = (AssignmentFlyweight)new AssignmentFlyweight().wrap(frame, 0, length);
                for (int i = 0; i < f.ownedCount(); i++)
                {
                    assertThat(f.partition(i)).isLessThan(f.partitionCount());
                    assertThat(f.startOffset(i)).isNotNegative();
                }
                break;
            }
            case FrameDescriptor.TYPE_RECORD:
            {
                final RecordFlyweight f = (RecordFlyweight)new RecordFlyweight().wrap(frame, 0, length);
                assertThat(RecordFlyweight.PAYLOAD_OFFSET + f.payloadLength()).isEqualTo(length);
                break;
            }
            case FrameDescriptor.TYPE_COMMIT:
            {
                final CommitFlyweight f = (CommitFlyweight)new CommitFlyweight().wrap(frame, 0, length);
                for (int i = 0; i < f.entryCount(); i++)
                {
                    assertThat(f.offset(i)).isNotNegative();
                    f.partition(i);
                }
                break;
            }
            default:
                new AckFlyweight().wrap(frame, 0, length).sessionId();
                break;
        }
    }
}
