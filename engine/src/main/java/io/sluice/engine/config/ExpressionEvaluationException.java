package io.sluice.engine.config;

import io.sluice.engine.exceptions.SluiceException;

/**
 * A compiled expression could not be evaluated on one event: an integer division by zero, or an
 * integer result outside the 64-bit range (or an INT field's 32-bit range). Thrown by the evaluator
 * into the stage that runs it, which applies the pipeline's {@code on_error} policy: {@code skip}
 * counts it, records it once in the distinct error log and drops the event; {@code dead_letter} also
 * hands the event to the dead-letter output; {@code halt} halts the partition's pipeline, visibly.
 *
 * <p>Each instance is created once, when the expression is compiled, for one operator at one column,
 * and thrown again for every event that fails there: it carries no stack trace (the message says
 * where), so an error costs no allocation on the hot path either.
 */
public final class ExpressionEvaluationException extends SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for one operator of one expression.
     *
     * @param message what fails and where: the reason, the column and the expression.
     */
    public ExpressionEvaluationException(final String message)
    {
        super(message);
    }

    /**
     * No stack trace: the instance is shared by every failure at its operator, and the message names
     * the operator's column in the expression.
     *
     * @return this.
     */
    @Override
    public synchronized Throwable fillInStackTrace()
    {
        return this;
    }
}
