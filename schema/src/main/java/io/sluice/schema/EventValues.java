package io.sluice.schema;

/**
 * Accessor through which an operator (a window's aggregators, for one) reads the numeric fields of
 * the current event, implemented by the event's {@link EventFlyweight}. Valid only during the call
 * that hands it over; it must not allocate. It lives beside the schema, at the bottom of the
 * dependency graph, so that operators depend on the schema's view and never the other way round.
 */
public interface EventValues
{
    /**
     * Read a field as a long.
     *
     * @param field index of the field in the event schema.
     * @return the value of the field.
     */
    long longValue(int field);

    /**
     * Read a field as a double.
     *
     * @param field index of the field in the event schema.
     * @return the value of the field.
     */
    double doubleValue(int field);
}
