package io.sluice.engine.join;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.engine.time.Watermarks;

/**
 * Configuration of a join operator with fluent setters; each {@code build*} method validates what
 * that operator needs and fails fast with a clear message. Build-time only, not thread safe.
 * <pre>{@code
 *   IntervalJoinOperator ordersToPayments = new JoinOperatorContext()
 *       .joinType(JoinType.LEFT)
 *       .interval(0, 2_000)                      // payment within 2 s after the order
 *       .leftRecordLength(ORDER.length())
 *       .rightRecordLength(PAYMENT.length())
 *       .leftWatermarks(Watermarks.boundedOutOfOrderness(100))
 *       .rightWatermarks(Watermarks.boundedOutOfOrderness(100))
 *       .resultHandler(writer)
 *       .buildIntervalJoin();
 * }</pre>
 * For stream-table joins the stream is the left side and the table value the right; for
 * table-table joins the record lengths are the two tables' value lengths.
 */
public final class JoinOperatorContext
{
    /**
     * Default of {@link #evictionSlice(int)}: complete interval-join records evicted per event at most.
     */
    public static final int EVICTION_SLICE_DEFAULT = 64;

    /**
     * An {@link #evictionSlice(int)} that evicts everything complete within the event that completed it.
     */
    public static final int EVICTION_SLICE_UNBOUNDED = Integer.MAX_VALUE;

    /**
     * Largest magnitude accepted for interval bounds and allowed lateness, so that a timestamp
     * (within {@code 2^62}) plus a bound plus the lateness cannot overflow.
     */
    public static final long MAX_BOUND_MAGNITUDE = 1L << 60;

    /**
     * Largest version history per key of a versioned table.
     */
    public static final int MAX_VERSIONS = 1024;

    private JoinType joinType = JoinType.INNER;
    private boolean intervalSet;
    private long lower;
    private long upper;
    private long allowedLateness;
    private int leftRecordLength = -1;
    private int rightRecordLength = -1;
    private int versions;
    private int expectedEntries = 1024;
    private int evictionSlice = EVICTION_SLICE_DEFAULT;
    private WatermarkGenerator leftWatermarks;
    private WatermarkGenerator rightWatermarks;
    private JoinResultHandler resultHandler;
    private JoinLateEventHandler lateEventHandler = JoinLateEventHandler.COUNT_ONLY;

    /**
     * Which unmatched rows are emitted. Default {@link JoinType#INNER}.
     *
     * @param joinType of the join.
     * @return this for a fluent API.
     */
    public JoinOperatorContext joinType(final JoinType joinType)
    {
        this.joinType = joinType;
        return this;
    }

    /**
     * Interval of an interval join: a left event at {@code t} matches right events with timestamp
     * in {@code [t + lower, t + upper]}, both inclusive.
     *
     * @param lower bound relative to the left timestamp, may be negative.
     * @param upper bound relative to the left timestamp, {@code >= lower}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext interval(final long lower, final long upper)
    {
        this.lower = lower;
        this.upper = upper;
        this.intervalSet = true;
        return this;
    }

    /**
     * How long beyond its interval a record stays joinable, delaying its null-padded emission.
     * Default 0.
     *
     * @param allowedLateness in event-time units, {@code >= 0}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext allowedLateness(final long allowedLateness)
    {
        this.allowedLateness = allowedLateness;
        return this;
    }

    /**
     * Length of the left records (interval join), stream records (stream-table) or left values
     * (table-table).
     *
     * @param length in bytes, {@code >= 0}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext leftRecordLength(final int length)
    {
        this.leftRecordLength = length;
        return this;
    }

    /**
     * Length of the right records (interval join) or table values (stream-table, table-table).
     *
     * @param length in bytes, {@code >= 0}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext rightRecordLength(final int length)
    {
        this.rightRecordLength = length;
        return this;
    }

    /**
     * Versioned stream-table join: look the table up as of each event's timestamp, keeping at most
     * {@code versions} versions per key. Default 0: latest mode, as of the processed order.
     *
     * @param versions per key, {@code 0} (latest) to {@link #MAX_VERSIONS}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext versionedHistory(final int versions)
    {
        this.versions = versions;
        return this;
    }

    /**
     * Watermark generator of the left input (interval join). Default bounded out-of-orderness 0.
     *
     * @param watermarks generator, owned by the operator from now on.
     * @return this for a fluent API.
     */
    public JoinOperatorContext leftWatermarks(final WatermarkGenerator watermarks)
    {
        this.leftWatermarks = watermarks;
        return this;
    }

    /**
     * Watermark generator of the right input (interval join). Default bounded out-of-orderness 0.
     *
     * @param watermarks generator, owned by the operator from now on.
     * @return this for a fluent API.
     */
    public JoinOperatorContext rightWatermarks(final WatermarkGenerator watermarks)
    {
        this.rightWatermarks = watermarks;
        return this;
    }

    /**
     * Receiver of joined rows. Required.
     *
     * @param resultHandler to call on the operator thread.
     * @return this for a fluent API.
     */
    public JoinOperatorContext resultHandler(final JoinResultHandler resultHandler)
    {
        this.resultHandler = resultHandler;
        return this;
    }

    /**
     * Side output for late events (interval join). Default {@link JoinLateEventHandler#COUNT_ONLY}.
     *
     * @param lateEventHandler to call on the operator thread.
     * @return this for a fluent API.
     */
    public JoinOperatorContext lateEventHandler(final JoinLateEventHandler lateEventHandler)
    {
        this.lateEventHandler = lateEventHandler;
        return this;
    }

