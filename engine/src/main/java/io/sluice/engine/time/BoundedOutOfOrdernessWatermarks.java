package io.sluice.engine.time;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Watermark = max event time seen - bound - 1, never decreasing; optionally advanced by idle
 * detection or, in processing-time mode, by every tick.
 * <p>
 * Snapshot layout (little endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Max Event Time                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Watermark                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Last Active Tick Time                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Events Since Last Tick (0 or 1)                 |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class BoundedOutOfOrdernessWatermarks implements WatermarkGenerator
{
    static final int MAX_EVENT_TIME_OFFSET = 0;
    static final int WATERMARK_OFFSET = 8;
    static final int LAST_ACTIVE_OFFSET = 16;
    static final int EVENTS_SINCE_TICK_OFFSET = 24;
    static final int LENGTH = 28;

    private final long bound;
    private final long idleTimeout;
    private final boolean processingTimeMode;
    private long maxEventTime = Long.MIN_VALUE;
    private long watermark = NO_WATERMARK;
    private long lastActiveTick = Long.MIN_VALUE;
    private boolean eventsSinceTick;

    BoundedOutOfOrdernessWatermarks(final long bound, final long idleTimeout, final boolean processingTimeMode)
    {
        this.bound = bound;
        this.idleTimeout = idleTimeout;
        this.processingTimeMode = processingTimeMode;
    }

    @Override
    public long onEvent(final long eventTime)
    {
        eventsSinceTick = true;
        if (eventTime > maxEventTime)
        {
            maxEventTime = eventTime;
            advanceTo(eventTime - bound - 1);
        }
        return watermark;
    }

    @Override
    public long onProcessingTime(final long processingTime)
    {
        if (processingTime == CONTINUATION)
        {
            return watermark;
        }
        if (processingTimeMode)
        {
            return advanceTo(processingTime - 1);
        }

        if (eventsSinceTick || lastActiveTick == Long.MIN_VALUE)
        {
            eventsSinceTick = false;
            lastActiveTick = processingTime;
        }
        else if (idleTimeout > 0 && processingTime - lastActiveTick >= idleTimeout)
        {
            advanceTo(processingTime - bound - 1);
        }
        return watermark;
    }

    @Override
    public long advanceTo(final long newWatermark)
    {
        if (newWatermark > watermark)
        {
            watermark = newWatermark;
        }
        return watermark;
    }

    @Override
    public long endOfInput()
    {
        watermark = END_OF_TIME;
        return watermark;
    }

    @Override
    public long watermark()
    {
        return watermark;
    }

    @Override
    public int snapshotLength()
    {
        return LENGTH;
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + MAX_EVENT_TIME_OFFSET, maxEventTime, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + WATERMARK_OFFSET, watermark, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + LAST_ACTIVE_OFFSET, lastActiveTick, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + EVENTS_SINCE_TICK_OFFSET, eventsSinceTick ? 1 : 0, ByteOrder.LITTLE_ENDIAN);
        return LENGTH;
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        maxEventTime = buffer.getLong(offset + MAX_EVENT_TIME_OFFSET, ByteOrder.LITTLE_ENDIAN);
        watermark = buffer.getLong(offset + WATERMARK_OFFSET, ByteOrder.LITTLE_ENDIAN);
        lastActiveTick = buffer.getLong(offset + LAST_ACTIVE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        eventsSinceTick = buffer.getInt(offset + EVENTS_SINCE_TICK_OFFSET, ByteOrder.LITTLE_ENDIAN) != 0;
        return LENGTH;
    }
}
