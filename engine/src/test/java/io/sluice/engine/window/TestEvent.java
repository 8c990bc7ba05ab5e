package io.sluice.engine.window;

import io.sluice.schema.EventValues;

/**
 * Mutable event for tests: field 0 is a long, field 1 a double.
 */
final class TestEvent implements EventValues
{
    long longField;
    double doubleField;

    TestEvent set(final long longField, final double doubleField)
    {
        this.longField = longField;
        this.doubleField = doubleField;
        return this;
    }

    @Override
    public long longValue(final int field)
    {
        return field == 0 ? longField : (long)doubleField;
    }

    @Override
    public double doubleValue(final int field)
    {
        return field == 1 ? doubleField : (double)longField;
    }
}
