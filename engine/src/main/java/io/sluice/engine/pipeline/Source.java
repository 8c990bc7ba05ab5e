package io.sluice.engine.pipeline;

import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * An input of a pipeline: a topic of events of a schema, how each event's partition key and time
 * are found, and whether the topic is a stream of facts or a table's changelog (each event upserts
 * its key's row, or deletes it when its delete flag is set). Build-time only.
 */
public final class Source
{
    /** Whether a source is a stream or a table changelog. */
    public enum Kind
    {
        /** Every event is a fact. */
        STREAM,
        /** Every event upserts (or, with its delete flag set, deletes) the row of its key. */
        TABLE
    }

    private final Kind kind;
    private final String topic;
    private final Schema schema;
    private int partitionKeyField = -1;
    private int eventTimeField = -1;
    private boolean timeChosen;
    private long maxOutOfOrderness;
    private int deleteFlagField = -1;

    private Source(final Kind kind, final String topic, final Schema schema)
    {
        this.kind = kind;
        this.topic = topic;
        this.schema = schema;
    }

    /**
     * A stream of events.
     *
     * @param topic  the events come from.
     * @param schema of the events.
     * @return the source, to configure.
     */
    public static Source stream(final String topic, final Schema schema)
    {
        return new Source(Kind.STREAM, topic, schema);
    }

    /**
     * A table's changelog: each event upserts the row of its key.
     *
     * @param topic  the changelog comes from.
     * @param schema of the rows.
     * @return the source, to configure.
     */
    public static Source table(final String topic, final Schema schema)
    {
        return new Source(Kind.TABLE, topic, schema);
    }

    /**
     * The field whose value routes each event to its partition and keys it: a LONG, INT, TIMESTAMP or
     * SYMBOL field (a SYMBOL is hashed). A DECIMAL or a TEXT field is refused, as in YAML: a key is
     * compared and hashed as a whole 64-bit value or symbol, which neither is.
     *
     * @param field of the schema.
     * @return this.
     * @throws SchemaException naming the source, the field and its type, for a DECIMAL or TEXT field.
     */
    public Source partitionKey(final String field)
    {
        final Field f = schema.field(field);
        if (f.type() == FieldType.DECIMAL || f.type() == FieldType.TEXT)
        {
            throw new SchemaException("source '" + topic + "': partition key '" + field + "' is a " + f.typeText() +
                "; use a LONG, INT, TIMESTAMP or SYMBOL field");
        }
        partitionKeyField = f.index();
        return this;
    }

    /**
     * Event time from a field, with watermarks trailing the largest time seen by the bound.
     *
     * @param field             TIMESTAMP or LONG field.
     * @param maxOutOfOrderness bound of disorder.
     * @return this.
     */
    public Source eventTime(final String field, final long maxOutOfOrderness)
    {
        final Field f = schema.field(field);
        if (f.type() != FieldType.TIMESTAMP && f.type() != FieldType.LONG)
        {
            throw new SchemaException("source '" + topic + "': event-time field '" + field + "' must be TIMESTAMP or LONG, is " + f.type());
        }
        if (maxOutOfOrderness < 0)
        {
            throw new SchemaException("source '" + topic + "': maxOutOfOrderness must not be negative, was " + maxOutOfOrderness);
        }
        eventTimeField = f.index();
        this.maxOutOfOrderness = maxOutOfOrderness;
        timeChosen = true;
        return this;
    }

    /**
     * Processing time: each event's time is its journaled ingest time.
     *
     * @return this.
     */
    public Source processingTime()
    {
        eventTimeField = -1;
        timeChosen = true;
        return this;
    }

    /**
     * For a table: the BOOLEAN field that marks an event as a delete (tombstone) of its key's row.
     *
     * @param field BOOLEAN field of the schema.
     * @return this.
     */
    public Source deleteFlag(final String field)
    {
        final Field f = schema.field(field);
        if (kind != Kind.TABLE || f.type() != FieldType.BOOLEAN)
        {
            throw new SchemaException("source '" + topic + "': a delete flag must be a BOOLEAN field of a table source");
        }
        deleteFlagField = f.index();
        return this;
    }

    void validate(final String pipeline)
    {
        if (partitionKeyField < 0)
        {
            throw new SchemaException("pipeline '" + pipeline + "' source '" + topic + "' has no partition key: call partitionKey(field)");
        }
        if (!timeChosen)
        {
            throw new SchemaException("pipeline '" + pipeline + "' source '" + topic +
                "' has no time: call eventTime(field, bound) or processingTime()");
        }
    }

    /**
     * Stream or table.
     *
     * @return the kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * The topic.
     *
     * @return the topic name.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * The schema of the topic's events.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * Index of the partition key field.
     *
     * @return the field index, -1 if unset.
     */
    public int partitionKeyField()
    {
        return partitionKeyField;
    }

    /**
     * Index of the event-time field, -1 for processing time.
     *
     * @return the field index or -1.
     */
    public int eventTimeField()
    {
        return eventTimeField;
    }

    /**
     * Bound of disorder of the event times.
     *
     * @return the bound.
     */
    public long maxOutOfOrderness()
    {
        return maxOutOfOrderness;
    }

    /**
     * Index of the delete flag field of a table, -1 if none.
     *
     * @return the field index or -1.
     */
    public int deleteFlagField()
    {
        return deleteFlagField;
    }

    Source copy()
    {
        final Source copy = new Source(kind, topic, schema);
        copy.partitionKeyField = partitionKeyField;
        copy.eventTimeField = eventTimeField;
        copy.timeChosen = timeChosen;
        copy.maxOutOfOrderness = maxOutOfOrderness;
        copy.deleteFlagField = deleteFlagField;
        return copy;
    }

    @Override
    public String toString()
    {
        return kind.name().toLowerCase() + " " + topic;
    }
}
