package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * TEXT(max): a fixed slot of a 16-bit length and max bytes of UTF-8, zero-padded, so equal texts are
 * equal bytes; longer text is refused naming the field.
 */
class TextFieldTest
{
    private final Schema schema = Schema.builder("note").booleanField("flag").field("memo", "TEXT(10)").longField("id").build();
    private final UnsafeBuffer bytes = new UnsafeBuffer(new byte[schema.length()]);
    private final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(bytes, 0);

    @Test
    void shouldLayTextOutAsALengthAndAZeroPaddedSlot()
    {
        final Field memo = schema.field("memo");
        assertThat(memo.offset()).isEqualTo(2);
        assertThat(memo.width()).isEqualTo(12);
        assertThat(memo.maxLength()).isEqualTo(10);
        assertThat(memo.typeText()).isEqualTo("TEXT(10)");
        assertThat(schema.field("id").offset()).isEqualTo(16);

        event.putText(1, "a longer x");
        event.putText(1, "café");
        assertThat(event.textLength(1)).isEqualTo(5);
        assertThat(bytes.getShort(2)).isEqualTo((short)5);
        final byte[] slot = new byte[10];
        bytes.getBytes(4, slot);
        assertThat(slot).isEqualTo(new byte[] {'c', 'a', 'f', (byte)0xC3, (byte)0xA9, 0, 0, 0, 0, 0});
        assertThat(event.getText(1, new StringBuilder()).toString()).isEqualTo("café");
    }

    @Test
    void shouldRoundTripEveryPlaneOfUnicode()
    {
        final String text = "a€𝄞é";
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(10);
        event.putText(1, text);
        assertThat(event.getText(1, new StringBuilder()).toString()).isEqualTo(text);
        event.putText(1, "");
        assertThat(event.getText(1, new StringBuilder()).toString()).isEmpty();
    }

    @Test
    void shouldRefuseTextLongerThanTheFieldNamingIt()
    {
        assertThatThrownBy(() -> event.putText(1, "€€€€")).isInstanceOf(SchemaException.class)
            .hasMessage("value of 12 bytes is longer than the 10 bytes of text field 'memo' of note");
        assertThatThrownBy(() -> event.putText(1, "x\uD800")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> Schema.builder("bad").textField("x", 0)).hasMessageContaining("maximum length in [1, 4096]");
        assertThatThrownBy(() -> Schema.builder("bad").field("x", "TEXT")).hasMessageContaining("TEXT(64)");
        assertThatThrownBy(() -> Schema.builder("bad").field("x", "TEXT(3, 2)")).hasMessageContaining("one size");
    }
}
