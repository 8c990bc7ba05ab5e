package io.sluice.cdc;

/**
 * An error of the change data capture source, with a category saying what kind of problem it is and
 * so what an operator does about it. Messages name the table, column, slot or setting concerned.
 */
public class CdcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** What kind of error. */
    public enum Category
    {
        /** A setting is missing or wrong; found at start. */
        CONFIGURATION,
        /** A captured table's columns do not fit the topic's schema (unsupported type, missing column, changed by ALTER TABLE). */
        SCHEMA,
        /** A value does not fit its field (too long, not ASCII, out of range, loses digits). */
        DATA,
        /** The replication slot is missing (dropped) or unusable. */
        SLOT,
        /** The connection to PostgreSQL failed; the source retries these. */
        CONNECTION
    }

    private final Category category;

    /**
     * An error.
     *
     * @param category of the error.
     * @param message  naming what and where.
     */
    public CdcException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    /**
     * An error with its cause.
     *
     * @param category of the error.
     * @param message  naming what and where.
     * @param cause    the underlying error.
     */
    public CdcException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    /**
     * The category.
     *
     * @return what kind of error this is.
     */
    public Category category()
    {
        return category;
    }
}
