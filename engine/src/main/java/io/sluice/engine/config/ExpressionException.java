package io.sluice.engine.config;

/**
 * A filter expression is malformed or mistyped: unknown field, a symbol compared with a number, a
 * missing parenthesis. Raised when the expression is compiled, never when it is evaluated.
 */
public final class ExpressionException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    private final int column;

    /**
     * Creates the exception.
     *
     * @param expression the text being compiled.
     * @param column     1-based position of the problem in the text.
     * @param reason     what is wrong.
     */
    public ExpressionException(final String expression, final int column, final String reason)
    {
        super(reason + " at column " + column + " of '" + expression + "'");
        this.column = column;
    }

    /**
     * Position of the problem.
     *
     * @return the 1-based column.
     */
    public int column()
    {
        return column;
    }
}
