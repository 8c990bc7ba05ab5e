package io.sluice.engine.pipeline;

import io.sluice.engine.join.JoinType;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * Declares the join at the head of a two-input pipeline, and the schema of its output rows:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          key (LONG)                           |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    join_flags (INT: MATCH 0, LEFT_NULL 1, RIGHT_NULL 2, +4)   |  8
 *  +---------------------------------------------------------------+
 *  |                           (padding)                           | 12
 *  +---------------------------------------------------------------+
 *  |   the left record, verbatim, fields named <left prefix>_<f>  ... 16
 *  +---------------------------------------------------------------+
 *  |  the right record, verbatim, fields named <right prefix>_<f> ... 16 + left length
 *  +---------------------------------------------------------------+
 * </pre>
 * A null-padded side reads as zeros; join_flags says which side is absent.
 */
public final class JoinSpec
{
    /** How the two inputs meet. */
    public enum Kind
    {
        /** Stream-stream: right.ts in [left.ts + lower, left.ts + upper], bounds inclusive. */
        INTERVAL,
        /** Stream-table: each stream event enriched with the table's current (or versioned) row. */
        LOOKUP,
        /** Table-table: every update of either side emits the updated joined row. */
        TABLES
    }

    /** Output field holding the key. */
    public static final String KEY = "key";
    /** Output field holding the join flags. */
    public static final String FLAGS = "join_flags";
    /** Offset of the left record in an output row (after the key and the flags). */
    public static final int LEFT_BASE = 16;

    private final String name;
    private final Source left;
    private final Source right;
    private final Kind kind;
    private final JoinType type;
    private final long lower;
    private final long upper;
    private final long allowedLateness;
    private final int versions;
    private final int expectedEntries;
    private final int evictionSlice;
    private final long idleTimeout;
    private final Schema output;

    JoinSpec(
        final String name, final Source left, final Source right, final Kind kind, final JoinType type, final long lower,
        final long upper, final long allowedLateness, final int versions, final int expectedEntries, final int evictionSlice,
        final long idleTimeout, final String leftPrefix, final String rightPrefix)
    {
        this.name = name;
        this.left = left;
        this.right = right;
        this.kind = kind;
        this.type = type;
        this.lower = lower;
        this.upper = upper;
        this.allowedLateness = allowedLateness;
        this.versions = versions;
        this.expectedEntries = expectedEntries;
        this.evictionSlice = evictionSlice;
        this.idleTimeout = idleTimeout;
        validate();
        final Schema.Builder builder = Schema.builder(name.replaceAll("[^A-Za-z0-9_]", "_"))
            .longField(KEY).intField(FLAGS).alignTo(8);
        for (final Field field : left.schema().fields())
        {
            builder.field(leftPrefix + "_" + field.name(), field);
        }
        builder.alignTo(8);
        for (final Field field : right.schema().fields())
        {
            builder.field(rightPrefix + "_" + field.name(), field);
        }
        this.output = builder.build();
        // The records are copied verbatim: every field must land at its own offset plus the base, and the row must hold
        // the whole right record (a schema padded between or after its fields, Schema.Builder#alignTo, cannot be).
        checkVerbatim(name, leftPrefix, left.schema(), LEFT_BASE);
        checkVerbatim(name, rightPrefix, right.schema(), rightBase());
        if (output.length() < rightBase() + right.schema().length())
        {
            throw new SchemaException("join '" + name + "': cannot lay out the output rows verbatim: the right schema '" +
                right.schema().name() + "' is padded to " + right.schema().length() + " bytes after its last field");
        }
    }

    private void checkVerbatim(final String name, final String prefix, final Schema side, final int base)
    {
        for (final Field field : side.fields())
        {
            if (output.field(prefix + "_" + field.name()).offset() != base + field.offset())
            {
                throw new SchemaException("join '" + name + "': cannot lay out the output rows verbatim: field '" + field.name() +
                    "' of schema '" + side.name() + "' follows padding");
            }
        }
    }

    private void validate()
    {
        final boolean ok;
        switch (kind)
        {
            case INTERVAL:
                ok = left.kind() == Source.Kind.STREAM && right.kind() == Source.Kind.STREAM;
                break;
            case LOOKUP:
                ok = left.kind() == Source.Kind.STREAM && right.kind() == Source.Kind.TABLE &&
                    (type == JoinType.INNER || type == JoinType.LEFT);
                break;
            default:
                ok = left.kind() == Source.Kind.TABLE && right.kind() == Source.Kind.TABLE;
                break;
        }
        if (!ok)
        {
            throw new SchemaException("join '" + name + "': a " + kind + " join needs " +
                (kind == Kind.INTERVAL ? "two streams" : kind == Kind.LOOKUP ? "a stream on the left and a table on the right, INNER or LEFT" :
                "two tables") + "; got " + left + " and " + right + ", " + type);
        }
        final Field leftKey = left.schema().field(left.partitionKeyField());
        final Field rightKey = right.schema().field(right.partitionKeyField());
        if (leftKey.type() != rightKey.type() || leftKey.width() != rightKey.width())
        {
            throw new SchemaException("join '" + name + "' is not co-partitioned: left key '" + leftKey.name() + "' is " + leftKey.type() +
                " and right key '" + rightKey.name() + "' is " + rightKey.type() + "; partition both topics by keys of the same type");
        }
    }

    /**
     * Offset of the right record in an output row.
     *
     * @return the offset.
     */
    public int rightBase()
    {
        return LEFT_BASE + left.schema().length();
    }

    /**
     * The join's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The left input.
     *
     * @return the left source.
     */
    public Source left()
    {
        return left;
    }

    /**
     * The right input.
     *
     * @return the right source.
     */
    public Source right()
    {
        return right;
    }

    /**
     * How the inputs meet.
     *
     * @return the kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * Inner, left, right or outer.
     *
     * @return the join type.
     */
    public JoinType type()
    {
        return type;
    }

    /**
     * Lower bound of an interval join: a left event at {@code t} matches right events in {@code [t + lower, t + upper]}, both inclusive.
     *
     * @return the lower bound.
     */
    public long lower()
    {
        return lower;
    }

    /**
     * Upper bound of an interval join (see {@link #lower()}).
     *
     * @return the upper bound.
     */
    public long upper()
    {
        return upper;
    }

    /**
     * How far behind the watermark an interval join still accepts an event.
     *
     * @return the allowed lateness.
     */
    public long allowedLateness()
    {
        return allowedLateness;
    }

    /**
     * Versions of each table row a lookup keeps for as-of-event-time joins (1 for the latest only).
     *
     * @return the number of versions.
     */
    public int versions()
    {
        return versions;
    }

    /**
     * Sizing hint for the join's state.
     *
     * @return the expected number of keys.
     */
    public int expectedEntries()
    {
        return expectedEntries;
    }

    /**
     * Complete interval-join records evicted (and null-padded) per event at most (see
     * {@link io.sluice.engine.join.JoinOperatorContext#evictionSlice(int)}).
     *
     * @return the slice, at least 1.
     */
    public int evictionSlice()
    {
        return evictionSlice;
    }

    /**
     * Processing time after which a quiet input's watermark advances, 0 for never.
     *
     * @return the idle timeout.
     */
    public long idleTimeout()
    {
        return idleTimeout;
    }

    /**
     * The schema of the output rows.
     *
     * @return the output schema.
     */
    public Schema output()
    {
        return output;
    }

    @Override
    public String toString()
    {
        return kind + " " + type + " join " + left.topic() + " with " + right.topic() +
            (kind == Kind.INTERVAL ? " within [" + lower + ", " + upper + "]" : "");
    }
}
