package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.openhft.affinity.Affinity;

class SchedstatFileTest
{
    private static final long DEADLINE_NS = TimeUnit.MINUTES.toNanos(2);

    @TempDir
    Path dir;

    /** The file is kept open and each read from its start gives the kernel's figures of that moment. */
    @Test
    void shouldReadTheThreadsFiguresAnewAtEachReadOfTheOpenFile() throws Exception
    {
        final Path path = Path.of("/proc/self/task/" + Affinity.getThreadId() + "/schedstat");
        assumeTrue(Files.isReadable(path), "Linux with scheduler statistics");
        try (SchedstatFile file = SchedstatFile.open(path))
        {
            assertThat(file.read()).isTrue();
            final long first = file.runNanos();
            assertThat(first).isPositive();
            assertThat(file.slices()).isPositive();
            final long deadline = System.nanoTime() + DEADLINE_NS;
            long spun = 0;
            do
            {
                assertThat(System.nanoTime()).as("this thread's cpu time grew within the deadline").isLessThan(deadline);
                for (int i = 0; i < 1_000_000; i++)
                {
                    spun += i ^ spun;
                }
                assertThat(file.read()).isTrue();
            }
            while (file.runNanos() == first);
            assertThat(file.runNanos()).as("spun %d", spun).isGreaterThan(first);
        }
    }

    @Test
    void shouldParseThreeNumbersAndNameTheFileAndTextOtherwise() throws Exception
    {
        final Path good = Files.writeString(dir.resolve("good"), "9876543210 1234 56\n");
        try (SchedstatFile file = SchedstatFile.open(good))
        {
            assertThat(file.read()).isTrue();
            assertThat(new long[] { file.runNanos(), file.waitNanos(), file.slices() }).containsExactly(9_876_543_210L, 1234L, 56L);
        }
        for (final String bad : new String[] { "12 34\n", "1 2 3 4\n", "1 2 x\n", "1 -2 3" })
        {
            final Path path = Files.writeString(dir.resolve("bad"), bad);
            try (SchedstatFile file = SchedstatFile.open(path))
            {
                assertThatThrownBy(file::read).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad.strip() + "'").hasMessageContaining(path.toString());
            }
        }
        try (SchedstatFile empty = SchedstatFile.open(Files.writeString(dir.resolve("empty"), "")))
        {
            assertThat(empty.read()).as("nothing to read: as a thread that ended").isFalse();
        }
    }
}
