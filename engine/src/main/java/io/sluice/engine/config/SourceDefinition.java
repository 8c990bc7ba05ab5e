package io.sluice.engine.config;

import io.sluice.engine.pipeline.Source;
import io.sluice.schema.Schema;

/**
 * One input of a declared pipeline: a topic, the schema of its events, the field that partitions and
 * keys them, their time, and for a join side whether the topic is a table's changelog. Validated by
 * the loader; immutable.
 *
 * @param topic             the events come from.
 * @param schema            of the events.
 * @param partitionKey      field that routes events to partitions and keys them.
 * @param eventTime         event-time field, or null in processing-time mode.
 * @param maxOutOfOrderness bound of disorder of event time, milliseconds.
 * @param table             whether each event upserts (or deletes) its key's row rather than being a fact.
 * @param deleteFlag        BOOLEAN field marking a table event as a delete, or null.
 */
public record SourceDefinition(
    String topic, Schema schema, String partitionKey, String eventTime, long maxOutOfOrderness, boolean table, String deleteFlag)
{
    /**
     * The DSL source this declaration stands for.
     *
     * @return a new, configured source.
     */
    public Source toSource()
    {
        final Source source = table ? Source.table(topic, schema) : Source.stream(topic, schema);
        source.partitionKey(partitionKey);
        if (eventTime != null)
        {
            source.eventTime(eventTime, maxOutOfOrderness);
        }
        else
        {
            source.processingTime();
        }
        if (deleteFlag != null)
        {
            source.deleteFlag(deleteFlag);
        }
        return source;
    }

    /**
     * Whether two pipelines' declarations of the same topic agree on what the engine journals once
     * per topic: schema, partitioning, time field and stream/table kind.
     *
     * @param other declaration of the same topic.
     * @return the name of the first key that disagrees, or null if they agree.
     */
    String disagreement(final SourceDefinition other)
    {
        if (schema != other.schema)
        {
            return "schema";
        }
        if (!partitionKey.equals(other.partitionKey))
        {
            return "partition_key";
        }
        if (!java.util.Objects.equals(eventTime, other.eventTime))
        {
            return "event_time";
        }
        if (table != other.table)
        {
            return "table";
        }
        return null;
    }
}
