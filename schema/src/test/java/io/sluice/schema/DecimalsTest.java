package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * DECIMAL(p, s) as a scaled long: text parsed and printed exactly, sums that fail rather than wrap,
 * the layout, and a seeded round trip against {@link BigDecimal} as the oracle.
 */
class DecimalsTest
{
    @Test
    void shouldParseAndPrintMoneyExactly()
    {
        assertThat(Decimals.parse("330.54", 12, 2)).isEqualTo(33054);
        assertThat(format(Decimals.parse("330.54", 12, 2), 2)).isEqualTo("330.54");
        assertThat(format(Decimals.parse("330.5", 12, 2), 2)).isEqualTo("330.50");
        assertThat(format(Decimals.parse("330", 12, 2), 2)).isEqualTo("330.00");
        assertThat(format(Decimals.parse("-0.05", 12, 2), 2)).isEqualTo("-0.05");
        assertThat(format(Decimals.parse("+.5", 12, 2), 2)).isEqualTo("0.50");
        assertThat(format(Decimals.parse("7.", 12, 2), 2)).isEqualTo("7.00");
        assertThat(format(Decimals.parse("1.2300", 12, 2), 2)).isEqualTo("1.23");
        assertThat(format(Decimals.parse("0001.07", 3, 2), 2)).isEqualTo("1.07");
        assertThat(format(Decimals.parse("42", 5, 0), 0)).isEqualTo("42");
        assertThat(format(Decimals.parse("999999999999999999", 18, 0), 0)).isEqualTo("999999999999999999");
        assertThat(format(Decimals.parse("-0.000000000000000001", 18, 18), 18)).isEqualTo("-0.000000000000000001");
        // The double nearest the decimal, as parsing its text gives; never 330.53999999999996 when printed.
        assertThat(Decimals.toDouble(33054, 2)).isEqualTo(330.54);
    }

    @Test
    void shouldRefuseWhatIsNotAValueOfTheType()
    {
        assertThatThrownBy(() -> Decimals.parse("330.545", 12, 2)).isInstanceOf(Decimals.DecimalException.class)
            .hasMessage("'330.545' has more than the 2 decimal places of DECIMAL(12, 2) (it would be rounded)");
        assertThatThrownBy(() -> Decimals.parse("1234.5", 5, 2)).hasMessage("'1234.5' has more than the 3 integer digits of DECIMAL(5, 2)");
        assertThatThrownBy(() -> Decimals.parse("1e3", 12, 2)).hasMessageContaining("is not a decimal number");
        assertThatThrownBy(() -> Decimals.parse("1.2.3", 12, 2)).hasMessageContaining("is not a decimal number");
        assertThatThrownBy(() -> Decimals.parse("-", 12, 2)).hasMessageContaining("is not a decimal number");
        assertThatThrownBy(() -> Decimals.parse(".", 12, 2)).hasMessageContaining("is not a decimal number");
        assertThatThrownBy(() -> Decimals.parse("", 12, 2)).hasMessage("value is empty, a decimal number is required");
        assertThatThrownBy(() -> Decimals.parse("NaN", 12, 2)).hasMessageContaining("is not a decimal number");
    }

    @Test
    void shouldFailASumBeyondEighteenDigitsInsteadOfWrapping()
    {
        assertThat(Decimals.add(Decimals.MAX_UNSCALED - 1, 1)).isEqualTo(Decimals.MAX_UNSCALED);
        assertThatThrownBy(() -> Decimals.add(Decimals.MAX_UNSCALED, 1)).isInstanceOf(ArithmeticException.class)
            .hasMessageContaining("decimal overflow");
        assertThatThrownBy(() -> Decimals.add(-Decimals.MAX_UNSCALED, -Decimals.MAX_UNSCALED)).hasMessageContaining("decimal overflow");
    }

    @Test
    void shouldRoundTripRandomValuesAsBigDecimalDoes()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++)
        {
            final int precision = 1 + random.nextInt(18);
            final int scale = random.nextInt(precision + 1);
            final long unscaled = random.nextLong(-Decimals.powerOfTen(precision) + 1, Decimals.powerOfTen(precision));
            final String text = BigDecimal.valueOf(unscaled, scale).toPlainString();
            final String printed = format(unscaled, scale);
            assertThat(printed).as("seed %d: %d at scale %d", seed, unscaled, scale).isEqualTo(text);
            assertThat(Decimals.parse(printed, precision, scale)).as("seed %d: %s", seed, printed).isEqualTo(unscaled);
            if (Math.abs(unscaled) < (1L << 53))
            {
                assertThat(Decimals.toDouble(unscaled, scale)).as("seed %d: %s", seed, printed).isEqualTo(Double.parseDouble(text));
            }
        }
    }

    @Test
    void shouldStoreADecimalAsAScaledLongInTheLayout()
    {
        final Schema schema = Schema.builder("payment").intField("n").field("amount", "decimal( 12 , 2 )").field("units", "DECIMAL(5)").build();
        final Field amount = schema.field("amount");
        assertThat(amount.type()).isEqualTo(FieldType.DECIMAL);
        assertThat(amount.offset()).isEqualTo(8);
        assertThat(amount.width()).isEqualTo(8);
        assertThat(amount.precision()).isEqualTo(12);
        assertThat(amount.scale()).isEqualTo(2);
        assertThat(amount.typeText()).isEqualTo("DECIMAL(12, 2)");
        assertThat(schema.field("units").scale()).isZero();
        final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
        event.putDecimal(1, 33054);
        assertThat(event.buffer().getLong(8)).isEqualTo(33054);
        assertThat(event.getDecimal(1)).isEqualTo(33054);
        assertThat(event.longValue(1)).isEqualTo(33054);
        assertThat(event.doubleValue(1)).isEqualTo(330.54);
        event.putNumber(1, 5L);
        assertThat(event.getDecimal(1)).isEqualTo(500);
        assertThatThrownBy(() -> Schema.builder("bad").decimalField("x", 19, 2)).isInstanceOf(SchemaException.class)
            .hasMessageContaining("precision in [1, 18]");
        assertThatThrownBy(() -> Schema.builder("bad").decimalField("x", 4, 5)).hasMessageContaining("scale in [0, precision]");
        assertThatThrownBy(() -> Schema.builder("bad").field("x", "DECIMAL")).hasMessageContaining("DECIMAL(18, 2)");
        assertThatThrownBy(() -> Schema.builder("bad").field("x", FieldType.DECIMAL, 8)).hasMessageContaining("precision and scale");
    }

    private static String format(final long unscaled, final int scale)
    {
        return Decimals.format(unscaled, scale, new StringBuilder()).toString();
    }
}
