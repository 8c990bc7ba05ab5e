package io.sluice.loadgen;

/**
 * Where a scenario's planned injected events stand in its run: the positions, ascending, at which
 * the scenario emits its i-th planned event instead of a normal one. The scenario keeps what each
 * planned event carries in its own arrays, indexed by i.
 *
 * <p>Threading: used by the scenario's one producing thread; no allocation.
 */
final class InjectionSchedule
{
    private final long[] positions;
    private int next;

    /**
     * Schedules injections.
     *
     * @param positions of the planned events in the run, ascending.
     */
    InjectionSchedule(final long[] positions)
    {
        this.positions = positions;
    }

    /**
     * Which planned event is due at a position, if any; a due event is then taken.
     *
     * @param index position of the event about to be produced.
     * @return the planned event's number, or -1 when a normal event is due.
     */
    int take(final long index)
    {
        if (next < positions.length && positions[next] == index)
        {
            return next++;
        }
        return -1;
    }
}
