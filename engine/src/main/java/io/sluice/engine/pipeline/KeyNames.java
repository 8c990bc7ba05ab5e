package io.sluice.engine.pipeline;

/**
 * Renders a keyed output's key as text: the name of a {@code SYMBOL} key whose hash the output
 * carries. File sinks ask it for each window result and join row; the live daemon's answer is a
 * {@link io.sluice.engine.exec.SymbolKeyNames} registry fed by the partition threads, the backtest's
 * a map fed by its readers.
 *
 * <p>Threading: called on the thread that produced the output (the partition's thread).
 */
@FunctionalInterface
public interface KeyNames
{
    /**
     * The name of a key.
     *
     * @param partition the output came from.
     * @param key       of the output (a symbol's hash).
     * @return the name, or null when unknown (the sink then writes the number).
     */
    String name(int partition, long key);
}
