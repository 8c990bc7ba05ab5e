package io.sluice.ops;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * {@code sluice version}: prints the Sluice version and the Java runtime and operating system it
 * runs on.
 */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = SluiceVersion.class,
    description = "Print the Sluice version and the runtime it runs on.")
final class VersionCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        for (final String line : new SluiceVersion().getVersion())
        {
            out.println(line);
        }
        return ExitCodes.OK;
    }
}
