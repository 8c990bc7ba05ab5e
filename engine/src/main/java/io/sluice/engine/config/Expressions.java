package io.sluice.engine.config;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.Schema;

/**
 * Compiles expressions over the fields of a schema into evaluator trees ({@link EventPredicate} for
 * conditions, primitive numeric nodes for arithmetic), once, at load time. Evaluating a compiled tree
 * reads fields through the event's flyweight and combines primitives: no allocation, no boxing, no
 * lookups by name. Constant sub-expressions are folded when compiled.
 *
 * <p>Grammar (keywords and function names are case-insensitive; lowest precedence first):
 * <pre>
 *   expression := or
 *   or         := and ( ( 'or' | '||' ) and )*
 *   and        := not ( ( 'and' | '&amp;&amp;' ) not )*
 *   not        := ( 'not' | '!' ) not | comparison
 *   comparison := sum [ ( '=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' ) sum ]
 *   sum        := product ( ( '+' | '-' ) product )*
 *   product    := sign ( ( '*' | '/' ) sign )*
 *   sign       := '-' sign | primary
 *   primary    := field | number | 'string' | "string" | true | false | '(' expression ')'
 *               | function '(' expression ( ',' expression )* ')'
 *   function   := abs (one argument) | min | max (two or more) | double (one) | round (a number, a scale 0-18)
 * </pre>
 * Typing is checked at compile time:
 * <ul>
 *   <li>Arithmetic takes numbers: number literals and LONG, INT, TIMESTAMP and DOUBLE fields. It stays
 *       LONG (64-bit, exact) while every operand is integral; any DOUBLE operand makes the operation
 *       DOUBLE. {@code /} of two integers truncates toward zero ({@code 7 / 2} is 3; write
 *       {@code double(a) / b} or {@code a * 1.0 / b} for 3.5). {@code abs}, {@code min} and
 *       {@code max} follow the same rule.</li>
 *   <li>DECIMAL(p, s) fields compute exactly on their scaled longs (see {@code DecimalNodes} for the
 *       scale rules): an integer operand is a decimal of scale 0, a literal written with a '.' and no
 *       exponent next to a decimal is an exact decimal, a DOUBLE operand makes the operation DOUBLE.
 *       {@code round(x, n)} rounds a decimal or an integer to scale n, HALF_EVEN. A decimal result of
 *       more than 18 digits, and a decimal division by zero, cannot be evaluated, as below.</li>
 *   <li>An integer division by zero or an integer result out of the 64-bit range cannot be evaluated:
 *       the operator throws an {@link ExpressionEvaluationException} naming it, which the stage running
 *       the expression handles under the pipeline's error policy (skip and count by default). DOUBLE
 *       arithmetic is IEEE 754 and never fails ({@code x / 0.0} is an infinity, {@code 0.0 / 0.0} NaN).
 *       In a constant sub-expression these are compile-time errors.</li>
 *   <li>Comparisons of numbers compare as longs when both sides are integral, exactly when one side is
 *       a DECIMAL and neither a DOUBLE, as doubles otherwise;
 *       SYMBOL fields compare for equality with quoted ASCII strings or other SYMBOL fields; BOOLEAN
 *       fields with {@code true}/{@code false}, or stand alone as a condition; a TIMESTAMP field may be
 *       compared with a quoted ISO-8601 instant such as {@code '2024-03-01T09:30:00Z'}, converted to
 *       epoch milliseconds at compile time.</li>
 * </ul>
 */
public final class Expressions
{
    private Expressions()
    {
    }

    /**
     * Compiles an expression.
     *
     * @param expression text of the condition, e.g. {@code amount > 100 and (merchant = 'ACME' or not online)}.
     * @param schema     of the events the condition will be evaluated on.
     * @return the predicate; immutable, so it may be shared by the instances of every partition.
     * @throws ExpressionException naming the column and the reason.
     */
    public static EventPredicate compile(final String expression, final Schema schema)
    {
        return new ExpressionParser(expression, schema).parse();
    }

    /**
     * Compiles a condition used somewhere named, which every compile-time error and every evaluation
     * error of it then names.
     *
     * @param expression text of the condition.
     * @param schema     of the events the condition will be evaluated on.
     * @param context    where it is used, e.g. {@code pipeline 'card-velocity' having}.
     * @return the predicate; immutable, so it may be shared by the instances of every partition.
     * @throws ExpressionException naming the context, the column and the reason.
     */
    public static EventPredicate compile(final String expression, final Schema schema, final String context)
    {
        return new ExpressionParser(expression, schema, context).parse();
    }
}
