package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HlogWriterTest
{
    private static final long BASE_MS = 1_765_000_000_123L;

    @TempDir
    Path dir;

    @Test
    void linesReadBackAsTheHistogramsWrittenWithTheLibrarysFields() throws Exception
    {
        final Random random = new Random(13);
        final List<Histogram> written = new ArrayList<>();
        final Path file = dir.resolve("latency.hlog");
        final int[] betweenSteps = {0};
        try (HlogWriter writer = new HlogWriter(file, List.of("a comment"), BASE_MS))
        {
            for (int i = 0; i < 40; i++)
            {
                final Histogram h = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
                final int values = i % 7 == 0 ? 1 + random.nextInt(3) : random.nextInt(50_000) + 1;
                for (int v = 0; v < values; v++)
                {
                    // From 1 ns to about an hour, log-spread, so the encoding's zero runs and large counts both occur.
                    h.recordValue(Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, 1 + (long)Math.exp(random.nextDouble() * 28)));
                }
                h.setStartTimeStamp(BASE_MS + i * 1_000L + random.nextInt(999));
                h.setEndTimeStamp(h.getStartTimeStamp() + random.nextInt(3_000));
                h.setTag(i % 2 == 0 ? "warmup" : "measure");
                if (i % 3 == 0)
                {
                    writer.write(h.getTag(), h);
                }
                else
                {
                    // The reporter's step between the encoding and the rest of the line: the same line.
                    writer.write(h.getTag(), h, () -> betweenSteps[0]++);
                }
                written.add(h);
            }
        }

        final String text = Files.readString(file);
        assertThat(text).startsWith("#a comment\n").contains("#[Histogram log format version 1.3]");
        final HistogramLogReader reader = new HistogramLogReader(file.toFile());
        final List<String> lines = text.lines().filter(l -> l.startsWith("Tag=")).toList();
        assertThat(lines).hasSize(written.size());
        for (int i = 0; i < written.size(); i++)
        {
            final Histogram expected = written.get(i);
            final Histogram read = (Histogram)reader.nextIntervalHistogram();
            assertThat(read).isEqualTo(expected);
            assertThat(read.getTag()).isEqualTo(expected.getTag());
            assertThat(read.getMaxValue()).isEqualTo(expected.getMaxValue());
            // Everything before the histogram's bytes (tag, start, length, max) is what the library's writer prints
            // (its reader turns the seconds back into ms by truncating a double, so they are compared as text).
            assertThat(fields(lines.get(i))).isEqualTo(fields(libraryLine(expected)));
        }
        assertThat(reader.nextIntervalHistogram()).isNull();
        assertThat(betweenSteps[0]).as("once per line written with a step").isEqualTo(26);
    }

    @Test
    void tagWithADelimiterIsRefusedNamingIt() throws Exception
    {
        try (HlogWriter writer = new HlogWriter(dir.resolve("x.hlog"), List.of(), BASE_MS))
        {
            assertThatThrownBy(() -> writer.write("a,b", new Histogram(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a,b'");
        }
    }

    private static String libraryLine(final Histogram histogram)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final HistogramLogWriter writer = new HistogramLogWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        writer.setBaseTime(BASE_MS);
        writer.outputIntervalHistogram(histogram);
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    private static String fields(final String line)
    {
        return line.substring(0, line.lastIndexOf(','));
    }
}
