package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;

/**
 * What every keyed window operator is built from besides the shape of its windows (an {@link AlignedWindows}, or a
 * session's gap and lateness): its watermarks, its aggregates, where its results and late events go, and the hints
 * that size and pace its work. {@link WindowOperatorContext#build()} makes one from its validated settings; an
 * {@link AdaptiveWindowOperator} hands the same one to each operator it moves its state into.
 * <p>
 * Build-time only: no operator reads it per event (each copies the fields it uses).
 *
 * @param earlyOnUpdate    whether an update of a window that has fired is emitted at once.
 * @param watermarks       that say which windows are due and which events are late.
 * @param layout           of the aggregates in a key's row.
 * @param resultHandler    to which the windows' results go.
 * @param lateEventHandler to which the late events go.
 * @param expectedEntries  hint of the rows held at once, which sizes the first state.
 * @param firingSlice      most results one signal emits ({@link WindowOperatorContext#firingSlice(int)}).
 * @param firingPace       events over which a firing is spread ({@link WindowOperatorContext#firingPace(int)}); sessions
 *                         take {@link FiringPace#UNPACED} only.
 */
record WindowSettings(
    boolean earlyOnUpdate,
    WatermarkGenerator watermarks,
    AggregateLayout layout,
    WindowResultHandler resultHandler,
    LateEventHandler lateEventHandler,
    int expectedEntries,
    int firingSlice,
    int firingPace)
{
}
