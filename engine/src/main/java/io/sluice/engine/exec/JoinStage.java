package io.sluice.engine.exec;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.join.IntervalJoinOperator;
import io.sluice.engine.join.JoinOperator;
import io.sluice.engine.join.JoinOperatorContext;
import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.StreamTableJoinOperator;
import io.sluice.engine.join.TableTableJoinOperator;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.EventFlyweight;
import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.engine.time.Watermarks;
import io.sluice.journal.WordCopy;

/**
 * The head of a join pipeline: feeds each input event to the join operator as left or right,
 * stream event or table update (a table event with its delete flag set deletes its key's row), and
 * turns every joined row into one output event of the {@link JoinSpec#output()} schema, copying
 * both records verbatim. Partition thread only; allocation-free per event.
 */
final class JoinStage implements JoinResultHandler
{
    private final JoinSpec spec;
    private final Stage next;
    private final EventFlyweight out;
    private final UnsafeBuffer row;
    private final int leftLength;
    private final int rightLength;
    private final int rightBase;
    private final int leftDeleteOffset;
    private final int rightDeleteOffset;
    private final JoinOperator operator;
    private final IntervalJoinOperator interval;
    private final StreamTableJoinOperator lookup;
    private final TableTableJoinOperator tables;
    /** What the last {@link #prefetch} loaded, kept so that its loads are not dropped. */
    private long prefetched;

    JoinStage(final PipelineInstance instance, final JoinSpec spec, final Stage next)
    {
        this.spec = spec;
        this.next = next;
        this.row = new UnsafeBuffer(new byte[spec.output().length()]);
        this.out = new EventFlyweight(spec.output()).wrapForWrite(row, 0);
        this.leftLength = spec.left().schema().length();
        this.rightLength = spec.right().schema().length();
        this.rightBase = spec.rightBase();
        this.leftDeleteOffset = deleteOffset(spec.left());
        this.rightDeleteOffset = deleteOffset(spec.right());
        final JoinOperatorContext context = new JoinOperatorContext()
            .joinType(spec.type())
            .leftRecordLength(leftLength)
            .rightRecordLength(rightLength)
            .expectedEntries(spec.expectedEntries())
            .evictionSlice(spec.evictionSlice())
            .resultHandler(this)
            .lateEventHandler((side, key, ts, watermark, buffer, offset) -> instance.onLateJoinEvent());
        try
        {
            switch (spec.kind())
            {
                case INTERVAL:
                    interval = context.interval(spec.lower(), spec.upper())
                        .allowedLateness(spec.allowedLateness())
                        .leftWatermarks(watermarks(spec.left(), spec.idleTimeout()))
                        .rightWatermarks(watermarks(spec.right(), spec.idleTimeout()))
                        .buildIntervalJoin();
                    lookup = null;
                    tables = null;
                    operator = interval;
                    break;
                case LOOKUP:
                    lookup = context.versionedHistory(spec.versions()).buildStreamTableJoin();
                    interval = null;
                    tables = null;
                    operator = lookup;
                    break;
                default:
                    tables = context.buildTableTableJoin();
                    interval = null;
                    lookup = null;
                    operator = tables;
                    break;
            }
        }
        catch (final IllegalStateException ex)
        {
            throw new io.sluice.schema.SchemaException("join '" + spec.name() + "': " + ex.getMessage());
        }
    }

    private static int deleteOffset(final Source source)
    {
        return source.deleteFlagField() < 0 ? -1 : source.schema().field(source.deleteFlagField()).offset();
    }

    private static WatermarkGenerator watermarks(final Source source, final long idleTimeout)
    {
        return source.eventTimeField() < 0 ?
            Watermarks.processingTime() : Watermarks.boundedOutOfOrderness(source.maxOutOfOrderness(), idleTimeout);
    }

    JoinOperator operator()
    {
        return operator;
    }

    long watermark()
    {
        return interval == null ? Long.MIN_VALUE : interval.watermark();
    }

    void onInput(final int input, final DirectBuffer buffer, final int offset, final long key, final long timestamp)
    {
        switch (spec.kind())
        {
            case INTERVAL:
                if (input == LEFT)
                {
                    interval.onLeft(key, timestamp, buffer, offset);
                }
                else
                {
                    interval.onRight(key, timestamp, buffer, offset);
                }
                break;
            case LOOKUP:
                if (input == LEFT)
                {
                    lookup.onStreamEvent(key, timestamp, buffer, offset);
                }
                else if (deleted(buffer, offset, rightDeleteOffset))
                {
                    lookup.onTableDelete(key, timestamp);
                }
                else
                {
                    lookup.onTableUpsert(key, timestamp, buffer, offset);
                }
                break;
            default:
                if (input == LEFT)
                {
                    if (deleted(buffer, offset, leftDeleteOffset))
                    {
                        tables.onLeftDelete(key, timestamp);
                    }
                    else
                    {
                        tables.onLeftUpsert(key, timestamp, buffer, offset);
                    }
                }
                else if (deleted(buffer, offset, rightDeleteOffset))
                {
                    tables.onRightDelete(key, timestamp);
                }
                else
                {
                    tables.onRightUpsert(key, timestamp, buffer, offset);
                }
                break;
        }
    }

    /**
     * A hint that events of these keys come next: an interval join loads their entries in its key index
     * ({@link IntervalJoinOperator#prefetch}); other joins ignore it. Changes nothing.
     *
     * @param keys of the coming events.
     * @param from first index in {@code keys}.
     * @param to   one past the last.
     */
    void prefetch(final long[] keys, final int from, final int to)
    {
        if (interval != null)
        {
            prefetched = interval.prefetch(keys, from, to);
        }
    }

    private static boolean deleted(final DirectBuffer buffer, final int offset, final int flagOffset)
    {
        return flagOffset >= 0 && buffer.getByte(offset + flagOffset) != 0;
    }

    /**
     * Whether an interval join still has complete records to evict (null-padding the unmatched) in slices.
     */
    boolean resultsPending()
    {
        return interval != null && interval.evictionPending();
    }

    void onProcessingTime(final long processingTime)
    {
        if (interval != null)
        {
            interval.onProcessingTime(processingTime);
        }
        next.onProcessingTime(processingTime);
    }

    void onEndOfInput()
    {
        if (interval != null)
        {
            interval.endOfInput();
        }
        next.onEndOfInput();
    }

    @Override
    public void onJoin(
        final long key,
        final long timestamp,
        final int flags,
        final DirectBuffer left,
        final int leftOffset,
        final DirectBuffer right,
        final int rightOffset)
    {
        row.putLong(0, key);
        row.putInt(8, flags);
        // Records of a few dozen bytes: word copies, where a putBytes call costs more than the copy.
        WordCopy.copy(row, JoinSpec.LEFT_BASE, left, leftOffset, leftLength);
        WordCopy.copy(row, rightBase, right, rightOffset, rightLength);
        next.onEvent(out, key, timestamp);
    }
}