    /**
     * Expected records per side (interval join) or keys per table, to pre-size state so steady
     * state never grows it.
     *
     * @param expectedEntries at once, {@code >= 1}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext expectedEntries(final int expectedEntries)
    {
        this.expectedEntries = expectedEntries;
        return this;
    }

    /**
     * Interval joins: complete records evicted per event at most (null-padding the unmatched
     * ones), so that a watermark jump completing thousands of records is spread over the events
     * that follow, in a deterministic order, instead of holding one event up. An explicit watermark
     * advance and the end of input evict everything complete; a journaled tick evicts what was
     * left complete before it.
     *
     * @param evictionSlice records per event, at least 1; {@link #EVICTION_SLICE_UNBOUNDED} evicts
     *                      everything within the event that completed it. Default
     *                      {@link #EVICTION_SLICE_DEFAULT}.
     * @return this for a fluent API.
     */
    public JoinOperatorContext evictionSlice(final int evictionSlice)
    {
        this.evictionSlice = evictionSlice;
        return this;
    }

    /**
     * Validate and build a stream-stream interval join.
     *
     * @return a new operator for one partition.
     * @throws IllegalStateException describing the first invalid setting.
     */
    public IntervalJoinOperator buildIntervalJoin()
    {
        concludeCommon("interval join");
        if (!intervalSet)
        {
            throw new IllegalStateException("interval join needs interval(lower, upper)");
        }
        checkMagnitude("lower", lower);
        checkMagnitude("upper", upper);
        checkMagnitude("allowedLateness", allowedLateness);
        if (lower > upper)
        {
            throw new IllegalStateException("interval lower must be <= upper: lower=" + lower + " upper=" + upper);
        }
        if (allowedLateness < 0)
        {
            throw new IllegalStateException("allowedLateness must be >= 0: " + allowedLateness);
        }
        if (evictionSlice < 1)
        {
            throw new IllegalStateException("evictionSlice must be >= 1: " + evictionSlice);
        }
        if (versions != 0)
        {
            throw new IllegalStateException("versionedHistory applies to stream-table joins only");
        }
        if (leftWatermarks == null)
        {
            leftWatermarks = Watermarks.boundedOutOfOrderness(0);
        }
        if (rightWatermarks == null)
        {
            rightWatermarks = Watermarks.boundedOutOfOrderness(0);
        }
        if (leftWatermarks == rightWatermarks)
        {
            throw new IllegalStateException("left and right need their own watermark generator instances");
        }
        return new IntervalJoinOperator(joinType, lower, upper, allowedLateness, leftWatermarks, rightWatermarks,
            leftRecordLength, rightRecordLength, resultHandler, lateEventHandler, expectedEntries, evictionSlice);
    }

    /**
     * Validate and build a stream-table join (stream left, table right; {@link JoinType#INNER} or
     * {@link JoinType#LEFT}).
     *
     * @return a new operator for one partition.
     * @throws IllegalStateException describing the first invalid setting.
     */
    public StreamTableJoinOperator buildStreamTableJoin()
    {
        concludeCommon("stream-table join");
        if (joinType != JoinType.INNER && joinType != JoinType.LEFT)
        {
            throw new IllegalStateException("stream-table join must be INNER or LEFT, was " + joinType);
        }
        if (versions < 0 || versions > MAX_VERSIONS)
        {
            throw new IllegalStateException("versionedHistory must be in [0, " + MAX_VERSIONS + "]: " + versions);
        }
        checkNotInterval("stream-table join");
        return new StreamTableJoinOperator(
            joinType, leftRecordLength, rightRecordLength, versions, resultHandler, expectedEntries);
    }

    /**
     * Validate and build a table-table join.
     *
     * @return a new operator for one partition.
     * @throws IllegalStateException describing the first invalid setting.
     */
    public TableTableJoinOperator buildTableTableJoin()
    {
        concludeCommon("table-table join");
        if (versions != 0)
        {
            throw new IllegalStateException("versionedHistory applies to stream-table joins only");
        }
        checkNotInterval("table-table join");
        return new TableTableJoinOperator(joinType, leftRecordLength, rightRecordLength, resultHandler, expectedEntries);
    }

    private void concludeCommon(final String what)
    {
        if (joinType == null)
        {
            throw new IllegalStateException(what + " needs a joinType");
        }
        if (leftRecordLength < 0 || rightRecordLength < 0)
        {
            throw new IllegalStateException(what + " needs leftRecordLength and rightRecordLength >= 0: left=" +
                leftRecordLength + " right=" + rightRecordLength);
        }
        if (resultHandler == null)
        {
            throw new IllegalStateException(what + " needs a resultHandler");
        }
        if (lateEventHandler == null)
        {
            throw new IllegalStateException(what + ": lateEventHandler must not be null");
        }
        if (expectedEntries < 1)
        {
            throw new IllegalStateException(what + ": expectedEntries must be >= 1: " + expectedEntries);
        }
    }

    private void checkNotInterval(final String what)
    {
        if (intervalSet || allowedLateness != 0 || leftWatermarks != null || rightWatermarks != null)
        {
            throw new IllegalStateException(what + " has no event-time interval: do not set interval, " +
                "allowedLateness or watermarks");
        }
    }

    private static void checkMagnitude(final String name, final long value)
    {
        if (value < -MAX_BOUND_MAGNITUDE || value > MAX_BOUND_MAGNITUDE)
        {
            throw new IllegalStateException(name + " must be within [-2^60, 2^60]: " + value);
        }
    }
}
