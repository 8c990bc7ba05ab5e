package io.sluice.engine.window;

/**
 * Receives window results. Called on the operator's thread; implementations must copy what they
 * need out of the {@link WindowResult}, which is reused, must not allocate if the pipeline is to
 * stay allocation free, and must not call back into the operator. A handler that throws leaves
 * the operator part way through an emission: the stage's error policy should halt it and recover
 * from the last checkpoint rather than carry on.
 * <p>
 * <b>Order.</b> Results are emitted deterministically, so a replay produces identical output:
 * when the watermark advances, due windows fire in ascending order of window end, then key, then
 * window start. {@link #UPDATE} and {@link #EARLY} results are emitted while the triggering event
 * is processed, in ascending order of window end (then start), before the watermark advance that
 * the same event may cause.
 */
@FunctionalInterface
public interface WindowResultHandler
{
    /**
     * Flag of a final result, emitted once when the watermark reaches {@code windowEnd - 1}.
     */
    int FINAL = 1;

    /**
     * Flag of an updated result, re-emitted for a window that has already fired when a late event
     * within the allowed lateness changed it.
     */
    int UPDATE = 2;

    /**
     * Flag of an early, speculative result emitted on update before the window fires.
     */
    int EARLY = 4;

    /**
     * Handle one result.
     *
     * @param key         of the result.
     * @param windowStart inclusive start of the window.
     * @param windowEnd   exclusive end of the window.
     * @param flags       one of {@link #FINAL}, {@link #UPDATE} or {@link #EARLY}.
     * @param result      the aggregates, valid only during this call.
     */
    void onResult(long key, long windowStart, long windowEnd, int flags, WindowResult result);
}
