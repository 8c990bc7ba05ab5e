package io.sluice.loadgen;

/**
 * An alert a detector pipeline emitted: its kind, the key, the event-time span it covers and the
 * value that crossed the threshold.
 *
 * @param kind      of the alert.
 * @param key       alerted on.
 * @param start     inclusive event-time start of the evidence (a window start).
 * @param end       exclusive event-time end of the evidence (a window end).
 * @param value     that triggered the alert (a count, a ratio, a distance).
 * @param partition that emitted it.
 */
public record Alert(String kind, long key, long start, long end, double value, int partition)
{
}
