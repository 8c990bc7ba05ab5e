package io.sluice.engine.time;

/**
 * Factory for the {@link WatermarkGenerator}s Sluice ships.
 */
public final class Watermarks
{
    /**
     * Value of {@code idleTimeout} that disables idle-partition detection.
     */
    public static final long NO_IDLE_TIMEOUT = 0;

    private Watermarks()
    {
    }

    /**
     * Event-time watermarks with bounded out-of-orderness: {@code watermark = max event time
     * seen - bound - 1}, so an event may arrive up to {@code bound} time units behind the newest
     * one without being late.
     * <p>
     * Idle handling: if {@code idleTimeout > 0} and no event arrived between processing-time
     * ticks spanning at least {@code idleTimeout}, a tick at processing time {@code now} advances
     * the watermark to {@code now - bound - 1}. This assumes event time and processing time share
     * a clock, as they do for live feeds; the caller must supply journaled tick timestamps.
     *
     * @param bound       maximum out-of-orderness, {@code >= 0}.
     * @param idleTimeout processing time without events after which the partition counts as idle,
     *                    or {@link #NO_IDLE_TIMEOUT}.
     * @return a new generator.
     */
    public static WatermarkGenerator boundedOutOfOrderness(final long bound, final long idleTimeout)
    {
        if (bound < 0 || idleTimeout < 0)
        {
            throw new IllegalArgumentException("bound and idleTimeout must be >= 0: bound=" + bound +
                " idleTimeout=" + idleTimeout);
        }
        return new BoundedOutOfOrdernessWatermarks(bound, idleTimeout, false);
    }

    /**
     * Event-time watermarks with bounded out-of-orderness and no idle detection.
     *
     * @param bound maximum out-of-orderness, {@code >= 0}.
     * @return a new generator.
     * @see #boundedOutOfOrderness(long, long)
     */
    public static WatermarkGenerator boundedOutOfOrderness(final long bound)
    {
        return boundedOutOfOrderness(bound, NO_IDLE_TIMEOUT);
    }

    /**
     * Processing-time mode: the caller passes the journaled processing timestamp as each event's
     * time, and every tick at {@code now} advances the watermark to {@code now - 1}, so a window
     * {@code [start, end)} fires on the first tick or event at or after {@code end}.
     *
     * @return a new generator.
     */
    public static WatermarkGenerator processingTime()
    {
        return new BoundedOutOfOrdernessWatermarks(0, NO_IDLE_TIMEOUT, true);
    }
}
