package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./sluice} launcher's rebuild check covers every module of the repository: a copy of the
 * real script in a scratch tree with the repository's modules (read from the root pom, profiles
 * included, so a module added later is covered by this test too) rebuilds when a main source or a pom
 * of any of them is newer than its last build, and not when only tests or docs changed. Maven and Java
 * are stand-in scripts that record their calls, so no real build runs.
 */
class LauncherRebuildCheckTest
{
    private static final Path REPOSITORY =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
    private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    /** The file dated after the last build by the previous check, dated back before the next one. */
    private Path touched;

    @Test
    void shouldRebuildWhenAMainSourceOrPomOfAnyModuleChanged() throws Exception
    {
        final List<String> modules = modules();
        assertThat(modules).as("modules of the root pom").contains("schema", "journal", "engine", "client", "dashboard", "loadgen",
            "kafka", "ops", "cdc", "perf");
        layOut(modules);

        assertThat(run()).as("nothing changed since the last build").isEqualTo("ran version");
        assertThat(builds()).isZero();

        int expectedBuilds = 0;
        for (final String module : modules)
        {
            touchAfterBuild(root.resolve(module).resolve("src/main/java/io/sluice/Main.java"));
            assertThat(run()).as("a main source of %s changed", module).isEqualTo("ran version");
            assertThat(builds()).as("a main source of %s changed", module).isEqualTo(++expectedBuilds);

            touchAfterBuild(root.resolve(module).resolve("src/main/resources/app.properties"));
            run();
            assertThat(builds()).as("a resource of %s changed", module).isEqualTo(++expectedBuilds);

            touchAfterBuild(root.resolve(module).resolve("pom.xml"));
            run();
            assertThat(builds()).as("the pom of %s changed", module).isEqualTo(++expectedBuilds);

            touchAfterBuild(root.resolve(module).resolve("src/test/java/io/sluice/MainTest.java"));
            run();
            assertThat(builds()).as("only a test of %s changed", module).isEqualTo(expectedBuilds);
        }
        touchAfterBuild(root.resolve("pom.xml"));
        run();
        assertThat(builds()).as("the root pom changed").isEqualTo(++expectedBuilds);
        touchAfterBuild(root.resolve("docs/guide.md"));
        run();
        assertThat(builds()).as("only docs changed").isEqualTo(expectedBuilds);
    }

    /** The module names of the repository's root pom, profiles included. */
    private static List<String> modules() throws IOException
    {
        final List<String> modules = new ArrayList<>();
        final Matcher matcher = Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(REPOSITORY.resolve("pom.xml"), StandardCharsets.UTF_8));
        while (matcher.find())
        {
            modules.add(matcher.group(1).trim());
        }
        return modules;
    }

    /**
     * The scratch tree: the real launcher, a pom, a main source, a resource and a test per module,
     * what a build leaves behind, stand-ins for mvn and java, every file dated before the last build.
     */
    private void layOut(final List<String> modules) throws IOException
    {
        Files.copy(REPOSITORY.resolve("sluice"), root.resolve("sluice"));
        write(root.resolve("pom.xml"), "<project/>");
        write(root.resolve("docs/guide.md"), "docs");
        for (final String module : modules)
        {
            final Path dir = root.resolve(module);
            write(dir.resolve("pom.xml"), "<project/>");
            write(dir.resolve("src/main/java/io/sluice/Main.java"), "class Main {}");
            write(dir.resolve("src/main/resources/app.properties"), "a=1");
            write(dir.resolve("src/test/java/io/sluice/MainTest.java"), "class MainTest {}");
        }
        write(root.resolve("ops/target/sluice-ops.jar"), "jar");
        write(root.resolve("ops/target/lib/dependency.jar"), "jar");
        write(root.resolve("ops/target/sluice-jvm.options"), "-Dchronicle.analytics.disable=true");
        write(root.resolve("cdc/target/sluice-cdc.jar"), "jar");
        write(root.resolve("cdc/target/lib/dependency.jar"), "jar");
        executable(root.resolve("bin/mvn"), "#!/bin/sh\necho build >> '" + root.resolve("builds.log") + "'\n");
        executable(root.resolve("jdk/bin/java"), "#!/bin/sh\nfor a; do last=$a; done\necho ran $last\n");
        try (var files = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.setLastModifiedTime(file, FileTime.from(BUILT.minusSeconds(3_600)));
            }
        }
        write(root.resolve("ops/target/sluice-launcher.stamp"), "");
        Files.setLastModifiedTime(root.resolve("ops/target/sluice-launcher.stamp"), FileTime.from(BUILT));
    }

    /**
     * Dates a file after the last build, the file of the previous check back before it, and the stamp
     * back to the last build (a build sets it to the time the build started).
     */
    private void touchAfterBuild(final Path file) throws IOException
    {
        if (touched != null)
        {
            Files.setLastModifiedTime(touched, FileTime.from(BUILT.minusSeconds(3_600)));
        }
        Files.setLastModifiedTime(root.resolve("ops/target/sluice-launcher.stamp"), FileTime.from(BUILT));
        Files.setLastModifiedTime(file, FileTime.from(BUILT.plusSeconds(60)));
        touched = file;
    }

    private int builds() throws IOException
    {
        final Path log = root.resolve("builds.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private String run() throws IOException, InterruptedException
    {
        final Path out = root.resolve("stdout.txt");
        final Path err = root.resolve("stderr.txt");
        final ProcessBuilder builder = new ProcessBuilder(root.resolve("sluice").toString(), "version")
            .directory(root.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().put("SLUICE_BUILD", "auto");
        builder.environment().put("MAVEN", root.resolve("bin/mvn").toString());
        builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        builder.environment().remove("SLUICE_JAVA_OPTS");
        final Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the launcher did not finish in 60 s");
        }
        assertThat(process.exitValue()).as(Files.readString(err, StandardCharsets.UTF_8)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8).strip();
    }

    private static void write(final Path file, final String text) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void executable(final Path file, final String script) throws IOException
    {
        write(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
