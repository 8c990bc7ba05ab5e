package io.sluice.loadgen;

/**
 * A pattern a scenario planted for a detector to find: which kind, on which key, and the event-time
 * span of the events that make it up.
 *
 * @param kind    of the pattern, matching the kind of the alerts that detect it.
 * @param key     the pattern is on (a card, an order, a sensor).
 * @param firstTs event time of its first event.
 * @param lastTs  event time of its last event.
 * @param events  making it up.
 */
public record InjectedPattern(String kind, long key, long firstTs, long lastTs, int events)
{
    /**
     * Whether an alert of the same kind and key over [start, end) covers part of this pattern.
     *
     * @param alert to test.
     * @return true if the alert detects this pattern.
     */
    public boolean matches(final Alert alert)
    {
        return kind.equals(alert.kind()) && key == alert.key() && alert.start() <= lastTs && alert.end() > firstTs;
    }
}
