package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Input files of any size and content cost time linear in their size and fail line by line: huge
 * headers and lines are refused with their size, invalid UTF-8 names its own line and is skippable.
 * The timeouts below only guard against a hang (the quadratic header check took over 300 s for a
 * million columns); what is asserted is the error.
 */
class InputLimitsTest
{
    private static final Schema SCHEMA = Schema.builder("s").longField("id").longField("ts").build();
    private static final Duration HANG_GUARD = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private static List<Long> readIds(final EventFileSource source)
    {
        final EventFlyweight event = new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);
        final List<Long> ids = new ArrayList<>();
        while (source.next(event))
        {
            ids.add(event.getLong(0));
        }
        return ids;
    }

    private Path header(final String name, final int columns, final String separatorSuffix) throws IOException
    {
        final Path file = dir.resolve(name);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file)))
        {
            out.write("id,ts".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < columns; i++)
            {
                out.write((",c" + i + separatorSuffix).getBytes(StandardCharsets.US_ASCII));
            }
            out.write("\n1,2\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    @Test
    void shouldRefuseAMillionColumnHeaderByItsSize() throws Exception
    {
        // 1,000,000 columns: a 7.9 MB header line.
        final Path file = header("wide.csv", 1_000_000, "");
        assertThat(Files.size(file)).isGreaterThan(EventFileSource.MAX_LINE_BYTES);

        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
            .isInstanceOf(MalformedInputException.class)
            .hasMessageStartingWith("wide.csv line 1: header: the line is ")
            .hasMessageContaining("longer than the limit of 1048576 bytes"));
    }

    @Test
    void shouldRefuseMoreColumnsThanTheLimitAndFindDuplicatesInOnePass() throws Exception
    {
        // 100,000 short columns fit in a line (about 690 KB) but are more than 10,000 columns.
        final Path wide = header("columns.csv", 100_000, "");
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> EventFileSource.open(wide, SCHEMA, MalformedInputPolicy.SKIP))
            .isInstanceOf(MalformedInputException.class)
            .hasMessage("columns.csv line 1: header: has more than 10000 columns, the limit"));

        // 9,000 columns, the last a duplicate of the first extra one: found, named with both places.
        final Path file = dir.resolve("dup.csv");
        final StringBuilder text = new StringBuilder("id,ts");
        for (int i = 0; i < 8_997; i++)
        {
            text.append(",c").append(i);
        }
        text.append(",c0\n1,2\n");
        Files.writeString(file, text);
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
            .isInstanceOf(MalformedInputException.class)
            .hasMessage("dup.csv line 1, field 'c0': the header names column 'c0' twice (columns 3 and 9000)"));
    }

    @Test
    void shouldNameTheLineOfInvalidUtf8AndSkipIt() throws Exception
    {
        final Path file = dir.resolve("bytes.csv");
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("id,ts\n1,10\n".getBytes(StandardCharsets.US_ASCII));
        bytes.writeBytes(new byte[] {'2', ',', '2', '0', (byte)0xC3, '\n'}); // a lead byte without its continuation
        bytes.writeBytes("3,30\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(file, bytes.toByteArray());

        assertThatThrownBy(() ->
        {
            try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.STOP))
            {
                readIds(source);
            }
        })
            .isInstanceOf(MalformedInputException.class)
            .hasMessageStartingWith("bytes.csv line 3: is not valid UTF-8: byte 5 of the line");

        try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
        {
            assertThat(readIds(source)).containsExactly(1L, 3L);
            assertThat(source.malformed()).isEqualTo(1);
            assertThat(source.errors()).singleElement().asString().startsWith("bytes.csv line 3: is not valid UTF-8");
        }
    }

    @Test
    void shouldSkipALineLongerThanTheLimitWithoutHoldingIt() throws Exception
    {
        final Path file = dir.resolve("long.csv");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file)))
        {
            out.write("id,ts\r\n1,10\r\n".getBytes(StandardCharsets.US_ASCII));
            final byte[] junk = new byte[64 * 1024];
            java.util.Arrays.fill(junk, (byte)'9');
            for (int i = 0; i < 80; i++) // 5 MiB on one line
            {
                out.write(junk);
            }
            out.write("\r\n3,30\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
        {
            assertThat(readIds(source)).containsExactly(1L, 3L);
            assertThat(source.errors()).containsExactly(
                "long.csv line 3: the line is 5242880 bytes, longer than the limit of 1048576 bytes");
        }
    }

    @Test
    void shouldReportAHugeBadValueCutAndEscaped() throws Exception
    {
        final Path file = dir.resolve("value.csv");
        Files.writeString(file, "id,ts\n1\u0000" + "7".repeat(500_000) + ",10\n2,20\n");
        try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
        {
            assertThat(readIds(source)).containsExactly(2L);
            assertThat(source.errors()).singleElement().asString().startsWith("value.csv line 2, field 'id': ")
                .doesNotContain("\0").hasSizeLessThan(1_100).contains("\\0").contains("bytes)");
        }
    }
}
