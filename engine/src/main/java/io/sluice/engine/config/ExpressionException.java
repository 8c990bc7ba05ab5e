package io.sluice.engine.config;

/**
 * An expression is malformed or mistyped: unknown field, a symbol compared with a number, a missing
 * parenthesis, a constant division by zero. Raised when the expression is compiled, never when it is
 * evaluated (see {@link ExpressionEvaluationException} for that). The message names where the
 * expression is used (e.g. {@code pipeline 'amount-vs-norm' having}) when the caller said so, the
 * reason, the column and the expression.
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
        this(null, expression, column, reason);
    }

    /**
     * Creates the exception for an expression used somewhere named.
     *
     * @param context    where the expression is used, e.g. {@code pipeline 'x' having}; null for nowhere named.
     * @param expression the text being compiled.
     * @param column     1-based position of the problem in the text.
     * @param reason     what is wrong.
     */
    public ExpressionException(final String context, final String expression, final int column, final String reason)
    {
        super(message(context, expression, column, reason));
        this.column = column;
    }

    /**
     * Creates the exception from a complete message (a constant sub-expression that cannot be evaluated).
     *
     * @param message naming the reason, column and expression.
     */
    ExpressionException(final String message)
    {
        super(message);
        this.column = 0;
    }

    /**
     * The message of an error in an expression.
     *
     * @param context    where the expression is used, or null.
     * @param expression the text.
     * @param column     1-based position of the problem.
     * @param reason     what is wrong.
     * @return {@code [context: ]reason at column N of 'expression'}.
     */
    static String message(final String context, final String expression, final int column, final String reason)
    {
        return (context == null ? "" : context + ": ") + reason + " at column " + column + " of '" + expression + "'";
    }

    /**
     * Position of the problem.
     *
     * @return the 1-based column, 0 if the message names it only in its text.
     */
    public int column()
    {
        return column;
    }
}
