package io.sluice.engine.config;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.Schema;

/**
 * Compiles filter expressions over the fields of a schema into {@link EventPredicate} trees, once,
 * at load time. Evaluating a compiled tree reads fields through the event's flyweight and compares
 * primitives: no allocation, no boxing, no lookups by name.
 *
 * <p>Grammar (keywords are case-insensitive):
 * <pre>
 *   expression := or
 *   or         := and ( ( 'or' | '||' ) and )*
 *   and        := unary ( ( 'and' | '&amp;&amp;' ) unary )*
 *   unary      := ( 'not' | '!' ) unary | '(' expression ')' | comparison | operand
 *   comparison := operand ( '=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' ) operand
 *   operand    := field | number | 'string' | "string" | true | false
 * </pre>
 * Typing is checked at compile time: numbers compare with numeric fields (as longs when both sides
 * are integral, as doubles otherwise); SYMBOL fields compare for equality with quoted ASCII strings
 * or other SYMBOL fields; BOOLEAN fields with {@code true}/{@code false}, or stand alone as a
 * condition; a TIMESTAMP field may be compared with a quoted ISO-8601 instant such as
 * {@code '2024-03-01T09:30:00Z'}, converted to epoch milliseconds at compile time.
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
}
