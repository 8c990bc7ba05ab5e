package io.sluice.engine.config;

/**
 * One aggregate of a declared window: {@code total: sum(amount)}.
 *
 * @param name     of the result field.
 * @param function count, sum, min, max, avg, first or last.
 * @param field    of the input the function reads; null for count.
 */
public record AggregateDefinition(String name, String function, String field)
{
}
