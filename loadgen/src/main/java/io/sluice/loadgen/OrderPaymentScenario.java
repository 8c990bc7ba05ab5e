package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Orders, their payments and the accounts table, with injected breaks of the {@link OrderRules}: an
 * order never paid, a payment for the wrong amount, an order from a blocked or closed account, and
 * an order over its account's limit (a large order, or a normal one after a limit cut).
 *
 * <p>Four topics: {@code orders} and {@code payments} keyed by order id (the interval join),
 * {@code orders-by-account}, the same orders keyed by account, and {@code accounts}, the table's
 * changelog keyed by account (the lookup join). A topic has one partitioning in the engine and the
 * DSL has no repartition stage yet, so the producer writes each order twice, once per key: the
 * producer-side equivalent of Kafka Streams' {@code selectKey(..).repartition()}.
 *
 * <p>Normal traffic keeps inside the rules by construction, so a correct detector raises no false
 * alert. Events come in slots of four, each in a fixed order:
 * <pre>
 *   slot s:  [0] accounts           open account s (while s &lt; accounts), an injected block,
 *                                   close or limit cut, else a touch (limit raised 0-5 %)
 *            [1] orders             order s (slots before the last {@code lagSlots}), else a touch
 *            [2] orders-by-account  the same order again, else a touch
 *            [3] payments           the payment of order s - lagSlots (same amount), else a touch
 * </pre>
 * Every order is paid {@code 4 * lagSlots + 2} events after it, about {@link OrderRules#PAYMENT_LAG_MS},
 * well inside {@link OrderRules#PAYMENT_WINDOW_MS}; orders stop {@code lagSlots} slots before the end
 * so the last ones are paid too. A normal order is 5 to 50 % of its account's limit and limits only
 * rise. The injected patterns use reserved accounts that normal orders and touches never use, so a
 * block, closure or cut reaches exactly one order, which is paid normally.
 *
 * <p>Simulated time: event i has time {@code BASE_EPOCH_MS + i * msPerEvent}; an order and its copy
 * share the order's time.
 *
 * <p>Event layouts (little-endian; {@link #ORDER} 48 bytes, {@link #PAYMENT} 40, {@link #ACCOUNT} 56,
 * its last 7 bytes padding, zeroed):
 * <pre>
 *   ORDER                                PAYMENT                              ACCOUNT
 *  +-----------------------------+ 0    +-----------------------------+ 0    +-----------------------------+ 0
 *  |        order_id (LONG)      |      |        order_id (LONG)      |      |        account (LONG)       |
 *  +-----------------------------+ 8    +-----------------------------+ 8    +-----------------------------+ 8
 *  |  ts (TIMESTAMP, epoch ms)   |      |  ts (TIMESTAMP, epoch ms)   |      |  ts (TIMESTAMP, epoch ms)   |
 *  +-----------------------------+ 16   +-----------------------------+ 16   +-----------------------------+ 16
 *  |        account (LONG)       |      |   amount (LONG, cents)      |      |    limit (LONG, cents)      |
 *  +-----------------------------+ 24   +-----------------------------+ 24   +-----------------------------+ 24
 *  |   amount (LONG, cents)      |      |  seq (LONG, index in run)   |      | status (LONG, 0 ok, 1 block)|
 *  +-----------------------------+ 32   +-----------------------------+ 32   +-----------------------------+ 32
 *  |  seq (LONG, index in run)   |      |   sent_ns (LONG, sender)    |      |  seq (LONG, index in run)   |
 *  +-----------------------------+ 40   +-----------------------------+ 40   +-----------------------------+ 40
 *  |   sent_ns (LONG, sender)    |                                           |   sent_ns (LONG, sender)    |
 *  +-----------------------------+ 48                                        +-----------------------------+ 48
 *                                                                            | deleted (BOOLEAN, tombstone)|
 *                                                                            +-----------------------------+ 49
 *                                                                            |      (padding, zeroes)      |
 *                                                                            +-----------------------------+ 56
 * </pre>
 *
 * <p>Threading: as {@link Scenario}; {@link #next} does not allocate.
 */
public final class OrderPaymentScenario implements Scenario
{
    /** Name of the scenario. */
    public static final String NAME = "orders";
    /** Topic of orders keyed by order id. */
    public static final String ORDERS = "orders";
    /** Topic of payments keyed by order id. */
    public static final String PAYMENTS = "payments";
    /** Topic of the same orders keyed by account. */
    public static final String ORDERS_BY_ACCOUNT = "orders-by-account";
    /** Changelog topic of the accounts table. */
    public static final String ACCOUNTS = "accounts";
    /** Schema of an order. */
    public static final Schema ORDER = Schema.builder("order")
        .longField("order_id").timestampField("ts").longField("account").longField("amount").longField("seq")
        .longField(ScenarioTopic.SENT_NS).build();
    /** Schema of a payment. */
    public static final Schema PAYMENT = Schema.builder("payment")
        .longField("order_id").timestampField("ts").longField("amount").longField("seq").longField(ScenarioTopic.SENT_NS).build();
    /** Schema of an account row (a changelog event). */
    public static final Schema ACCOUNT = Schema.builder("account")
        .longField("account").timestampField("ts").longField("limit").longField("status").longField("seq")
        .longField(ScenarioTopic.SENT_NS).booleanField("deleted").build();
    /** Simulated time of the first event, as the card scenario's. */
    public static final long BASE_EPOCH_MS = CardTransactionScenario.BASE_EPOCH_MS;
    /** Fewest events a run may have. */
    public static final long MIN_EVENTS = 2_000;
    /** Largest simulated step between events: keeps the payment lag inside the window. */
    public static final long MAX_MS_PER_EVENT = OrderRules.PAYMENT_WINDOW_MS / 8;

    static final int TOPIC_ORDERS = 0;
    static final int TOPIC_PAYMENTS = 1;
    static final int TOPIC_ORDERS_BY_ACCOUNT = 2;
    static final int TOPIC_ACCOUNTS = 3;

    static final int ORDER_ID = 0;
    static final int ORDER_TS = 1;
    static final int ORDER_ACCOUNT = 2;
    static final int ORDER_AMOUNT = 3;
    static final int ORDER_SEQ = 4;
    static final int PAYMENT_ORDER_ID = 0;
    static final int PAYMENT_TS = 1;
    static final int PAYMENT_AMOUNT = 2;
    static final int PAYMENT_SEQ = 3;
    static final int ACCOUNT_ID = 0;
    static final int ACCOUNT_TS = 1;
    static final int ACCOUNT_LIMIT = 2;
    static final int ACCOUNT_STATUS = 3;
    static final int ACCOUNT_SEQ = 4;
    static final int ACCOUNT_DELETED = 6;

    private static final long ORDER_ID_BASE = 1_000_000;
    private static final long ACCOUNT_ID_BASE = 100_000;
    private static final long CUT_LIMIT = 1_000;
    private static final int SLOT = 4;

    private static final int PAY = 0;
    private static final int SKIP = 1;
    private static final int SHORT = 2;
    private static final int NORMAL_AMOUNT = 0;
    private static final int BIG_AMOUNT = 1;
    private static final int BLOCK = 1;
    private static final int CLOSE = 2;
    private static final int CUT = 3;

    private final long events;
    private final long msPerEvent;
    private final long slots;
    private final long orderSlots;
    private final int lagSlots;
    private final int accounts;
    private final int normalAccounts;
    private final long[] limit;
    private final SplittableRandom random;
    private final List<InjectedPattern> injected = new ArrayList<>();

    // The plan of injections, as sorted primitive columns read through cursors by next().
    private final long[] orderPlanSlot;
    private final int[] orderPlanAccount;
    private final int[] orderPlanAmount;
    private final int[] orderPlanPayment;
    private final long[] accountPlanSlot;
    private final int[] accountPlanAccount;
    private final int[] accountPlanAction;
    private int orderCursor;
    private int accountCursor;

    // Orders awaiting their payment, a ring of lagSlots + 1 indexed by slot.
    private final long[] pendingId;
    private final long[] pendingAmount;
    private final int[] pendingPayment;

    private final EventFlyweight order = new EventFlyweight(ORDER);
    private final EventFlyweight payment = new EventFlyweight(PAYMENT);
    private final EventFlyweight account = new EventFlyweight(ACCOUNT);
    private long orderTs;
    private long orderAccount;
    private long orderAmount;
    private long orderSeq;
    private long index;

    /**
     * Plans a run.
     *
     * @param seed       of every random choice.
     * @param events     in the run, at least {@link #MIN_EVENTS}.
     * @param msPerEvent simulated milliseconds between events, 1 to {@link #MAX_MS_PER_EVENT}.
     */
    public OrderPaymentScenario(final long seed, final long events, final long msPerEvent)
    {
        if (events < MIN_EVENTS)
        {
            throw new IllegalArgumentException("the orders scenario needs at least " + MIN_EVENTS + " events, was " + events);
        }
        if (msPerEvent < 1 || msPerEvent > MAX_MS_PER_EVENT)
        {
            throw new IllegalArgumentException("msPerEvent must be in [1, " + MAX_MS_PER_EVENT + "], was " + msPerEvent);
        }
        this.events = events;
        this.msPerEvent = msPerEvent;
        this.slots = events / SLOT;
        this.lagSlots = (int)Math.max(1, OrderRules.PAYMENT_LAG_MS / (SLOT * msPerEvent));
        this.orderSlots = slots - lagSlots;
        if (orderSlots < slots / 2)
        {
            throw new IllegalArgumentException("a payment lag of " + lagSlots + " slots needs at least " + 2 * lagSlots * SLOT +
                " events at " + msPerEvent + " ms per event, was " + events);
        }
        final int perKind = (int)Math.max(2, Math.min(25, slots / 1_000));
        final int reserved = 2 * perKind;
        this.accounts = (int)Math.max(reserved + 20, Math.min(5_000, slots / 20));
        this.normalAccounts = accounts - reserved;
        this.random = new SplittableRandom(seed);
        this.limit = new long[accounts];
        for (int a = 0; a < accounts; a++)
        {
            limit[a] = 100_000 + random.nextInt(900_001);
        }
        final TreeMap<Long, int[]> orderPlan = new TreeMap<>();
        final TreeMap<Long, int[]> accountPlan = new TreeMap<>();
        plan(new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL), perKind, orderPlan, accountPlan);
        orderPlanSlot = new long[orderPlan.size()];
        orderPlanAccount = new int[orderPlan.size()];
        orderPlanAmount = new int[orderPlan.size()];
        orderPlanPayment = new int[orderPlan.size()];
        int i = 0;
        for (final Map.Entry<Long, int[]> entry : orderPlan.entrySet())
        {
            orderPlanSlot[i] = entry.getKey();
            orderPlanAccount[i] = entry.getValue()[0];
            orderPlanAmount[i] = entry.getValue()[1];
            orderPlanPayment[i] = entry.getValue()[2];
            i++;
        }
        accountPlanSlot = new long[accountPlan.size()];
        accountPlanAccount = new int[accountPlan.size()];
        accountPlanAction = new int[accountPlan.size()];
        i = 0;
        for (final Map.Entry<Long, int[]> entry : accountPlan.entrySet())
        {
            accountPlanSlot[i] = entry.getKey();
            accountPlanAccount[i] = entry.getValue()[0];
            accountPlanAction[i] = entry.getValue()[1];
            i++;
        }
        pendingId = new long[lagSlots + 1];
        pendingAmount = new long[lagSlots + 1];
        pendingPayment = new int[lagSlots + 1];
    }

    /**
     * Places the patterns in the middle of the run, after every account is open and before the last
     * orders: each kind as often, on distinct slots, the account patterns on distinct reserved accounts.
     */
    private void plan(
        final SplittableRandom rng, final int perKind, final TreeMap<Long, int[]> orderPlan, final TreeMap<Long, int[]> accountPlan)
    {
        final long lo = Math.max(accounts, slots / 10);
        final long hi = orderSlots - 3;
        if (hi - lo < 16L * perKind)
        {
            throw new IllegalArgumentException("the orders scenario has too few slots (" + slots + ") for its patterns");
        }
        int nextReserved = normalAccounts;
        final List<InjectedPattern> patterns = new ArrayList<>();
        for (int k = 0; k < perKind; k++)
        {
            long s = freeSlot(rng, lo, hi, orderPlan, accountPlan, false);
            orderPlan.put(s, new int[] {-1, NORMAL_AMOUNT, SKIP});
            patterns.add(new InjectedPattern(OrderRules.UNPAID, orderId(s), orderTime(s), orderTime(s), 1));

            s = freeSlot(rng, lo, hi, orderPlan, accountPlan, false);
            orderPlan.put(s, new int[] {-1, NORMAL_AMOUNT, SHORT});
            patterns.add(new InjectedPattern(OrderRules.MISMATCH, orderId(s), orderTime(s), orderTime(s), 2));

            // An account blocked (or closed), then its next and only order two slots later.
            int reservedAccount = nextReserved++;
            s = freeSlot(rng, lo, hi, orderPlan, accountPlan, true);
            accountPlan.put(s, new int[] {reservedAccount, k % 2 == 0 ? BLOCK : CLOSE});
            orderPlan.put(s + 2, new int[] {reservedAccount, NORMAL_AMOUNT, PAY});
            patterns.add(new InjectedPattern(OrderRules.BLOCKED, accountId(reservedAccount), orderTime(s + 2), orderTime(s + 2), 2));

            // An order above the limit: a large one, or a normal one after the limit was cut.
            reservedAccount = nextReserved++;
            if (k % 2 == 0)
            {
                s = freeSlot(rng, lo, hi, orderPlan, accountPlan, false);
                orderPlan.put(s, new int[] {reservedAccount, BIG_AMOUNT, PAY});
                patterns.add(new InjectedPattern(OrderRules.OVER_LIMIT, accountId(reservedAccount), orderTime(s), orderTime(s), 1));
            }
            else
            {
                s = freeSlot(rng, lo, hi, orderPlan, accountPlan, true);
                accountPlan.put(s, new int[] {reservedAccount, CUT});
                orderPlan.put(s + 2, new int[] {reservedAccount, NORMAL_AMOUNT, PAY});
                patterns.add(new InjectedPattern(OrderRules.OVER_LIMIT, accountId(reservedAccount), orderTime(s + 2),
                    orderTime(s + 2), 2));
            }
        }
        patterns.sort((a, b) -> Long.compare(a.firstTs(), b.firstTs()));
        injected.addAll(patterns);
    }

    private static long freeSlot(
        final SplittableRandom rng, final long lo, final long hi, final TreeMap<Long, int[]> orderPlan,
        final TreeMap<Long, int[]> accountPlan, final boolean accountEvent)
    {
        while (true)
        {
            final long s = lo + (long)(rng.nextDouble() * (hi - lo));
            final long orderSlot = accountEvent ? s + 2 : s;
            if (!orderPlan.containsKey(orderSlot) && (!accountEvent || !accountPlan.containsKey(s)))
            {
                return s;
            }
        }
    }

    private static long orderId(final long slot)
    {
        return ORDER_ID_BASE + slot;
    }

    private static long accountId(final int account)
    {
        return ACCOUNT_ID_BASE + account;
    }

    private long time(final long position)
    {
        return BASE_EPOCH_MS + position * msPerEvent;
    }

    private long orderTime(final long slot)
    {
        return time(slot * SLOT + 1);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public List<ScenarioTopic> topics()
    {
        return List.of(
            new ScenarioTopic(ORDERS, ORDER, "order_id", "ts", ScenarioTopic.SENT_NS),
            new ScenarioTopic(PAYMENTS, PAYMENT, "order_id", "ts", ScenarioTopic.SENT_NS),
            new ScenarioTopic(ORDERS_BY_ACCOUNT, ORDER, "account", "ts", ScenarioTopic.SENT_NS),
            new ScenarioTopic(ACCOUNTS, ACCOUNT, "account", "ts", ScenarioTopic.SENT_NS));
    }

    @Override
    public long eventCount()
    {
        return events;
    }

    /**
     * Accounts in this run, to size the table.
     *
     * @return the account count.
     */
    public int accounts()
    {
        return accounts;
    }

    /**
     * Orders within one payment window at once, to size the interval join's state.
     *
     * @return the estimate over all partitions.
     */
    public int ordersPerWindow()
    {
        return (int)Math.min(1 << 20, OrderRules.PAYMENT_WINDOW_MS / (SLOT * msPerEvent) + 1);
    }

    /**
     * Simulated milliseconds between consecutive events.
     *
     * @return the step.
     */
    public long msPerEvent()
    {
        return msPerEvent;
    }

    @Override
    public int next(final MutableDirectBuffer buffer, final int offset)
    {
        if (index >= events)
        {
            throw new IllegalStateException("the scenario's " + events + " events were all produced");
        }
        final long slot = index / SLOT;
        final int topic;
        switch ((int)(index % SLOT))
        {
            case 0:
                topic = accountEvent(buffer, offset, slot);
                break;
            case 1:
                topic = slot < orderSlots ? placeOrder(buffer, offset, slot) : touch(buffer, offset);
                break;
            case 2:
                topic = slot < orderSlots ? writeOrder(buffer, offset, TOPIC_ORDERS_BY_ACCOUNT, slot) : touch(buffer, offset);
                break;
            default:
                topic = pay(buffer, offset, slot - lagSlots);
                break;
        }
        index++;
        return topic;
    }

    private int accountEvent(final MutableDirectBuffer buffer, final int offset, final long slot)
    {
        if (slot < accounts)
        {
            return writeAccount(buffer, offset, (int)slot, OrderRules.ACTIVE, false);
        }
        if (accountCursor < accountPlanSlot.length && accountPlanSlot[accountCursor] == slot)
        {
            final int a = accountPlanAccount[accountCursor];
            final int action = accountPlanAction[accountCursor++];
            if (action == CUT)
            {
                limit[a] = CUT_LIMIT;
            }
            return writeAccount(buffer, offset, a, action == BLOCK ? OrderRules.BLOCKED_STATUS : OrderRules.ACTIVE, action == CLOSE);
        }
        return touch(buffer, offset);
    }

    private int placeOrder(final MutableDirectBuffer buffer, final int offset, final long slot)
    {
        int a = -1;
        int amountKind = NORMAL_AMOUNT;
        int paymentKind = PAY;
        if (orderCursor < orderPlanSlot.length && orderPlanSlot[orderCursor] == slot)
        {
            a = orderPlanAccount[orderCursor];
            amountKind = orderPlanAmount[orderCursor];
            paymentKind = orderPlanPayment[orderCursor++];
        }
        if (a < 0)
        {
            a = random.nextInt((int)Math.min(normalAccounts, slot + 1));
        }
        orderTs = time(index);
        orderSeq = index;
        orderAccount = accountId(a);
        orderAmount = amountKind == BIG_AMOUNT ?
            (long)(limit[a] * (1.5 + random.nextDouble() * 1.5)) :
            Math.max(CUT_LIMIT * 5, (long)(limit[a] * (0.05 + random.nextDouble() * (OrderRules.NORMAL_SHARE_OF_LIMIT - 0.05))));
        final int ring = (int)(slot % pendingId.length);
        pendingId[ring] = orderId(slot);
        pendingAmount[ring] = orderAmount;
        pendingPayment[ring] = paymentKind;
        return writeOrder(buffer, offset, TOPIC_ORDERS, slot);
    }

    private int writeOrder(final MutableDirectBuffer buffer, final int offset, final int topic, final long slot)
    {
        order.wrapForWrite(buffer, offset).putLong(ORDER_ID, orderId(slot)).putLong(ORDER_TS, orderTs)
            .putLong(ORDER_ACCOUNT, orderAccount).putLong(ORDER_AMOUNT, orderAmount).putLong(ORDER_SEQ, orderSeq)
            .putLong(ORDER_SEQ + 1, 0);
        return topic;
    }

    private int pay(final MutableDirectBuffer buffer, final int offset, final long orderSlot)
    {
        if (orderSlot < 0 || orderSlot >= orderSlots)
        {
            return touch(buffer, offset);
        }
        final int ring = (int)(orderSlot % pendingId.length);
        final int kind = pendingPayment[ring];
        if (kind == SKIP)
        {
            return touch(buffer, offset);
        }
        final long ordered = pendingAmount[ring];
        // A short payment: 50 to 95 % of the order, rounded down, so always below it.
        final long paid = kind == SHORT ? (long)(ordered * (0.5 + random.nextDouble() * 0.45)) : ordered;
        payment.wrapForWrite(buffer, offset).putLong(PAYMENT_ORDER_ID, pendingId[ring]).putLong(PAYMENT_TS, time(index))
            .putLong(PAYMENT_AMOUNT, paid).putLong(PAYMENT_SEQ, index).putLong(PAYMENT_SEQ + 1, 0);
        return TOPIC_PAYMENTS;
    }

    /** A benign upsert of an open normal account: its limit raised by 0 to 5 %. */
    private int touch(final MutableDirectBuffer buffer, final int offset)
    {
        final long slot = index / SLOT;
        final int a = random.nextInt((int)Math.max(1, Math.min(normalAccounts, slot)));
        limit[a] += limit[a] * random.nextInt(6) / 100;
        return writeAccount(buffer, offset, a, OrderRules.ACTIVE, false);
    }

    private int writeAccount(final MutableDirectBuffer buffer, final int offset, final int a, final long status, final boolean deleted)
    {
        account.wrapForWrite(buffer, offset).clear().putLong(ACCOUNT_ID, accountId(a)).putLong(ACCOUNT_TS, time(index))
            .putLong(ACCOUNT_LIMIT, deleted ? 0 : limit[a]).putLong(ACCOUNT_STATUS, status).putLong(ACCOUNT_SEQ, index)
            .putLong(ACCOUNT_SEQ + 1, 0).putBoolean(ACCOUNT_DELETED, deleted);
        return TOPIC_ACCOUNTS;
    }

    @Override
    public List<InjectedPattern> injected()
    {
        return List.copyOf(injected);
    }
}
