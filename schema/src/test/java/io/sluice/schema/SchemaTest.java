package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.exceptions.SluiceException;

class SchemaTest
{
    private final Schema card = Schema.builder("card_tx")
        .longField("card").doubleField("amount").symbolField("merchant", 12).timestampField("ts").booleanField("online").intField("mcc")
        .build();

    @Test
    void shouldLayFieldsOutAlignedInDeclarationOrder()
    {
        assertThat(card.field("card").offset()).isEqualTo(0);
        assertThat(card.field("amount").offset()).isEqualTo(8);
        assertThat(card.field("merchant").offset()).isEqualTo(16);
        assertThat(card.field("ts").offset()).isEqualTo(32);
        assertThat(card.field("online").offset()).isEqualTo(40);
        assertThat(card.field("mcc").offset()).isEqualTo(44);
        assertThat(card.length()).isEqualTo(48);
    }

    @Test
    void shouldReadBackEveryFieldThroughTheFlyweight()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 + card.length()]);
        final EventFlyweight event = new EventFlyweight(card).wrapForWrite(buffer, 64);
        event.putLong(0, 42).putDouble(1, 12.5).putSymbol(2, "ACME").putLong(3, 1_000).putBoolean(4, true).putInt(5, 5411);
        final EventFlyweight reader = new EventFlyweight(card).wrap(buffer, 64);
        assertThat(reader.getLong(0)).isEqualTo(42);
        assertThat(reader.getDouble(1)).isEqualTo(12.5);
        assertThat(reader.getSymbol(2, new StringBuilder()).toString()).isEqualTo("ACME");
        assertThat(reader.symbolEquals(2, "ACME".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isTrue();
        assertThat(reader.symbolEquals(2, "ACM".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isFalse();
        assertThat(reader.getLong(3)).isEqualTo(1_000);
        assertThat(reader.getBoolean(4)).isTrue();
        assertThat(reader.getInt(5)).isEqualTo(5411);
        assertThat(reader.longValue(5)).isEqualTo(5411);
        assertThat(reader.doubleValue(0)).isEqualTo(42.0);
        assertThat(reader.longValue(1)).isEqualTo(12);
    }

    @Test
    void shouldRejectBadDeclarationsWithClearMessages()
    {
        assertThatThrownBy(() -> Schema.builder("x").longField("a").longField("a").build()).hasMessageContaining("twice");
        assertThatThrownBy(() -> Schema.builder("x").symbolField("s", 0)).hasMessageContaining("width");
        assertThatThrownBy(() -> Schema.builder("x").longField("bad name")).hasMessageContaining("invalid field name");
        assertThatThrownBy(() -> card.field("nope")).hasMessageContaining("no field 'nope'").hasMessageContaining("card_tx")
            .isInstanceOfSatisfying(SluiceException.class, ex -> assertThat(ex.category()).isEqualTo(SluiceException.Category.ERROR));
        assertThatThrownBy(() -> card.numericField("merchant")).hasMessageContaining("SYMBOL");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[card.length()]);
        assertThatThrownBy(() -> new EventFlyweight(card).wrapForWrite(buffer, 0).putSymbol(2, "THIS IS TOO LONG"))
            .hasMessageContaining("longer than the 12 bytes");
    }

    @Test
    void shouldFingerprintTheLayoutNotTheName()
    {
        final Schema trade = Schema.builder("trade").longField("account").decimalField("amount", 12, 2).timestampField("ts").build();
        final Schema sameLayout = Schema.builder("fill").longField("account").decimalField("amount", 12, 2).timestampField("ts").build();
        final Schema renamed = Schema.builder("trade").longField("card").decimalField("amount", 12, 2).timestampField("ts").build();
        final Schema retyped = Schema.builder("trade").longField("account").doubleField("amount").timestampField("ts").build();
        final Schema rescaled = Schema.builder("trade").longField("account").decimalField("amount", 12, 4).timestampField("ts").build();

        assertThat(sameLayout.length()).isEqualTo(trade.length());
        assertThat(sameLayout.layoutFingerprint()).isEqualTo(trade.layoutFingerprint()).isNotZero();
        assertThat(renamed.layoutFingerprint()).isNotEqualTo(trade.layoutFingerprint());
        assertThat(retyped.layoutFingerprint()).isNotEqualTo(trade.layoutFingerprint());
        assertThat(rescaled.layoutFingerprint()).isNotEqualTo(trade.layoutFingerprint());
    }
}
