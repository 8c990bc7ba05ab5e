package io.sluice.engine.window;

/**
 * {@link AggregateState} over a region of a {@code long[]}, re-pointed with {@link #wrap} so one
 * instance serves every pane. Doubles are stored as their raw long bits.
 */
final class SlotFlyweight implements AggregateState
{
    private long[] array;
    private int base;

    SlotFlyweight wrap(final long[] array, final int base)
    {
        this.array = array;
        this.base = base;
        return this;
    }

    @Override
    public long getLong(final int slot)
    {
        return array[base + slot];
    }

    @Override
    public void putLong(final int slot, final long value)
    {
        array[base + slot] = value;
    }

    @Override
    public double getDouble(final int slot)
    {
        return Double.longBitsToDouble(array[base + slot]);
    }

    @Override
    public void putDouble(final int slot, final double value)
    {
        array[base + slot] = Double.doubleToRawLongBits(value);
    }
}
