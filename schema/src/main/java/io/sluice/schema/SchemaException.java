package io.sluice.schema;

/**
 * A schema was declared or used wrongly: unknown field, wrong type, bad width. Raised when a
 * pipeline is built, never per event.
 */
public final class SchemaException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message naming the schema, the field and what is wrong.
     */
    public SchemaException(final String message)
    {
        super(message);
    }
}
