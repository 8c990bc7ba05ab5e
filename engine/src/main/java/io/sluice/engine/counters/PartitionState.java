package io.sluice.engine.counters;

/**
 * The state of a partition, as its {@link SluiceCounters#PARTITION_STATE_TYPE_ID} counter holds it
 * (the code), and as JMX, {@code sluice stat}, {@code sluice ctl status} and the mark file show it
 * (the name).
 *
 * <p>When several apply, the most severe wins: FAILED, DEGRADED, PAUSED, HALTED, RUNNING.
 */
public enum PartitionState
{
    /** Built, its thread not yet started (recovery may be replaying). */
    STARTING(0),
    /** Journaling and processing. */
    RUNNING(1),
    /** Paused by an operator: producers feel back-pressure, nothing is lost. */
    PAUSED(2),
    /** At least one pipeline instance of the partition halted on a stage error (see its pipeline-state counter). */
    HALTED(3),
    /**
     * The journal could not take the last event (disk full): the partition retries and refuses
     * events with the cause until it can journal again.
     */
    DEGRADED(4),
    /** The partition thread stopped on a fatal error; publishing to it fails with the cause. */
    FAILED(5),
    /** The engine has closed the partition. */
    CLOSED(6);

    private static final PartitionState[] BY_CODE = values();

    private final int code;

    PartitionState(final int code)
    {
        this.code = code;
    }

    /**
     * The code stored in the counter.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The state of a counter value.
     *
     * @param code of a state, as read from the counter.
     * @return the state, or null for a code no state has.
     */
    public static PartitionState of(final long code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int)code] : null;
    }

    /**
     * The name of a counter value, for display.
     *
     * @param code as read from the counter.
     * @return the state's name, or {@code UNKNOWN(<code>)}.
     */
    public static String name(final long code)
    {
        final PartitionState state = of(code);
        return state == null ? "UNKNOWN(" + code + ")" : state.name();
    }
}
