package io.sluice.engine.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Reads events of a schema from a text file, one event per line, fields matched by name (a CSV
 * header or JSON keys). A line that cannot be decoded is counted, its error recorded, and then,
 * by the {@link MalformedInputPolicy}, either the read stops with a {@link MalformedInputException}
 * or the line is skipped; a malformed line never yields an event, so it cannot corrupt another.
 *
 * <pre>{@code
 *   try (EventFileSource source = EventFileSource.open(file, schema, MalformedInputPolicy.SKIP))
 *   {
 *       EventFlyweight event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
 *       while (source.next(event)) { ... }
 *   }
 * }</pre>
 *
 * <p>Threading: one thread. Blank lines are skipped. Files are UTF-8; a byte order mark is ignored.
 */
public abstract class EventFileSource implements AutoCloseable
{
    private static final int MAX_RECORDED_ERRORS = 100;

    final Path file;
    final Schema schema;
    private final MalformedInputPolicy policy;
    private final BufferedReader reader;
    private final List<String> errors = new ArrayList<>();
    private long lineNumber;
    private long events;
    private long malformed;

    EventFileSource(final Path file, final Schema schema, final MalformedInputPolicy policy, final BufferedReader reader)
    {
        this.file = file;
        this.schema = schema;
        this.policy = policy;
        this.reader = reader;
    }

    /**
     * Opens a file in the format its extension names ({@link FileFormat#of}).
     *
     * @param file   to read.
     * @param schema of the events.
     * @param policy for malformed lines.
     * @return the open source.
     * @throws MalformedInputException if a CSV header lacks a field of the schema.
     * @throws UncheckedIOException    if the file cannot be opened.
     */
    public static EventFileSource open(final Path file, final Schema schema, final MalformedInputPolicy policy)
    {
        return open(file, FileFormat.of(file), schema, policy);
    }

    /**
     * Opens a file in a given format.
     *
     * @param file   to read.
     * @param format of the file.
     * @param schema of the events.
     * @param policy for malformed lines.
     * @return the open source.
     * @throws MalformedInputException if a CSV header lacks a field of the schema.
     * @throws UncheckedIOException    if the file cannot be opened.
     */
    public static EventFileSource open(final Path file, final FileFormat format, final Schema schema, final MalformedInputPolicy policy)
    {
        final BufferedReader reader;
        try
        {
            reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open input " + file, ex);
        }
        try
        {
            final EventFileSource source = format == FileFormat.CSV ?
                new CsvEventSource(file, schema, policy, reader) : new JsonlEventSource(file, schema, policy, reader);
            source.start();
            return source;
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(reader);
            throw ex;
        }
    }

    /**
     * Decodes the next event into a writable view.
     *
     * @param out view over writable bytes of the schema's length; cleared, then filled.
     * @return true if an event was decoded, false at the end of the file.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     */
    public final boolean next(final EventFlyweight out)
    {
        String line;
        while ((line = readLine()) != null)
        {
            if (line.isBlank())
            {
                continue;
            }
            out.clear();
            try
            {
                decode(line, out);
                events++;
                return true;
            }
            catch (final LineException ex)
            {
                out.clear();
                final MalformedInputException error = new MalformedInputException(file, lineNumber, ex.field, ex.getMessage());
                malformed++;
                if (errors.size() < MAX_RECORDED_ERRORS)
                {
                    errors.add(error.getMessage());
                }
                if (policy == MalformedInputPolicy.STOP)
                {
                    throw error;
                }
            }
        }
        return false;
    }

    /**
     * Reads the first line, if the format has a header.
     */
    abstract void start();

    /**
     * Decodes one non-blank line.
     *
     * @throws LineException naming the field and the reason.
     */
    abstract void decode(String line, EventFlyweight out);

    final String readLine()
    {
        try
        {
            final String line = reader.readLine();
            if (line != null)
            {
                lineNumber++;
                if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF')
                {
                    return line.substring(1);
                }
            }
            return line;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file + " at line " + (lineNumber + 1), ex);
        }
    }

    final long lineNumber()
    {
        return lineNumber;
    }

    /**
     * The file being read.
     *
     * @return the path.
     */
    public final Path file()
    {
        return file;
    }

    /**
     * Lines read so far, including the header, blank and malformed lines.
     *
     * @return the count.
     */
    public final long lines()
    {
        return lineNumber;
    }

    /**
     * Events decoded so far.
     *
     * @return the count.
     */
    public final long events()
    {
        return events;
    }

    /**
     * Malformed lines so far.
     *
     * @return the count.
     */
    public final long malformed()
    {
        return malformed;
    }

    /**
     * The messages of the first 100 malformed lines.
     *
     * @return the messages, in line order.
     */
    public final List<String> errors()
    {
        return Collections.unmodifiableList(errors);
    }

    /**
     * Closes the file.
     */
    @Override
    public final void close()
    {
        closeQuietly(reader);
    }

    private static void closeQuietly(final BufferedReader reader)
    {
        try
        {
            reader.close();
        }
        catch (final IOException ex)
        {
            // Nothing was written; a failed close of an input loses nothing.
        }
    }

    /**
     * A line is malformed: which field (or null) and why. Carries no stack trace; it is flow control
     * within a source.
     */
    static final class LineException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final String field;

        LineException(final String field, final String reason)
        {
            super(reason, null, false, false);
            this.field = field;
        }
    }
}
