package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest
{
    @TempDir
    Path dir;

    /** A temporary data directory asked for in a parent is made there, and deleted with its files when the body ends. */
    @Test
    void shouldMakeTheTemporaryDirectoryInTheGivenParentAndDeleteItAfterwards() throws IOException
    {
        final Path[] used = new Path[1];
        ScratchDirectory.use(null, dir, "scratch-", data ->
        {
            used[0] = data;
            try
            {
                Files.createDirectories(data.resolve("journal/cards"));
                Files.write(data.resolve("journal/cards/0.log"), new byte[4096]);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        assertThat(used[0].getParent()).isEqualTo(dir);
        assertThat(used[0].getFileName().toString()).startsWith("scratch-");
        assertThat(used[0]).doesNotExist();
    }

    /** A directory the user gave is used as it is and kept. */
    @Test
    void shouldKeepTheUsersDirectory() throws IOException
    {
        final Path given = Files.createDirectory(dir.resolve("given"));
        ScratchDirectory.use(given, dir.resolve("unused"), "scratch-", data -> assertThat(data).isEqualTo(given));
        assertThat(given).isDirectory();
        assertThat(dir.resolve("unused")).doesNotExist();
    }

    /** Linux's /dev/shm, a tmpfs, is offered where it has the room asked for, and not where it has less. */
    @Test
    void shouldOfferTheSharedMemoryFileSystemOnlyWithRoom() throws IOException
    {
        final Path shm = Paths.get(ScratchDirectory.SHARED_MEMORY);
        assumeTrue(Files.isDirectory(shm) && ScratchDirectory.TMPFS.equals(Files.getFileStore(shm).type()), "a tmpfs at /dev/shm");
        final long usable = Files.getFileStore(shm).getUsableSpace();
        assumeTrue(usable > 1 << 20, "a megabyte usable in /dev/shm");
        assertThat(ScratchDirectory.memoryBackedParent(1 << 20)).isEqualTo(shm);
        assertThat(ScratchDirectory.memoryBackedParent(Long.MAX_VALUE)).isNull();
    }

    /** A directory on a file system other than tmpfs, or none at all, is never offered as memory-backed. */
    @Test
    void shouldNotOfferADirectoryThatIsNotATmpfs() throws IOException
    {
        assumeTrue(!ScratchDirectory.TMPFS.equals(Files.getFileStore(dir).type()), "the test's directory is not on a tmpfs");
        assertThat(ScratchDirectory.memoryBackedParent(dir, 1)).isNull();
        assertThat(ScratchDirectory.memoryBackedParent(dir.resolve("missing"), 1)).isNull();
    }

    /** The demo's line says where its journal is and how to put it on a disk. */
    @Test
    void shouldSayWhereTheDemosJournalIs()
    {
        assertThat(DemoCommand.journalPlacement(true)).startsWith("journal: in memory (/dev/shm, a tmpfs)").contains("--dir DIR");
        assertThat(DemoCommand.journalPlacement(false)).startsWith("journal: on a disk");
    }
}
