package io.sluice.engine.window;

/**
 * Makes the single-writer rule of an operator checkable: the first thread that mutates the
 * operator becomes its owner and every later mutation must come from it. Used in
 * {@code assert} statements so the check costs nothing when assertions are off.
 */
final class OwnerThread
{
    private Thread owner;

    boolean isOwner()
    {
        final Thread current = Thread.currentThread();
        if (owner == null)
        {
            owner = current;
        }
        return owner == current;
    }

    void release()
    {
        owner = null;
    }

    String describe()
    {
        return "operator owned by " + owner + " called from " + Thread.currentThread();
    }

    static void checkTimestamp(final long timestamp)
    {
        if (timestamp < -WindowOperatorContext.MAX_TIME_MAGNITUDE || timestamp > WindowOperatorContext.MAX_TIME_MAGNITUDE)
        {
            throw new IllegalArgumentException("event time outside [-2^62, 2^62]: " + timestamp);
        }
    }
}
