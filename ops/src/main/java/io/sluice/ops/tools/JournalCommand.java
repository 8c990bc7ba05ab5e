package io.sluice.ops.tools;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Subcommands;

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
public final class JournalCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        throw Subcommands.missing(spec);
    }
}
