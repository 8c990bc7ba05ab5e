package io.sluice.ops;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice journal}: offline tools over a journal directory. Run them against a journal no
 * daemon is writing to.
 */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Inspect and write a journal directory.",
    subcommands = { JournalDumpCommand.class, JournalStatsCommand.class, JournalAppendCommand.class, JournalVerifyCommand.class,
        JournalRepairCommand.class })
final class JournalCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        throw SluiceMain.missingSubcommand(spec);
    }
}
