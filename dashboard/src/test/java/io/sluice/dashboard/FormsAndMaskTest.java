package io.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Strict form parsing (a malformed request is a clear 400, never a guess), secrets masked in the
 * configuration shown, and JSON strings that can never be read as markup.
 */
class FormsAndMaskTest
{
    @Test
    void shouldParseFormsAndRefuseMalformedOnes()
    {
        assertThat(Forms.parse("pipeline=card%20velocity&from_offset=12")).containsEntry("pipeline", "card velocity")
            .containsEntry("from_offset", "12");
        assertThatThrownBy(() -> Forms.parse("pipeline=%zz")).isInstanceOf(Forms.BadRequestException.class)
            .hasMessageContaining("malformed form encoding");
        assertThatThrownBy(() -> Forms.parse("a=1&a=2")).hasMessageContaining("'a' is given more than once");
        assertThatThrownBy(() -> Forms.parse("a=1&".repeat(40).replace("a=1", "x"))).isInstanceOf(Forms.BadRequestException.class);
    }

    @Test
    void shouldMaskSecretsInConfigurationText()
    {
        final String masked = ConfigMasker.mask("""
            jmx:
              password_file: jmx.password
              password: hunter2
            kafka: {bootstrap: x, sasl_password: s3cret, topic: t}
            source:
              url: postgresql://repl:pa55word@db.example:5432/shop
              api_token: abc123 # comment
            """);
        assertThat(masked).doesNotContain("hunter2", "s3cret", "pa55word", "abc123")
            .contains("password: '*****'", "repl:*****@db.example", "topic: t");
        // A path to a secret file is masked too: the dashboard errs on the side of showing less.
        assertThat(masked).doesNotContain("jmx.password");
    }

    @Test
    void shouldEscapeJsonSoThatNoTextIsMarkup()
    {
        assertThat(Json.quote("<script>\"a\"\n&</script>")).isEqualTo("\"\\u003cscript\\u003e\\\"a\\\"\\n\\u0026\\u003c/script\\u003e\"");
    }
}
