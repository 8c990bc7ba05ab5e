package io.sluice.schema;

import io.sluice.engine.exceptions.SluiceException;

/**
 * A schema was declared or used wrongly: unknown field, wrong type, bad width. Raised when a
 * pipeline is built, never per event; a {@link SluiceException} of category
 * {@link SluiceException.Category#ERROR} (the configuration is refused, nothing runs).
 */
public final class SchemaException extends SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message naming the schema, the field and what is wrong.
     */
    public SchemaException(final String message)
    {
        super(message, null, Category.ERROR);
    }
}
