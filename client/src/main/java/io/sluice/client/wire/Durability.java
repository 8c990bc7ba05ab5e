package io.sluice.client.wire;

/**
 * Acknowledgement levels. A producer asks for one per event; an ACK reports one.
 *
 * <ul>
 *   <li>{@link #JOURNALED}: the event is in the journal's mapped file and processed; it survives
 *   kill -9 of the daemon (the page cache keeps it), not a power loss.</li>
 *   <li>{@link #DURABLE}: additionally covered by a completed force(); it survives power loss.</li>
 *   <li>{@link #COMMITTED}: (consumers) a COMMIT is durably stored in the group's offsets file.</li>
 * </ul>
 */
public final class Durability
{
    /** Journaled and processed; survives a process crash. */
    public static final int JOURNALED = 1;
    /** Forced to the storage device; survives power loss. */
    public static final int DURABLE = 2;
    /** A consumer group commit is stored (ACK level only). */
    public static final int COMMITTED = 3;

    private Durability()
    {
    }

    /**
     * The name of a level, for diagnostics.
     *
     * @param level of durability.
     * @return its name.
     */
    public static String name(final int level)
    {
        switch (level)
        {
            case JOURNALED:
                return "JOURNALED";
            case DURABLE:
                return "DURABLE";
            case COMMITTED:
                return "COMMITTED";
            default:
                return "UNKNOWN(" + level + ")";
        }
    }
}
