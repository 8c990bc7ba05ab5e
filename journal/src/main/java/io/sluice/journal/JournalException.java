package io.sluice.journal;

/**
 * Unchecked, typed failure of the journal. The {@link Category} tells the caller what kind of
 * problem it is and so what may be done about it; the message names the file and offset involved.
 */
public class JournalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What kind of failure this is.
     */
    public enum Category
    {
        /** A configuration value is invalid; raised at start-up. */
        CONFIGURATION,
        /** Bytes on disk do not match their checksum or layout. */
        CORRUPTION,
        /** The operating system refused an operation (disk full, permissions, I/O error). */
        IO,
        /** A read was positioned outside the retained range of a partition. */
        OFFSET_OUT_OF_RANGE,
        /** The writer can no longer acknowledge anything (a force() failed); the partition must be reopened. */
        FATAL,
        /** The API was used against its contract (wrong thread, closed object). */
        STATE
    }

    private final Category category;

    /**
     * Creates an exception of a category.
     *
     * @param category of the failure.
     * @param message  naming what is wrong and where.
     */
    public JournalException(final Category category, final String message)
    {
        super(category + ": " + message);
        this.category = category;
    }

    /**
     * Creates an exception of a category with its cause.
     *
     * @param category of the failure.
     * @param message  naming what is wrong and where.
     * @param cause    the underlying failure.
     */
    public JournalException(final Category category, final String message, final Throwable cause)
    {
        super(category + ": " + message, cause);
        this.category = category;
    }

    /**
     * The category of the failure.
     *
     * @return the category of the failure.
     */
    public Category category()
    {
        return category;
    }
}
