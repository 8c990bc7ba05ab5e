package io.sluice.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
 * <p>Lines end at {@code \n} (a {@code \r} before it is dropped) and are read as bytes, so each
 * problem is one line's: a line longer than {@link #MAX_LINE_BYTES} is skipped to its end without
 * being held, and a line that is not valid UTF-8 is malformed (named with its number and the byte
 * at fault), both skippable like any other malformed line. Reading is linear in the file's size.
 *
 * <p>Threading: one thread. Blank lines are skipped. Files are UTF-8; a byte order mark is ignored.
 */
public abstract class EventFileSource implements AutoCloseable
{
    /** Longest line, in bytes, without its line end. */
    public static final int MAX_LINE_BYTES = 1024 * 1024;

    private static final int MAX_RECORDED_ERRORS = 100;
    private static final int READ_CHUNK = 64 * 1024;

    final Path file;
    final Schema schema;
    private final MalformedInputPolicy policy;
    private final InputStream in;
    private final byte[] chunk = new byte[READ_CHUNK];
    private int chunkPosition;
    private int chunkLimit;
    private byte[] lineBytes = new byte[256];
    private CharBuffer lineChars = CharBuffer.allocate(256);
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final List<String> errors = new ArrayList<>();
    private long lineNumber;
    private long events;
    private long malformed;

    EventFileSource(final Path file, final Schema schema, final MalformedInputPolicy policy, final InputStream in)
    {
        this.file = file;
        this.schema = schema;
        this.policy = policy;
        this.in = in;
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
        final InputStream reader;
        try
        {
            reader = Files.newInputStream(file);
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
     * Reads events from a stream (standard input, a pipe) in a given format. Closing the source closes
     * the stream.
     *
     * @param in     to read.
     * @param name   of the input for messages ({@code <stdin>}).
     * @param format of the input.
     * @param schema of the events.
     * @param policy for malformed lines.
     * @return the open source.
     * @throws MalformedInputException if a CSV header lacks a field of the schema.
     */
    public static EventFileSource open(
        final InputStream in, final Path name, final FileFormat format, final Schema schema, final MalformedInputPolicy policy)
    {
        final EventFileSource source = format == FileFormat.CSV ?
            new CsvEventSource(name, schema, policy, in) : new JsonlEventSource(name, schema, policy, in);
        source.start();
        return source;
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
        while (true)
        {
            try
            {
                final String line = readLine();
                if (line == null)
                {
                    return false;
                }
                if (line.isBlank())
                {
                    continue;
                }
                out.clear();
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

    /**
     * The next line, without its line end.
     *
     * @return the line, or null at the end of the file.
     * @throws LineException if the line is too long or not valid UTF-8; the line is consumed and counted.
     */
    final String readLine()
    {
        int length = 0;
        long lineLength = 0;
        byte lastByte = 0;
        boolean any = false;
        while (true)
        {
            if (chunkPosition == chunkLimit && !fill())
            {
                if (!any)
                {
                    return null;
                }
                break;
            }
            any = true;
            int end = chunkPosition;
            while (end < chunkLimit && chunk[end] != '\n')
            {
                end++;
            }
            final int n = end - chunkPosition;
            if (n > 0)
            {
                lastByte = chunk[end - 1];
            }
            lineLength += n;
            if (lineLength <= MAX_LINE_BYTES + 1)
            {
                // One byte beyond the limit may be the '\r' of a line end; anything more is dropped unread.
                if (length + n > lineBytes.length)
                {
                    lineBytes = java.util.Arrays.copyOf(lineBytes, Math.max(length + n, Math.min(MAX_LINE_BYTES + 1, lineBytes.length * 2)));
                }
                System.arraycopy(chunk, chunkPosition, lineBytes, length, n);
                length += n;
            }
            chunkPosition = end;
            if (end < chunkLimit)
            {
                chunkPosition++; // the '\n'
                break;
            }
        }
        lineNumber++;
        if (lineLength > 0 && lastByte == '\r')
        {
            lineLength--;
            length = (int)Math.min(length, lineLength);
        }
        if (lineLength > MAX_LINE_BYTES)
        {
            throw new LineException(null, "the line is " + lineLength + " bytes, longer than the limit of " + MAX_LINE_BYTES + " bytes");
        }
        int start = 0;
        if (lineNumber == 1 && length >= 3 && lineBytes[0] == (byte)0xEF && lineBytes[1] == (byte)0xBB && lineBytes[2] == (byte)0xBF)
        {
            start = 3; // a byte order mark
        }
        return decodeUtf8(start, length);
    }

    private String decodeUtf8(final int start, final int end)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(lineBytes, start, end - start);
        if (lineChars.capacity() < end - start)
        {
            lineChars = CharBuffer.allocate(Math.max(end - start, lineChars.capacity() * 2));
        }
        lineChars.clear();
        decoder.reset();
        CoderResult result = decoder.decode(bytes, lineChars, true);
        if (!result.isError())
        {
            result = decoder.flush(lineChars);
        }
        if (result.isError())
        {
            throw new LineException(null, "is not valid UTF-8: byte " + (bytes.position() - start + 1) + " of the line (0x" +
                Integer.toHexString(lineBytes[bytes.position()] & 0xFF) + ") starts no valid character");
        }
        lineChars.flip();
        return lineChars.toString();
    }

    private boolean fill()
    {
        try
        {
            int read;
            do
            {
                read = in.read(chunk, 0, chunk.length);
            }
            while (read == 0);
            chunkPosition = 0;
            chunkLimit = Math.max(0, read);
            return read > 0;
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
        closeQuietly(in);
    }

    private static void closeQuietly(final InputStream reader)
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
