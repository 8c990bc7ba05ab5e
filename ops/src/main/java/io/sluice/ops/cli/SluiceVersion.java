package io.sluice.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine;

/**
 * The version of this build, read from the {@code sluice-version.properties} resource the build
 * filters, and the runtime it runs on.
 */
public final class SluiceVersion implements CommandLine.IVersionProvider
{
    private static final String RESOURCE = "/sluice-version.properties";

    /**
     * The version of this build.
     *
     * @return the version, or "unknown" when the build did not record it.
     */
    public static String version()
    {
        try (InputStream in = SluiceVersion.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
    }

    /**
     * The lines {@code --version} prints: Sluice's version, the JVM and the operating system.
     *
     * @return the lines.
     */
    @Override
    public String[] getVersion()
    {
        return new String[]
        {
            "sluice " + version(),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", " +
                System.getProperty("java.vendor") + ")",
            "os " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cpus",
        };
    }
}
