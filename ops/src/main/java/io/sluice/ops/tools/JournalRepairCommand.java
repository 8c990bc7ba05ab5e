package io.sluice.ops.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.sluice.journal.JournalRepair;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice journal repair}: the explicit repair of a partition that recovery refuses to open
 * because a damaged record is followed by valid ones (or a sealed segment is damaged). It truncates the
 * partition at the first damaged record, keeps the removed bytes in a side file
 * ({@code <segment>.log.damaged-at-<byte offset>}) next to the segment, moves any later segment aside
 * ({@code .quarantined}), and prints each thing it did; the same lines are appended to
 * {@code repair-history.txt} in the partition directory. Records from the damaged one on are no longer
 * in the partition, and the next append reuses the damaged record's offset: the output says so.
 * Run it only when no process has the journal open.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Truncate a damaged partition at its first bad record, keeping the removed bytes in a side file. " +
        "Prints what it did; run it only when no process has the journal open.")
final class JournalRepairCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, required = true, paramLabel = "DIR", description = "Journal directory.")
    Path dir;

    @Option(names = { "-t", "--topic" }, required = true, paramLabel = "TOPIC", description = "Topic to repair.")
    String topicName;

    @Option(names = { "-p", "--partition" }, paramLabel = "ID", split = ",",
        description = "Partitions to repair (default: all of the topic's).")
    int[] partitions;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(dir))
        {
            throw new CliException("no journal at " + dir + ": not a directory");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final List<String> actions = JournalRepair.repair(dir, topicName, partitions);
        for (final String action : actions)
        {
            out.println(action);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
