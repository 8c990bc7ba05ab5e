package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon maps and creates outside its data directory: an Aeron directory there is private
 * and marked as Sluice's; a full disk at start-up is a one-line error and an exit, never a process
 * that holds the lock and does nothing.
 *
 * <p>The full-disk tests mount a real 4 MiB tmpfs (the tests run as root in CI too); where mounting
 * is not permitted (no CAP_SYS_ADMIN) they are skipped with that reason, visible in the report.
 */
class DaemonResourcesTest
{
    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception
    {
        for (final Path mount : mounts)
        {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String config(final String dataDir, final String aeronDir)
    {
        return DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
                channel: aeron:ipc
            """ + (aeronDir == null ? "" : "    aeron_dir: " + aeronDir + "\n")).replace("data_dir: data", "data_dir: " + dataDir);
    }

    @Test
    void shouldMakeAnAeronDirectoryOutsideTheDataDirectoryPrivateAndMarkIt() throws Exception
    {
        final Path aeron = dir.resolve("aeron-elsewhere");
        final DaemonConfig config = DaemonConfig.parse(config("data", "aeron-elsewhere"), "sluice.yaml", dir);
        final StringWriter log = new StringWriter();
        try (Daemon daemon = Daemon.start(config, new PrintWriter(log, true)))
        {
            assertThat(daemon.engine()).isNotNull();
            assertThat(Files.getPosixFilePermissions(aeron)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(aeron.resolve("sluice-aeron.marker")).isRegularFile();
            assertThat(aeron.resolve("cnc.dat")).isRegularFile();
            try (Stream<Path> files = Files.walk(aeron))
            {
                for (final Path file : files.filter(f -> !f.equals(aeron)).toList())
                {
                    assertThat(Files.getPosixFilePermissions(file)).as(file.toString())
                        .isEqualTo(PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwx------" : "rw-------"));
                }
            }
        }
        // Stopped: the driver removed its directory; a start after a crash finds the marker and may reuse it.
        assertThat(log.toString()).contains("stopped");
    }

    private Path smallFileSystem(final String name) throws Exception
    {
        final Path mount = Files.createDirectories(dir.resolve(name));
        final Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final boolean done = process.waitFor(30, TimeUnit.SECONDS);
        final String output = new String(process.getInputStream().readAllBytes());
        Assumptions.assumeTrue(done && process.exitValue() == 0,
            "cannot mount a 4 MiB tmpfs here (needs root with CAP_SYS_ADMIN): " + output.trim());
        mounts.add(mount);
        return mount;
    }

    /** Fills a file system up to {@code free} bytes of free space. */
    private static void fill(final Path mount, final long free) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(mount.resolve("filler")))
        {
            final byte[] block = new byte[4096];
            while (Files.getFileStore(mount).getUsableSpace() > free)
            {
                out.write(block);
                out.flush();
            }
        }
    }

    @Test
    void shouldExitWithOneLineWhenTheDiskIsFullAtStartUp() throws Exception
    {
        final Path small = smallFileSystem("small");
        fill(small, 512 * 1024); // room for the lock and mark files, not for the 1.7 MB counters file
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config("small/data", null));

        try (DaemonProcess daemon = DaemonProcess.start(configFile, small.resolve("data"), dir.resolve("full.log")))
        {
            assertThat(daemon.process.waitFor(120, TimeUnit.SECONDS)).as("the daemon exits").isTrue();
            final String log = daemon.log();
            assertThat(daemon.process.exitValue()).as(log).isEqualTo(1);
            assertThat(log).as(log).contains("sluice run: cannot start: cannot create counters file")
                .contains("No space left on device").doesNotContain("\tat ");
        }
        // The lock went with the process: nothing holds the data directory.
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(small.resolve("data").resolve(Daemon.LOCK_FILE),
            java.nio.file.StandardOpenOption.WRITE))
        {
            assertThat(lock.tryLock()).isNotNull();
        }
    }

    @Test
    void shouldRefuseToStartTheMediaDriverWithoutSpaceForItsFiles() throws Exception
    {
        final Path small = smallFileSystem("small-aeron");
        fill(small, 512 * 1024);
        final DaemonConfig config = DaemonConfig.parse(config("data", "small-aeron/aeron"), "sluice.yaml", dir);

        assertThatThrownBy(() -> Daemon.start(config, new PrintWriter(new StringWriter(), true)).close())
            .isInstanceOf(DaemonException.class)
            .hasMessageContaining("not enough free space for the media driver in " + small.resolve("aeron"));
        // The data directory is usable again at once: the lock was released.
        assertThat(Files.exists(small.resolve("aeron").resolve("cnc.dat"))).isFalse();
    }

    @Test
    void shouldNeverClaimAFinalCheckpointThatFailed() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, DaemonProcessTest.config(true, ""));

        // Every manifest rename fails, as on a full disk: no checkpoint ever completes.
        try (DaemonProcess daemon = DaemonProcess.start(configFile, dir.resolve("data"), dir.resolve("run.log"),
            List.of("-D" + io.sluice.engine.checkpoint.CheckpointFaults.PROPERTY + "=MANIFEST_RENAME")))
        {
            daemon.awaitRunning();
            final int exit = daemon.terminate();
            final String log = daemon.log();
            assertThat(exit).as(log).isZero();
            assertThat(log).contains("final checkpoint FAILED: ").contains("injected fault")
                .contains("last complete checkpoint: none").doesNotContain("complete\n");
            assertThat(log).doesNotContainPattern("final checkpoint \\d+ complete");
        }
    }
}
