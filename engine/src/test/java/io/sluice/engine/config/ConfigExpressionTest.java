package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

class ConfigExpressionTest
{
    private static final Schema SCHEMA = Schema.builder("e")
        .longField("id").intField("qty").doubleField("price").booleanField("online").symbolField("venue", 4)
        .symbolField("home", 6).timestampField("ts").build();

    private final EventFlyweight event = new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);

    private EventFlyweight event(final long id, final int qty, final double price, final boolean online, final String venue,
        final String home, final long ts)
    {
        return event.clear().putLong(0, id).putInt(1, qty).putDouble(2, price).putBoolean(3, online)
            .putSymbol(4, venue).putSymbol(5, home).putLong(6, ts);
    }

    private boolean eval(final String expression, final EventFlyweight e)
    {
        return Expressions.compile(expression, SCHEMA).test(e);
    }

    @Test
    void shouldEvaluateComparisonsOfFieldsAndLiterals()
    {
        final EventFlyweight e = event(7, 3, 2.5, true, "XLON", "XLON", 1_709_285_400_000L);
        assertThat(eval("id = 7", e)).isTrue();
        assertThat(eval("id == 7 and qty != 4", e)).isTrue();
        assertThat(eval("qty < 3", e)).isFalse();
        assertThat(eval("qty <= 3", e)).isTrue();
        assertThat(eval("qty > 2.9", e)).isTrue();
        assertThat(eval("price >= 2.5 and price < 3", e)).isTrue();
        assertThat(eval("price > qty", e)).isFalse();
        assertThat(eval("qty > price", e)).isTrue();
        assertThat(eval("id > qty", e)).isTrue();
        assertThat(eval("8 > id", e)).isTrue();
        assertThat(eval("-1 < id", e)).isTrue();
        assertThat(eval("price > -0.5e1", e)).isTrue();
        assertThat(eval("venue = 'XLON'", e)).isTrue();
        assertThat(eval("venue != \"XLON\"", e)).isFalse();
        assertThat(eval("venue = 'XLO'", e)).isFalse();
        assertThat(eval("venue = home", e)).isTrue();
        assertThat(eval("venue <> home", e)).isFalse();
        assertThat(eval("online", e)).isTrue();
        assertThat(eval("online = false", e)).isFalse();
        assertThat(eval("ts = '2024-03-01T09:30:00Z'", e)).isTrue();
        assertThat(eval("ts > '2024-03-01T09:30:00.001Z'", e)).isFalse();
        assertThat(eval("true", e)).isTrue();
        assertThat(eval("1 < 2 and 'a' = 'a'", e)).isTrue();
    }

    @Test
    void shouldHonourPrecedenceAndParentheses()
    {
        final EventFlyweight e = event(1, 0, 0, false, "A", "B", 0);
        assertThat(eval("id = 1 or id = 2 and qty = 5", e)).isTrue();
        assertThat(eval("(id = 1 or id = 2) and qty = 5", e)).isFalse();
        assertThat(eval("not id = 1 or online", e)).isFalse();
        assertThat(eval("not (id = 2 or online)", e)).isTrue();
        assertThat(eval("NOT online AND id = 1 || !true", e)).isTrue();
        assertThat(eval("id = 1 && !(venue = 'A' || venue = 'B')", e)).isFalse();
    }

    @Test
    void shouldCompareSymbolsOfDifferentWidthsZeroPadded()
    {
        assertThat(eval("venue = home", event(0, 0, 0, false, "AB", "AB", 0))).isTrue();
        assertThat(eval("venue = home", event(0, 0, 0, false, "AB", "ABC", 0))).isFalse();
        assertThat(eval("home = venue", event(0, 0, 0, false, "", "", 0))).isTrue();
    }

    @Test
    void shouldNotAllocateWhenEvaluating()
    {
        final EventPredicate predicate = Expressions.compile(
            "(price > 1.5 and qty <= 10) or (venue = 'XLON' and not online) or venue = home or id >= ts", SCHEMA);
        final EventFlyweight e = event(7, 3, 2.5, true, "XLON", "XNYS", 99);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long hits = 0;
        for (int i = 0; i < 200_000; i++)
        {
            hits += predicate.test(e) ? 1 : 0;
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++)
        {
            e.putInt(1, i & 15);
            hits += predicate.test(e) ? 1 : 0;
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(hits).isPositive();
        // One object per evaluation would be >= 16 MB; what remains is JIT and profiling noise.
        assertThat(allocated).as("bytes allocated by 1M evaluations").isLessThan(256 * 1024);
    }

    @Test
    void shouldRefuseMalformedAndMistypedExpressionsWithTheColumn()
    {
        expectError("", "empty expression at column 1");
        expectError("id >", "expected a field, number or string but the expression ended");
        expectError("id = 1 and", "expected a field, number or string but the expression ended");
        expectError("(id = 1", "'(' is never closed at column 1");
        expectError("id = 1)", "unexpected ')' at column 7");
        expectError("idd = 1", "unknown field 'idd'");
        expectError("venue = 5", "SYMBOL field 'venue' can only be compared with a quoted string");
        expectError("venue < 'A'", "SYMBOL field 'venue' can only be compared with = or != at column 7");
        expectError("venue = 'TOOLONG'", "longer than the 4 bytes of SYMBOL field 'venue'");
        expectError("qty = 'x'", "INT field 'qty' cannot be compared with the string 'x'");
        expectError("ts = 'yesterday'", "'yesterday' is not an ISO-8601 instant");
        expectError("online > true", "BOOLEAN field 'online' can only be compared with = or !=");
        expectError("online = 1", "BOOLEAN field 'online' can only be compared with true, false");
        expectError("qty", "field 'qty' is a INT, not a condition");
        expectError("qty = venue", "INT field 'qty' cannot be compared with SYMBOL field 'venue'");
        expectError("venue = 'abc", "string is never closed at column 9");
        expectError("id = 99999999999999999999", "out of range of a 64-bit long");
        expectError("id = 12abc", "is not a number");
        expectError("id # 1", "unexpected character '#' at column 4");
        expectError("venue = 'é'", "must be ASCII");
    }

    private static void expectError(final String expression, final String message)
    {
        assertThatThrownBy(() -> Expressions.compile(expression, SCHEMA)).as(expression)
            .isInstanceOf(ExpressionException.class).hasMessageContaining(message);
    }
}
