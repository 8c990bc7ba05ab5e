package io.sluice.ops.net;

/**
 * A failure of the network server: a CONFIGURATION error at start-up, or a STATE error (used after
 * close). Unchecked, with a category.
 */
public final class NetException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** What kind of failure. */
    public enum Category
    {
        /** A setting is missing or out of range; reported before anything starts. */
        CONFIGURATION,
        /** The server is in the wrong state for the call. */
        STATE
    }

    private final Category category;

    /**
     * Creates an exception.
     *
     * @param category of the failure.
     * @param message  saying what failed and why.
     */
    public NetException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    /**
     * The category.
     *
     * @return the category.
     */
    public Category category()
    {
        return category;
    }
}
