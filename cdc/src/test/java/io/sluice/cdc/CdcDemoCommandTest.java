package io.sluice.cdc;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.sluice.ops.SluiceMain;

import static org.assertj.core.api.Assertions.assertThat;

class CdcDemoCommandTest
{
    @Test
    void shouldAddDemoCdcToTheCommandLineAndRunItAgainstAPrivatePostgres()
    {
        final StringWriter help = new StringWriter();
        assertThat(SluiceMain.execute(new PrintWriter(help), new PrintWriter(new StringWriter()), "demo", "--help")).isZero();
        assertThat(help.toString()).contains("cdc");

        PostgresInstall.ensureInstalled(); // the demo itself never installs: the test environment does
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final StringWriter err = new StringWriter();
        final int exit;
        try
        {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = SluiceMain.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
                "demo", "cdc", "--duration", "3", "--rate", "2000", "--accounts", "200");
        }
        finally
        {
            System.setOut(original);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out + err).isZero();
        assertThat(out).contains("snapshot: 200 rows").contains("summary:").contains("accounts blocked in SQL")
            .contains("state STREAMING");
    }
}
