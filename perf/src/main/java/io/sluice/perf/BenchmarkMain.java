package io.sluice.perf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Main class of {@code perf/target/benchmarks.jar}: runs JMH's own main
 * ({@code org.openjdk.jmh.Main}, so every JMH option works) with the parent pom's
 * {@code sluice.jvm.flags} prepended to each fork's JVM arguments. Those flags (Chronicle Map's
 * {@code --add-opens}/{@code --add-exports} and {@code -Dchronicle.analytics.disable=true}) are
 * filtered into the {@code sluice-jvm.options} resource at build time, so they are defined once.
 *
 * <p>Further fork arguments can still be given with {@code -jvmArgsPrepend} or
 * {@code -jvmArgsAppend}. With {@code -f 0} nothing is forked: start this JVM itself with the flags,
 * e.g. {@code java @ops/target/sluice-jvm.options -jar perf/target/benchmarks.jar -f 0 ...}.
 */
public final class BenchmarkMain
{
    private static final String JVM_OPTIONS_RESOURCE = "/sluice-jvm.options";

    private BenchmarkMain()
    {
    }

    /**
     * Runs JMH with the Sluice JVM flags added to its forks.
     *
     * @param args JMH command-line options, as {@code org.openjdk.jmh.Main} takes them.
     * @throws Exception as JMH's main throws it.
     */
    public static void main(final String[] args) throws Exception
    {
        final String[] jmhArgs = new String[args.length + 2];
        // JMH splits the value on spaces; repeated -jvmArgsPrepend options accumulate.
        jmhArgs[0] = "-jvmArgsPrepend";
        jmhArgs[1] = jvmFlags();
        System.arraycopy(args, 0, jmhArgs, 2, args.length);
        org.openjdk.jmh.Main.main(jmhArgs);
    }

    /**
     * The Sluice JVM flags, as the build wrote them.
     *
     * @return the flags, separated by spaces.
     * @throws IOException if the resource cannot be read.
     */
    public static String jvmFlags() throws IOException
    {
        try (InputStream in = BenchmarkMain.class.getResourceAsStream(JVM_OPTIONS_RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(JVM_OPTIONS_RESOURCE + " missing from the class path: rebuild perf");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
