package io.sluice.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Source;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The key names registry over real files: names recorded on first sight, forced, read back by a new
 * registry (a restarted daemon), a torn tail truncated, a changed symbol width refused.
 */
class SymbolKeyNamesTest
{
    private static final Schema SCHEMA = Schema.builder("trade").symbolField("sym", 8).longField("qty").build();

    @TempDir
    Path dir;

    private final EventFlyweight event = new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);

    private long put(final String symbol)
    {
        event.putSymbol(0, symbol);
        return event.symbolHash(0);
    }

    private void record(final SymbolKeyNames names, final int partition, final String symbol)
    {
        final long key = put(symbol);
        names.record(partition, event.buffer(), event.offset(), key);
    }

    private static Source source(final Schema schema)
    {
        return Source.stream("trades", schema).partitionKey("sym");
    }

    @Test
    void shouldNameRecordedKeysAndReadThemBackAfterAForce() throws Exception
    {
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 2, dir))
        {
            record(names, 0, "AAPL");
            record(names, 0, "AAPL");
            record(names, 1, "MSFTXXXX");
            assertThat(names.name(0, put("AAPL"))).isEqualTo("AAPL");
            assertThat(names.name(1, put("MSFTXXXX"))).isEqualTo("MSFTXXXX");
            assertThat(names.name(0, put("IBM"))).isNull();
            assertThat(names.size(0)).isEqualTo(1);
            names.force(0);
            names.force(1);
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("trades-0.keys"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 2, dir))
        {
            assertThat(names.name(0, put("AAPL"))).isEqualTo("AAPL");
            assertThat(names.name(1, put("MSFTXXXX"))).isEqualTo("MSFTXXXX");
            record(names, 0, "AAPL"); // known: not written again
        }
        assertThat(Files.size(dir.resolve("trades-0.keys"))).isEqualTo(SymbolKeyNames.HEADER_LENGTH + SymbolKeyNames.NAME_OFFSET + 4);
    }

    @Test
    void shouldTruncateATornOrDamagedTailAndKeepTheNamesBeforeIt() throws Exception
    {
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 1, dir))
        {
            record(names, 0, "AAPL");
            record(names, 0, "IBM");
        }
        final Path file = dir.resolve("trades-0.keys");
        final long intact = Files.size(file);
        // A record whose key does not match its name (damage), then half a record (a torn write).
        final byte[] damaged = {1, 2, 3, 4, 5, 6, 7, 8, 3, 0, 'X', 'Y', 'Z', 9, 9};
        Files.write(file, damaged, StandardOpenOption.APPEND);
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 1, dir))
        {
            assertThat(names.name(0, put("AAPL"))).isEqualTo("AAPL");
            assertThat(names.name(0, put("IBM"))).isEqualTo("IBM");
            assertThat(names.size(0)).isEqualTo(2);
            assertThat(Files.size(file)).isEqualTo(intact);
            record(names, 0, "ORCL");
            names.force(0);
        }
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 1, dir))
        {
            assertThat(names.name(0, put("ORCL"))).isEqualTo("ORCL");
        }
    }

    @Test
    void shouldRefuseNamesOfAnotherSymbolWidth()
    {
        new SymbolKeyNames(source(SCHEMA), 1, dir).close();
        final Schema wider = Schema.builder("trade").symbolField("sym", 12).longField("qty").build();
        assertThatThrownBy(() -> new SymbolKeyNames(source(wider), 1, dir))
            .isInstanceOf(UncheckedIOException.class).hasStackTraceContaining("symbols of 8 bytes, the topic's key has 12");
    }

    @Test
    void shouldKeepNamesInMemoryWithoutADirectory()
    {
        try (SymbolKeyNames names = new SymbolKeyNames(source(SCHEMA), 1, null))
        {
            record(names, 0, "AAPL");
            names.force(0);
            assertThat(names.name(0, put("AAPL"))).isEqualTo("AAPL");
        }
    }
}
