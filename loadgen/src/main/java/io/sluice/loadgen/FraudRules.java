package io.sluice.loadgen;

/**
 * The fraud desk's rules, shared by the card scenario (which injects patterns that break them and
 * keeps normal traffic well inside them) and the pipelines that detect them. Times are simulated
 * event-time milliseconds; amounts are cents; locations degrees.
 */
public final class FraudRules
{
    /** Kind of a burst of small charges on one card. */
    public static final String VELOCITY = "card-velocity";
    /** Kind of a charge far above the card's norm. */
    public static final String AMOUNT = "amount-vs-norm";
    /** Kind of two charges too far apart for the time between them. */
    public static final String TRAVEL = "impossible-travel";

    /** Velocity: size of the sliding window counting charges per card. */
    public static final long VELOCITY_WINDOW_MS = 60_000;
    /** Velocity: hop of that sliding window. */
    public static final long VELOCITY_HOP_MS = 5_000;
    /** Velocity: alert when a card has at least this many charges in one window. */
    public static final int VELOCITY_THRESHOLD = 10;

    /**
     * Velocity: after an alert of a card, its next alerts within this much event time are suppressed. A
     * burst lies in up to 12 sliding windows, and a card's usual charges can keep a window that holds
     * the burst's tail above the threshold a minute later: 5 minutes raise one alert per burst.
     */
    public static final long VELOCITY_COOLDOWN_MS = 300_000;

    /** Amount: tumbling window over which a card's norm is taken. */
    public static final long NORM_WINDOW_MS = 300_000;
    /** Amount: alert when the largest charge exceeds this many times the mean of the card's others. */
    public static final double NORM_FACTOR = 5.0;
    /** Amount: charges below this are micro-charges, left to the velocity rule and kept out of the norm. */
    public static final long NORM_MIN_AMOUNT = 500;
    /** Amount: at least this many charges in the window before the norm means anything. */
    public static final int NORM_MIN_CHARGES = 4;

    /** Travel: sliding window within which two charges must be close. */
    public static final long TRAVEL_WINDOW_MS = 600_000;
    /** Travel: hop of that sliding window. */
    public static final long TRAVEL_HOP_MS = 60_000;
    /** Travel: alert when latitude or longitude spread within a window exceeds this (about 2,000 km). */
    public static final double TRAVEL_DEGREES = 20.0;

    /** Travel: after an alert of a card, its next alerts within this much event time are suppressed. */
    public static final long TRAVEL_COOLDOWN_MS = 600_000;

    /** Bound of out-of-orderness of card events (they arrive in order; a little slack anyway). */
    public static final long MAX_OUT_OF_ORDERNESS_MS = 1_000;

    private FraudRules()
    {
    }
}
