package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Round trips through the CSV and JSONL sinks and sources, malformed lines, and number formatting.
 */
class CsvJsonlFormatsTest
{
    static final Schema SCHEMA = Schema.builder("mixed")
        .longField("id").intField("qty").doubleField("price").booleanField("flag").symbolField("venue", 8).timestampField("ts").build();

    @TempDir
    Path dir;

    private static EventFlyweight newEvent()
    {
        return new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);
    }

    private static List<String> randomRoundTrip(final FileFormat format, final Path file)
    {
        final Random random = new Random(42);
        final EventFlyweight event = newEvent();
        final List<String> written = new ArrayList<>();
        try (EventFileSink sink = EventFileSink.open(file, format, SCHEMA, false, null))
        {
            for (int i = 0; i < 2_000; i++)
            {
                final double price = switch (i % 5)
                {
                    case 0 -> random.nextDouble() * 1e6;
                    case 1 -> Double.longBitsToDouble(random.nextLong() & 0x7FEFFFFFFFFFFFFFL);
                    case 2 -> -random.nextInt(1000) / 100.0;
                    case 3 -> random.nextGaussian() * 1e-9;
                    default -> random.nextInt();
                };
                event.clear().putLong(0, random.nextLong()).putInt(1, random.nextInt()).putDouble(2, price)
                    .putBoolean(3, random.nextBoolean()).putSymbol(4, i % 7 == 0 ? "a,\"b\" " : "V" + random.nextInt(99999))
                    .putLong(5, random.nextLong());
                sink.onEvent(0, i, 0, 0, event);
                written.add(render(event));
            }
        }
        return written;
    }

    static String render(final EventFlyweight e)
    {
        return e.getLong(0) + "|" + e.getInt(1) + "|" + Double.doubleToRawLongBits(e.getDouble(2)) + "|" + e.getBoolean(3) + "|" +
            e.getSymbol(4, new StringBuilder()) + "|" + e.getLong(5);
    }

    private static List<String> readAll(final Path file, final MalformedInputPolicy policy)
    {
        final List<String> read = new ArrayList<>();
        final EventFlyweight event = newEvent();
        try (EventFileSource source = EventFileSource.open(file, SCHEMA, policy))
        {
            while (source.next(event))
            {
                read.add(render(event));
            }
        }
        return read;
    }

    @Test
    void shouldRoundTripEveryFieldTypeThroughCsv()
    {
        final Path file = dir.resolve("events.csv");
        final List<String> written = randomRoundTrip(FileFormat.CSV, file);
        assertThat(readAll(file, MalformedInputPolicy.STOP)).isEqualTo(written).hasSize(2_000);
    }

    @Test
    void shouldRoundTripEveryFieldTypeThroughJsonl()
    {
        final Path file = dir.resolve("events.jsonl");
        final List<String> written = randomRoundTrip(FileFormat.JSONL, file);
        assertThat(readAll(file, MalformedInputPolicy.STOP)).isEqualTo(written).hasSize(2_000);
    }

    @Test
    void shouldWriteByteIdenticalFilesForTheSameOutputs() throws Exception
    {
        for (final FileFormat format : FileFormat.values())
        {
            final Path a = dir.resolve("a." + format);
            final Path b = dir.resolve("b." + format);
            randomRoundTrip(format, a);
            randomRoundTrip(format, b);
            assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        }
    }

    @Test
    void shouldReadHeaderColumnsInAnyOrderIgnoringExtraColumnsAndIsoTimestamps() throws Exception
    {
        final Path file = write("in.csv", "extra,ts,venue,flag,price,qty,id",
            "x,2024-03-01T09:30:00.250Z,XLON,true,1.5,3,7",
            "",
            "y,1000,\"A,B\",0,-2e3,-1,8");
        assertThat(readAll(file, MalformedInputPolicy.STOP))
            .containsExactly("7|3|" + Double.doubleToRawLongBits(1.5) + "|true|XLON|1709285400250",
                "8|-1|" + Double.doubleToRawLongBits(-2000.0) + "|false|A,B|1000");
    }

    @Test
    void shouldStopOnAMalformedCsvLineNamingFileLineAndField() throws Exception
    {
        final Path file = write("bad.csv", "id,qty,price,flag,venue,ts", "1,2,3.0,true,V,10", "2,2,abc,true,V,11", "3,2,3.0,true,V,12");
        assertThatThrownBy(() -> readAll(file, MalformedInputPolicy.STOP))
            .isInstanceOf(MalformedInputException.class)
            .hasMessage("bad.csv line 3, field 'price': 'abc' is not a number")
            .satisfies(ex -> assertThat(((MalformedInputException)ex).line()).isEqualTo(3));
    }

    @Test
    void shouldSkipAndCountMalformedLinesWithoutCorruptingOtherEvents() throws Exception
    {
        final Path file = write("bad.csv", "id,qty,price,flag,venue,ts",
            "1,2,3.0,true,V,10",
            "2,99999999999,3.0,true,V,11",
            "3,2,3.0,maybe,V,12",
            "4,2,3.0,true,TOOLONGSYMBOL,13",
            "5,2,3.0,true,V",
            "6,2,,true,V,15",
            "7,2,1d,true,V,16",
            "8,2,3.0,false,\"unclosed,17",
            "9,2,4.0,false,W,18");
        final EventFlyweight event = newEvent();
        final List<String> read = new ArrayList<>();
        try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
        {
            while (source.next(event))
            {
                read.add(render(event));
            }
            assertThat(source.malformed()).isEqualTo(7);
            assertThat(source.events()).isEqualTo(2);
            assertThat(source.lines()).isEqualTo(10);
            assertThat(source.errors()).containsExactly(
                "bad.csv line 3, field 'qty': '99999999999' is out of range of a 32-bit integer",
                "bad.csv line 4, field 'flag': 'maybe' is not a boolean (true, false, 1 or 0)",
                "bad.csv line 5, field 'venue': 'TOOLONGSYMBOL' is 13 characters, longer than the symbol's 8",
                "bad.csv line 6: has 5 values, the header has 6 columns",
                "bad.csv line 7, field 'price': value is empty, a number is required",
                "bad.csv line 8, field 'price': '1d' is not a number",
                "bad.csv line 9: a quoted value is never closed (values cannot span lines)");
        }
        assertThat(read).containsExactly("1|2|" + Double.doubleToRawLongBits(3.0) + "|true|V|10",
            "9|2|" + Double.doubleToRawLongBits(4.0) + "|false|W|18");
    }

    @Test
    void shouldRefuseACsvHeaderWithoutAFieldOfTheSchema() throws Exception
    {
        final Path file = write("nohead.csv", "id,qty,price,flag,ts", "1,2,3.0,true,10");
        assertThatThrownBy(() -> readAll(file, MalformedInputPolicy.SKIP))
            .isInstanceOf(MalformedInputException.class)
            .hasMessageStartingWith("nohead.csv line 1, field 'venue': the header has no column for field 'venue'");
    }

    @Test
    void shouldSkipAndCountMalformedJsonlLines() throws Exception
    {
        final Path file = write("bad.jsonl",
            "{\"id\":1,\"qty\":2,\"price\":3.5,\"flag\":true,\"venue\":\"V\",\"ts\":10,\"extra\":{\"a\":[1,2,{\"b\":null}]}}",
            "{\"id\":2,\"qty\":2,\"price\":3.5,\"flag\":true,\"venue\":\"V\"}",
            "{\"id\":3.5,\"qty\":2,\"price\":3.5,\"flag\":true,\"venue\":\"V\",\"ts\":10}",
            "{\"id\":4,\"qty\":2,\"price\":\"3.5\",\"flag\":true,\"venue\":\"V\",\"ts\":10}",
            "{\"id\":5,\"qty\":2,\"price\":3.5,\"flag\":null,\"venue\":\"V\",\"ts\":10}",
            "{\"id\":6,\"qty\":2,\"price\":3.5,\"flag\":true,\"venue\":\"V\",\"ts\":10",
            "[1,2]",
            "{\"id\":8,\"id\":8,\"qty\":2,\"price\":3.5,\"flag\":true,\"venue\":\"V\",\"ts\":10}",
            "  {\"ts\":\"2024-03-01T09:30:00Z\", \"venue\":\"W\\u0041\", \"flag\":false, \"price\":-1e-3, \"qty\":-2, \"id\":9}  ");
        final EventFlyweight event = newEvent();
        final List<String> read = new ArrayList<>();
        try (EventFileSource source = EventFileSource.open(file, SCHEMA, MalformedInputPolicy.SKIP))
        {
            while (source.next(event))
            {
                read.add(render(event));
            }
            assertThat(source.errors()).containsExactly(
                "bad.jsonl line 2, field 'ts': is missing",
                "bad.jsonl line 3, field 'id': 3.5 is not an integer, and the field is a LONG",
                "bad.jsonl line 4, field 'price': expected a number, found the string \"3.5\"",
                "bad.jsonl line 5, field 'flag': is null; events have no nulls",
                "bad.jsonl line 6: the object is never closed",
                "bad.jsonl line 7: a line must hold one JSON object",
                "bad.jsonl line 8, field 'id': appears twice in the object");
        }
        assertThat(read).containsExactly("1|2|" + Double.doubleToRawLongBits(3.5) + "|true|V|10",
            "9|-2|" + Double.doubleToRawLongBits(-1e-3) + "|false|WA|1709285400000");
    }

    @Test
    void shouldFormatDoublesDeterministicallyAndShortest()
    {
        assertThat(format(0.0)).isEqualTo("0.0");
        assertThat(format(-0.0)).isEqualTo("-0.0");
        assertThat(format(1.0)).isEqualTo("1.0");
        assertThat(format(-42.0)).isEqualTo("-42.0");
        assertThat(format(0.1)).isEqualTo("0.1");
        assertThat(format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(format(1234.5678)).isEqualTo("1234.5678");
        assertThat(format(2e-3)).isEqualTo("0.002");
        assertThat(format(1e-7)).isEqualTo("1.0E-7");
        assertThat(format(1.5e300)).isEqualTo("1.5E300");
        assertThat(format(1e23)).isEqualTo("1.0E23");
        assertThat(format(Double.MIN_VALUE)).isEqualTo("5.0E-324");
        assertThat(format(Double.NaN)).isEqualTo("NaN");
        final Random random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            final double value = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(value) && !Double.isInfinite(value))
            {
                assertThat(Double.parseDouble(format(value))).isEqualTo(value);
            }
        }
    }

    private static String format(final double value)
    {
        return Values.formatDouble(value, new StringBuilder()).toString();
    }

    private Path write(final String name, final String... lines) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }
}
