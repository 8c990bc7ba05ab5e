package io.sluice.loadgen;

import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * One topic a scenario writes: its event schema, the field that keys and partitions it, the
 * event-time field, and the {@code sent_ns} field the sender stamps with each event's SCHEDULED send
 * time ({@link System#nanoTime()} clock) just before handing it to the target. A user's own topic has
 * no such field (null): the target is then handed the scheduled time beside the event
 * ({@link LoadTarget#send(int, org.agrona.DirectBuffer, int, long)}).
 *
 * @param name        of the topic.
 * @param schema      of its events.
 * @param keyField    name of the partition key field.
 * @param timeField   name of the event-time field (TIMESTAMP, simulated epoch milliseconds), or null in processing time.
 * @param sentNsField name of the LONG field holding the scheduled send time in nanoseconds, or null for none.
 */
public record ScenarioTopic(String name, Schema schema, String keyField, String timeField, String sentNsField)
{
    /** Name of the scheduled-send-time field every scenario schema ends with. */
    public static final String SENT_NS = "sent_ns";

    /**
     * Checks the fields exist with usable types.
     */
    public ScenarioTopic
    {
        if (sentNsField != null && schema.field(sentNsField).type() != FieldType.LONG)
        {
            throw new IllegalArgumentException("topic '" + name + "': " + sentNsField + " must be a LONG field");
        }
        schema.field(keyField);
        if (timeField != null)
        {
            schema.field(timeField);
        }
    }

    /**
     * Byte offset of the scheduled-send-time field within an event.
     *
     * @return the offset of {@code sent_ns}, or -1 without one.
     */
    public int sentNsOffset()
    {
        return sentNsField == null ? -1 : schema.field(sentNsField).offset();
    }

    /**
     * Index of the scheduled-send-time field, for flyweight access.
     *
     * @return the field index of {@code sent_ns}.
     */
    public int sentNsIndex()
    {
        return schema.field(sentNsField).index();
    }
}
