package io.sluice.engine.exceptions;

/**
 * Base of the engine's unchecked exceptions, with a {@link Category} that says how bad it is (as
 * Aeron's {@code AeronException.Category}): whoever catches one can decide by category whether to
 * stop, refuse one request, or count and go on, without knowing every subtype.
 */
public class SluiceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * How bad an exception is.
     */
    public enum Category
    {
        /** The component that raised it cannot continue (a failed partition, an unusable journal). */
        FATAL,
        /** The request or input that raised it failed; the component goes on (bad configuration, bad input). */
        ERROR,
        /** Worth recording; nothing failed. */
        WARN
    }

    private final Category category;

    /**
     * An exception of category {@link Category#ERROR}.
     *
     * @param message what happened, naming what and where.
     */
    public SluiceException(final String message)
    {
        this(message, null, Category.ERROR);
    }

    /**
     * An exception of category {@link Category#ERROR} with a cause.
     *
     * @param message what happened, naming what and where.
     * @param cause   the underlying failure, or null.
     */
    public SluiceException(final String message, final Throwable cause)
    {
        this(message, cause, Category.ERROR);
    }

    /**
     * An exception of a category.
     *
     * @param message  what happened, naming what and where.
     * @param cause    the underlying failure, or null.
     * @param category how bad it is.
     */
    public SluiceException(final String message, final Throwable cause, final Category category)
    {
        super(message, cause);
        this.category = category;
    }

    /**
     * How bad this exception is.
     *
     * @return the category.
     */
    public Category category()
    {
        return category;
    }
}
