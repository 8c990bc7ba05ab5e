package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.schema.EventFlyweight;

class OrderPaymentScenarioTest
{
    private static final long EVENTS = 40_000;
    private static final long MS_PER_EVENT = 20;

    private static long digest(final Scenario scenario)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final CRC32 crc = new CRC32();
        for (long i = 0; i < scenario.eventCount(); i++)
        {
            crc.update(scenario.next(buffer, 0));
            crc.update(buffer.byteArray());
        }
        return crc.getValue();
    }

    @Test
    void shouldLayOutTheEventsAsDocumented()
    {
        assertThat(OrderPaymentScenario.ORDER.length()).isEqualTo(48);
        assertThat(OrderPaymentScenario.PAYMENT.length()).isEqualTo(40);
        assertThat(OrderPaymentScenario.ACCOUNT.length()).isEqualTo(56);
        assertThat(OrderPaymentScenario.ACCOUNT.field("deleted").offset()).isEqualTo(48);
        assertThat(OrderPaymentScenario.ORDER.field(ScenarioTopic.SENT_NS).offset()).isEqualTo(40);
    }

    @Test
    void shouldProduceTheSameEventsAndPatternsFromTheSameSeed()
    {
        final OrderPaymentScenario a = new OrderPaymentScenario(7, EVENTS, MS_PER_EVENT);
        final OrderPaymentScenario b = new OrderPaymentScenario(7, EVENTS, MS_PER_EVENT);
        assertThat(a.injected()).isEqualTo(b.injected()).isNotEmpty();
        assertThat(digest(a)).isEqualTo(digest(b));
    }

    @Test
    void shouldProduceDifferentEventsFromAnotherSeed()
    {
        final OrderPaymentScenario a = new OrderPaymentScenario(7, EVENTS, MS_PER_EVENT);
        final OrderPaymentScenario b = new OrderPaymentScenario(8, EVENTS, MS_PER_EVENT);
        assertThat(a.injected()).isNotEqualTo(b.injected());
        assertThat(digest(a)).isNotEqualTo(digest(b));
    }

    @Test
    void shouldBreakTheRulesExactlyWhereItInjectedPatternsForEverySeed()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            for (final long[] shape : new long[][] {{2_000, 500}, {EVENTS, MS_PER_EVENT}, {200_000, 9}})
            {
                final OrderPaymentScenario scenario = new OrderPaymentScenario(seed, shape[0], shape[1]);
                final TreeSet<String> expected = new TreeSet<>();
                for (final InjectedPattern p : scenario.injected())
                {
                    assertThat(p.firstTs()).isEqualTo(p.lastTs());
                    expected.add(p.kind() + " " + p.key() + " " + p.firstTs());
                }
                assertThat(expected).as("seed %d, %s events", seed, shape[0]).hasSize(scenario.injected().size());
                assertThat(oracle(scenario)).as("seed %d, %s events", seed, shape[0]).isEqualTo(expected);
                assertThat(scenario.injected()).extracting(InjectedPattern::kind)
                    .contains(OrderRules.UNPAID, OrderRules.MISMATCH, OrderRules.BLOCKED, OrderRules.OVER_LIMIT);
            }
        }
    }

    @Test
    void shouldSpreadTheSecondScenarioEvenlyAndKeepEachPartsOrder()
    {
        final CardTransactionScenario cards = new CardTransactionScenario(3, 20_000);
        final OrderPaymentScenario orders = new OrderPaymentScenario(3, 2_222, 200);
        final InterleavedScenario mix = new InterleavedScenario("mix", cards, orders);
        assertThat(mix.eventCount()).isEqualTo(22_222);
        assertThat(mix.topics()).hasSize(5);
        assertThat(mix.injected()).hasSize(cards.injected().size() + orders.injected().size());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final CRC32 cardCrc = new CRC32();
        final CRC32 orderCrc = new CRC32();
        long orderEvents = 0;
        long longestGap = 0;
        long lastOrderEvent = -1;
        for (long i = 0; i < mix.eventCount(); i++)
        {
            final int topic = mix.next(buffer, 0);
            if (topic == 0)
            {
                cardCrc.update(buffer.byteArray());
            }
            else
            {
                orderCrc.update(topic - 1);
                orderCrc.update(buffer.byteArray(), 0, mix.topics().get(topic).schema().length());
                orderEvents++;
                longestGap = Math.max(longestGap, i - lastOrderEvent);
                lastOrderEvent = i;
            }
        }
        assertThat(orderEvents).isEqualTo(2_222);
        assertThat(longestGap).isLessThanOrEqualTo(11);
        assertThat(cardCrc.getValue()).isEqualTo(crcOf(new CardTransactionScenario(3, 20_000), false));
        assertThat(orderCrc.getValue()).isEqualTo(crcOf(new OrderPaymentScenario(3, 2_222, 200), true));
    }

    private static long crcOf(final Scenario scenario, final boolean withTopic)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final CRC32 crc = new CRC32();
        for (long i = 0; i < scenario.eventCount(); i++)
        {
            final int topic = scenario.next(buffer, 0);
            if (withTopic)
            {
                crc.update(topic);
            }
            crc.update(buffer.byteArray(), 0, scenario.topics().get(topic).schema().length());
        }
        return crc.getValue();
    }

    /**
     * A naive reference of the four rules over the produced events: an accounts map replayed in
     * order for the lookup rules, and every order against every payment of its id for the interval.
     */
    private static TreeSet<String> oracle(final OrderPaymentScenario scenario)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final EventFlyweight order = new EventFlyweight(OrderPaymentScenario.ORDER);
        final EventFlyweight payment = new EventFlyweight(OrderPaymentScenario.PAYMENT);
        final EventFlyweight account = new EventFlyweight(OrderPaymentScenario.ACCOUNT);
        final Map<Long, long[]> table = new HashMap<>();
        final Map<Long, long[]> orders = new HashMap<>();
        final Map<Long, List<long[]>> payments = new HashMap<>();
        final TreeSet<String> alerts = new TreeSet<>();
        long lastTs = Long.MIN_VALUE;
        for (long i = 0; i < scenario.eventCount(); i++)
        {
            final int topic = scenario.next(buffer, 0);
            final long ts = buffer.getLong(8);
            assertThat(ts).as("event time never goes back").isGreaterThanOrEqualTo(lastTs);
            lastTs = ts;
            switch (topic)
            {
                case OrderPaymentScenario.TOPIC_ORDERS:
                    order.wrap(buffer, 0);
                    orders.put(order.getLong(0), new long[] {order.getLong(1), order.getLong(3), order.getLong(2)});
                    break;
                case OrderPaymentScenario.TOPIC_PAYMENTS:
                    payment.wrap(buffer, 0);
                    payments.computeIfAbsent(payment.getLong(0), k -> new ArrayList<>())
                        .add(new long[] {payment.getLong(1), payment.getLong(2)});
                    break;
                case OrderPaymentScenario.TOPIC_ORDERS_BY_ACCOUNT:
                {
                    order.wrap(buffer, 0);
                    final long[] placed = orders.get(order.getLong(0));
                    assertThat(placed).as("the copy follows its order").isNotNull();
                    assertThat(new long[] {order.getLong(1), order.getLong(3), order.getLong(2)}).isEqualTo(placed);
                    final long[] row = table.get(order.getLong(2));
                    if (row == null || row[1] == OrderRules.BLOCKED_STATUS)
                    {
                        alerts.add(OrderRules.BLOCKED + " " + order.getLong(2) + " " + order.getLong(1));
                    }
                    else if (order.getLong(3) > row[0])
                    {
                        alerts.add(OrderRules.OVER_LIMIT + " " + order.getLong(2) + " " + order.getLong(1));
                    }
                    break;
                }
                default:
                    account.wrap(buffer, 0);
                    if (account.getBoolean(6))
                    {
                        table.remove(account.getLong(0));
                    }
                    else
                    {
                        table.put(account.getLong(0), new long[] {account.getLong(2), account.getLong(3)});
                    }
                    break;
            }
        }
        for (final Map.Entry<Long, long[]> entry : orders.entrySet())
        {
            final long ts = entry.getValue()[0];
            final long amount = entry.getValue()[1];
            boolean paid = false;
            for (final long[] p : payments.getOrDefault(entry.getKey(), List.of()))
            {
                if (p[0] >= ts && p[0] <= ts + OrderRules.PAYMENT_WINDOW_MS)
                {
                    paid = true;
                    if (p[1] != amount)
                    {
                        alerts.add(OrderRules.MISMATCH + " " + entry.getKey() + " " + ts);
                    }
                }
            }
            if (!paid)
            {
                alerts.add(OrderRules.UNPAID + " " + entry.getKey() + " " + ts);
            }
        }
        return alerts;
    }
}
