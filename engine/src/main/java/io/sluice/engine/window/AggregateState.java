package io.sluice.engine.window;

/**
 * Flyweight over the primitive state slots of one aggregator for one pane, window or session.
 * Slot indices are relative to the aggregator: {@code 0 .. PrimitiveAggregator#slots() - 1}.
 */
public interface AggregateState
{
    /**
     * Read a slot as a long.
     *
     * @param slot index relative to the aggregator.
     * @return the value of the slot.
     */
    long getLong(int slot);

    /**
     * Write a slot as a long.
     *
     * @param slot  index relative to the aggregator.
     * @param value to store.
     */
    void putLong(int slot, long value);

    /**
     * Read a slot as a double.
     *
     * @param slot index relative to the aggregator.
     * @return the value of the slot.
     */
    double getDouble(int slot);

    /**
     * Write a slot as a double.
     *
     * @param slot  index relative to the aggregator.
     * @param value to store.
     */
    void putDouble(int slot, double value);
}
