package io.sluice.ops.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a jar of Java DSL pipelines at test time: compiles sources with the JDK's compiler against
 * the test class path (the engine's DSL) and packs the classes, and service files if given.
 */
final class PipelineJar
{
    /** A factory of one pipeline, "vol": tumbling 2 s count and sum of qty per SYMBOL(8) sym, to sink "vol-out". */
    static final String DESK_PIPELINES = """
        package desk;

        import java.util.List;

        import io.sluice.engine.pipeline.Pipeline;
        import io.sluice.engine.pipeline.PipelineFactory;
        import io.sluice.schema.Schema;

        public final class DeskPipelines implements PipelineFactory
        {
            @Override
            public List<Pipeline> pipelines(final Sinks sinks)
            {
                final Schema trade = Schema.builder("trade").symbolField("sym", 8).longField("qty").timestampField("ts").build();
                return List.of(Pipeline.from("trades", trade).name("vol").partitionKey("sym").eventTime("ts", 0)
                    .window(w -> w.tumbling(2_000).count("n").sum("q", "qty"))
                    .sink("vol-out", sinks.sink("vol-out"))
                    .build());
            }
        }
        """;

    private PipelineJar()
    {
    }

    /**
     * Compiles sources into a jar.
     *
     * @param dir      to work in.
     * @param jarName  of the jar to write in dir.
     * @param sources  by class name (e.g. {@code desk.DeskPipelines}).
     * @param services META-INF/services file contents by service interface name, may be empty.
     * @return the jar.
     */
    static Path build(final Path dir, final String jarName, final Map<String, String> sources, final Map<String, String> services)
        throws IOException
    {
        final Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        final Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        final List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath(), "-proc:none"));
        for (final Map.Entry<String, String> source : sources.entrySet())
        {
            final Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        if (compiler.run(null, errors, errors, arguments.toArray(new String[0])) != 0)
        {
            throw new AssertionError("the test pipelines do not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        final Path jar = dir.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
            for (final Map.Entry<String, String> service : services.entrySet())
            {
                out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
                final OutputStream entry = out;
                entry.write(service.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String classPath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
