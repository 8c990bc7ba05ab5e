package io.sluice.engine.config;

import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.engine.pipeline.Pipeline;

/**
 * The join at the head of a declared pipeline. Times are milliseconds. Validated by the loader:
 * the sides are co-partitioned (partition keys of one type), the kind fits the sides (two streams
 * for an interval join, a stream and a table for a lookup, two tables for a table join) and only
 * the settings of the kind are set; immutable.
 *
 * @param kind            interval, lookup or tables.
 * @param type            inner, left, right or outer.
 * @param left            input.
 * @param right           input.
 * @param lower           of an interval join: a right event matches a left event at t if its time is in [t + lower, t + upper].
 * @param upper           of an interval join, at least lower.
 * @param allowedLateness of an interval join: how far behind the watermark an event may still be joined.
 * @param versions        of a lookup: 0 to join the table's current row, else rows kept per key to join the row as of the event's time.
 * @param leftPrefix      of the left fields in the output rows, or null for the DSL's default (the topic name).
 * @param rightPrefix     of the right fields in the output rows, or null for the DSL's default.
 * @param expectedEntries pre-sizes the join state (records or keys at once).
 * @param evictionSlice   of an interval join: complete records evicted per event at most (YAML
 *                        {@code eviction_slice}, a positive integer or {@code unbounded}).
 */
public record JoinDefinition(
    JoinSpec.Kind kind,
    JoinType type,
    SourceDefinition left,
    SourceDefinition right,
    long lower,
    long upper,
    long allowedLateness,
    int versions,
    String leftPrefix,
    String rightPrefix,
    int expectedEntries,
    int evictionSlice)
{
    /**
     * Declares this join with the DSL.
     *
     * @param name        of the pipeline.
     * @param idleTimeout after which a quiet input's watermark advances, 0 for never.
     * @return the join builder, ready for {@link Pipeline.JoinBuilder#then()}.
     */
    Pipeline.JoinBuilder declare(final String name, final long idleTimeout)
    {
        final Pipeline.JoinBuilder builder = Pipeline.join(name, left.toSource(), right.toSource());
        switch (kind)
        {
            case INTERVAL:
                builder.interval(lower, upper).allowedLateness(allowedLateness);
                break;
            case LOOKUP:
                if (versions > 0)
                {
                    builder.lookupAsOfEventTime(versions);
                }
                else
                {
                    builder.lookup();
                }
                break;
            default:
                builder.tables();
                break;
        }
        if (leftPrefix != null)
        {
            builder.prefixes(leftPrefix, rightPrefix);
        }
        return builder.type(type).idleTimeout(idleTimeout).expectedEntries(expectedEntries).evictionSlice(evictionSlice);
    }
}
