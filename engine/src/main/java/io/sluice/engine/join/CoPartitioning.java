package io.sluice.engine.join;

import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * Build-time check that the two inputs of a join are co-partitioned, so that the operator of
 * partition {@code p} sees every row of the keys routed to {@code p} from both sides.
 * <p>
 * Events are routed by {@code io.sluice.journal.Topic#partitionFor(key, partitions)} over the
 * long key taken from the partition key field: the value of a LONG, INT or TIMESTAMP field, or
 * the FNV-1a hash of a SYMBOL field's full width. So two inputs are co-partitioned when they have
 * the same partition count and key fields that turn equal keys into equal longs: both integral
 * (LONG, INT, TIMESTAMP, in any mix), or both SYMBOL of the same width.
 */
public final class CoPartitioning
{
    private CoPartitioning()
    {
    }

    /**
     * One input of a join as routed by the broker.
     *
     * @param topic      the input is read from.
     * @param schema     of its events.
     * @param keyField   name of the partition key field.
     * @param partitions partition count of the topic.
     */
    public record Input(String topic, Schema schema, String keyField, int partitions)
    {
    }

    /**
     * Verify that two join inputs are co-partitioned.
     *
     * @param joinName naming the join in the message.
     * @param left     input.
     * @param right    input.
     * @throws SchemaException naming the join, both inputs and what differs, with the remedy.
     */
    public static void check(final String joinName, final Input left, final Input right)
    {
        final Field leftKey = keyOf(joinName, "left", left);
        final Field rightKey = keyOf(joinName, "right", right);
        if (left.partitions() != right.partitions())
        {
            throw new SchemaException("join '" + joinName + "' is not co-partitioned: left topic '" + left.topic() +
                "' has " + left.partitions() + " partitions but right topic '" + right.topic() + "' has " +
                right.partitions() + "; both sides need the same partition count (repartition one side into a " +
                "topic with " + left.partitions() + " partitions)");
        }
        final boolean leftSymbol = leftKey.type() == FieldType.SYMBOL;
        final boolean rightSymbol = rightKey.type() == FieldType.SYMBOL;
        if (leftSymbol != rightSymbol || (leftSymbol && leftKey.width() != rightKey.width()))
        {
            throw new SchemaException("join '" + joinName + "' is not co-partitioned: left key '" + left.topic() + "." +
                leftKey.name() + "' is " + describe(leftKey) + " but right key '" + right.topic() + "." +
                rightKey.name() + "' is " + describe(rightKey) + "; equal keys would be routed to different " +
                "partitions (use integral keys on both sides, or SYMBOL keys of the same width)");
        }
    }

    private static Field keyOf(final String joinName, final String side, final Input input)
    {
        if (input.partitions() < 1)
        {
            throw new SchemaException("join '" + joinName + "': " + side + " topic '" + input.topic() +
                "' must have at least one partition, has " + input.partitions());
        }
        if (!input.schema().hasField(input.keyField()))
        {
            throw new SchemaException("join '" + joinName + "': " + side + " key field '" + input.keyField() +
                "' is not in schema " + input.schema().name() + " of topic '" + input.topic() + "'");
        }
        final Field key = input.schema().field(input.keyField());
        if (key.type() == FieldType.DOUBLE || key.type() == FieldType.BOOLEAN || key.type() == FieldType.DECIMAL ||
            key.type() == FieldType.TEXT)
        {
            throw new SchemaException("join '" + joinName + "': " + side + " key field '" + input.keyField() +
                "' is " + key.type() + "; a join key must be LONG, INT, TIMESTAMP or SYMBOL");
        }
        return key;
    }

    private static String describe(final Field key)
    {
        return key.type() == FieldType.SYMBOL ? "SYMBOL(" + key.width() + ")" : key.type().toString();
    }
}
