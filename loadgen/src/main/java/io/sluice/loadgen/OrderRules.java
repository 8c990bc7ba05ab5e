package io.sluice.loadgen;

/**
 * The fraud desk's join rules, shared by the orders-and-payments scenario (which injects patterns
 * that break them and keeps normal traffic inside them) and the join pipelines that detect them.
 * Times are simulated event-time milliseconds; amounts are cents.
 */
public final class OrderRules
{
    /** Kind of an order no payment arrived for within {@link #PAYMENT_WINDOW_MS}. */
    public static final String UNPAID = "unpaid-order";
    /** Kind of a payment whose amount differs from its order's. */
    public static final String MISMATCH = "payment-mismatch";
    /** Kind of an order from an account that is blocked, or closed (deleted from the table). */
    public static final String BLOCKED = "blocked-account";
    /** Kind of an order for more than its account's limit. */
    public static final String OVER_LIMIT = "over-limit";

    /** Name of the interval join of orders to payments. */
    public static final String PAYMENTS_JOIN = "orders-payments";
    /** Name of the lookup join of orders to the accounts table. */
    public static final String ACCOUNTS_JOIN = "orders-accounts";

    /** Interval join: an order at t is paid by a payment at [t, t + this], both bounds inclusive. */
    public static final long PAYMENT_WINDOW_MS = 60_000;
    /** Normal traffic: how long after its order a payment arrives (a third of the window). */
    public static final long PAYMENT_LAG_MS = 20_000;
    /** Normal traffic: an order is at most this fraction of its account's limit. */
    public static final double NORMAL_SHARE_OF_LIMIT = 0.5;

    /** Account status: may order. */
    public static final long ACTIVE = 0;
    /** Account status: every order is an alert. */
    public static final long BLOCKED_STATUS = 1;

    /** Bound of out-of-orderness of order-side events (they arrive in order; a little slack anyway). */
    public static final long MAX_OUT_OF_ORDERNESS_MS = 1_000;

    private OrderRules()
    {
    }
}
