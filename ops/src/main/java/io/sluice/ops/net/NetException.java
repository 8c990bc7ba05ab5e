package io.sluice.ops.net;

/**
 * A failure of the network server: a CONFIGURATION error at start-up, a STATE error (used after
 * close), or a CONNECTION loss (the Aeron client died and is being replaced). Unchecked, with a category.
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
        STATE,
        /** The server's Aeron client died (conductor starved, media driver gone); the server reconnects. */
        CONNECTION
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
     * Creates an exception with its cause.
     *
     * @param category of the failure.
     * @param message  saying what failed and why.
     * @param cause    what Aeron reported, or null.
     */
    public NetException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
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
