package io.sluice.engine.join;

import org.junit.jupiter.api.Test;

import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The build-time co-partitioning check accepts matching inputs and names what differs otherwise.
 */
class JoinCoPartitioningTest
{
    private static final Schema ORDERS = Schema.builder("order").longField("account").symbolField("card", 16)
        .timestampField("ts").doubleField("amount").build();
    private static final Schema PAYMENTS = Schema.builder("payment").intField("account").symbolField("card", 8)
        .timestampField("ts").build();

    @Test
    void shouldAcceptSamePartitionCountAndIntegralKeysOfDifferentWidths()
    {
        assertThatCode(() -> CoPartitioning.check("orders-payments",
            new CoPartitioning.Input("orders", ORDERS, "account", 4),
            new CoPartitioning.Input("payments", PAYMENTS, "account", 4)))
            .doesNotThrowAnyException();
    }

    @Test
    void shouldRejectDifferentPartitionCountsWithClearMessage()
    {
        assertThatThrownBy(() -> CoPartitioning.check("orders-payments",
            new CoPartitioning.Input("orders", ORDERS, "account", 4),
            new CoPartitioning.Input("payments", PAYMENTS, "account", 8)))
            .isInstanceOf(SchemaException.class)
            .hasMessageContaining("'orders' has 4 partitions but right topic 'payments' has 8");
    }

    @Test
    void shouldRejectKeysThatRouteEqualValuesDifferently()
    {
        assertThatThrownBy(() -> CoPartitioning.check("cards",
            new CoPartitioning.Input("orders", ORDERS, "card", 4),
            new CoPartitioning.Input("payments", PAYMENTS, "card", 4)))
            .hasMessageContaining("SYMBOL(16)").hasMessageContaining("SYMBOL(8)");
        assertThatThrownBy(() -> CoPartitioning.check("mixed",
            new CoPartitioning.Input("orders", ORDERS, "account", 4),
            new CoPartitioning.Input("payments", PAYMENTS, "card", 4)))
            .hasMessageContaining("is LONG but right key 'payments.card' is SYMBOL(8)");
        assertThatThrownBy(() -> CoPartitioning.check("double",
            new CoPartitioning.Input("orders", ORDERS, "amount", 4),
            new CoPartitioning.Input("payments", PAYMENTS, "account", 4)))
            .hasMessageContaining("must be LONG, INT, TIMESTAMP or SYMBOL");
    }
}
