package io.sluice.engine.window;

/**
 * Accessor through which a window operator reads the numeric fields of the current event,
 * typically implemented by the event's flyweight. Called only during
 * {@link WindowOperator#onEvent(long, long, EventValues)}; it must not allocate.
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
