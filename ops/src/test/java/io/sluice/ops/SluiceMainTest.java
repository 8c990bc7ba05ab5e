package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

class SluiceMainTest
{
    @Test
    void shouldPrintVersionAndRuntime()
    {
        final CliResult result = CliResult.run("version");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
        assertThat(result.out()).startsWith("sluice " + SluiceVersion.version()).contains("java 17");
        assertThat(SluiceVersion.version()).isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void shouldPrintVersionForVersionOption()
    {
        final CliResult result = CliResult.run("--version");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(result.out()).startsWith("sluice ");
    }

    @Test
    void shouldListCommandsInHelp()
    {
        final CliResult result = CliResult.run("--help");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(result.out()).contains("demo", "loadgen", "journal", "version", "Exit codes");
    }

    @Test
    void shouldFailWithUsageWhenNoCommandIsGiven()
    {
        final CliResult result = CliResult.run();

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("sluice: missing command: one of run, stat, ctl, replay, demo, journal, loadgen, publish, version");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void shouldFailWithUsageAndSuggestionForUnknownCommand()
    {
        final CliResult result = CliResult.run("jurnal");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("Unmatched argument", "jurnal", "journal", "Run 'sluice --help' for usage.");
    }

    @Test
    void shouldFailWithUsageWhenJournalSubcommandIsMissing()
    {
        final CliResult result = CliResult.run("journal");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("sluice journal: missing command: one of dump, stats, append, verify");
    }
}
