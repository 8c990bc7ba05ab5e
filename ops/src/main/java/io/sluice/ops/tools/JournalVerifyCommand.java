package io.sluice.ops.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.sluice.journal.JournalVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Formats;

/**
 * {@code sluice journal verify}: checks a journal read-only with {@link JournalVerifier} (segment
 * headers, every record's length and CRC32C, sealed segment counts, offset and time indexes, clean
 * tails) and prints each problem found, naming file and byte offset. Changes nothing, so it is
 * safe beside a live writer, which may show as a tail still growing.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Check a journal read-only: headers, every record's CRC32C, segment counts, indexes, tails. " +
        "Exit code " + ExitCodes.DAMAGED + " when problems are found.")
final class JournalVerifyCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, required = true, paramLabel = "DIR", description = "Journal directory.")
    Path dir;

    @Override
    public Integer call()
    {
        if (!Files.isDirectory(dir))
        {
            throw new CliException("no journal at " + dir + ": not a directory");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final long startNs = System.nanoTime();
        final JournalVerifier verifier = JournalVerifier.verify(dir);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        for (final String problem : verifier.problems())
        {
            out.println("problem: " + problem);
        }
        out.printf(Locale.ROOT, "%s: %s records in %d segments of %d partitions checked in %.3f s, %d problem%s%n",
            verifier.problems().isEmpty() ? "OK" : "DAMAGED", Formats.count(verifier.records()),
            verifier.segments(), verifier.partitions(), seconds, verifier.problems().size(),
            1 == verifier.problems().size() ? "" : "s");
        out.flush();
        if (!verifier.problems().isEmpty())
        {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": journal " + dir + " has " +
                verifier.problems().size() + " problem(s), listed on standard output");
            return ExitCodes.DAMAGED;
        }
        return ExitCodes.OK;
    }
}
