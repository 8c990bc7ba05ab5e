package io.sluice.engine.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.engine.pipeline.KeyNames;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.engine.window.WindowResultHandler;

/**
 * Writes a pipeline's outputs to a file, one line per output. Window results (the schema a window
 * stage produces) are written as {@code key, window_start, window_end}, then an {@code emit} column
 * ({@code FINAL}, {@code UPDATE} or {@code EARLY}) when asked for, then the aggregates; any other
 * schema is written field by field. The key of window results and of join rows is rendered by the
 * key names when given (a symbol key as its symbol rather than its hash; a key without a name is
 * written as its number). CSV files start with a header; JSONL files hold one object per line with
 * the same names in the same order.
 *
 * <p>Formatting is deterministic: integers and timestamps (epoch milliseconds) in decimal, doubles
 * by {@link Values#formatDouble}, decimals exactly with their scale's digits ({@link Decimals#format}:
 * {@code 330.54}, never {@code 330.53999999999996}), booleans {@code true}/{@code false}, symbols and
 * texts as text, lines ended by
 * {@code \n}, UTF-8. The same outputs give byte-identical files on any machine.
 *
 * <p>Threading: calls are serialised by the sink's lock, so the partition threads of a live engine
 * may share one sink (their outputs interleave); a backtest calls from one thread. An I/O failure is
 * remembered, rethrown by {@link #close()}, and makes every later output fail fast.
 */
public abstract class EventFileSink implements EventSink, AutoCloseable
{
    static final int KEY = 0;
    static final int INTEGRAL = 1;
    static final int DOUBLE = 2;
    static final int BOOLEAN = 3;
    static final int SYMBOL = 4;
    static final int EMIT = 5;
    static final int DECIMAL = 6;
    static final int TEXT = 7;

    final Path file;
    final String[] names;
    final int[] fields;
    final int[] kinds;
    final int[] scales;
    private final KeyNames keyNames;
    private int partition;
    private final BufferedWriter writer;
    final StringBuilder line = new StringBuilder(256);
    private long written;
    private IOException failure;

    EventFileSink(final Path file, final Schema schema, final boolean writeEmit, final KeyNames keyNames)
    {
        this(file, schema, writeEmit, keyNames, false);
    }

    EventFileSink(
        final Path file, final Schema schema, final boolean writeEmit, final KeyNames keyNames, final boolean append)
    {
        this.file = file;
        this.keyNames = keyNames;
        final List<String> columnNames = new ArrayList<>();
        final List<int[]> columns = new ArrayList<>();
        final boolean windowResult = isWindowResult(schema);
        final boolean joinResult = isJoinResult(schema);
        for (final Field field : schema.fields())
        {
            final int kind;
            if (windowResult && field.name().equals(WindowSpec.FLAGS))
            {
                if (!writeEmit)
                {
                    continue;
                }
                kind = EMIT;
            }
            else if ((windowResult || joinResult) && field.index() == 0)
            {
                kind = KEY;
            }
            else
            {
                kind = kind(field.type());
            }
            columnNames.add(kind == EMIT ? "emit" : field.name());
            columns.add(new int[] {field.index(), kind, field.scale()});
        }
        this.names = columnNames.toArray(new String[0]);
        this.fields = new int[columns.size()];
        this.kinds = new int[columns.size()];
        this.scales = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++)
        {
            fields[i] = columns.get(i)[0];
            kinds[i] = columns.get(i)[1];
            scales[i] = columns.get(i)[2];
        }
        try
        {
            this.writer = append ?
                Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND) :
                Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create output " + file, ex);
        }
    }

    private static int kind(final FieldType type)
    {
        switch (type)
        {
            case DOUBLE:
                return DOUBLE;
            case BOOLEAN:
                return BOOLEAN;
            case SYMBOL:
                return SYMBOL;
            case TEXT:
                return TEXT;
            case DECIMAL:
                return DECIMAL;
            default:
                return INTEGRAL;
        }
    }

    /**
     * Creates (or truncates) a file and writes its header if the format has one.
     *
     * @param file      to write.
     * @param format    of the file.
     * @param schema    of the outputs, usually {@link io.sluice.engine.pipeline.Pipeline#outputSchema()}.
     * @param writeEmit whether window results get an {@code emit} column (worth it with allowed lateness or early results).
     * @param keyNames  renders a window result's key (e.g. the symbol whose hash it is), or null for the number.
     * @return the open sink.
     * @throws UncheckedIOException if the file cannot be created.
     */
    public static EventFileSink open(
        final Path file, final FileFormat format, final Schema schema, final boolean writeEmit, final KeyNames keyNames)
    {
        final EventFileSink sink = format == FileFormat.CSV ?
            new CsvEventSink(file, schema, writeEmit, keyNames) : new JsonlEventSink(file, schema, writeEmit, keyNames);
        sink.begin();
        return sink;
    }

    /**
     * Opens a file for appending, creating it if absent; the header, if the format has one, is written
     * only when the file is empty. A host that resumes an output after a restart (the daemon's
     * exactly-once file sink) truncates the file to its last consistent length and then appends.
     *
     * @param file      to append to.
     * @param format    of the file.
     * @param schema    of the outputs.
     * @param writeEmit whether window results get an {@code emit} column.
     * @param keyNames  renders a window result's key, or null for the number.
     * @return the open sink.
     * @throws UncheckedIOException if the file cannot be opened.
     */
    public static EventFileSink openAppending(
        final Path file, final FileFormat format, final Schema schema, final boolean writeEmit, final KeyNames keyNames)
    {
        final boolean empty;
        try
        {
            empty = !Files.exists(file) || Files.size(file) == 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open output " + file, ex);
        }
        final EventFileSink sink = format == FileFormat.CSV ?
            new CsvEventSink(file, schema, writeEmit, keyNames, true) : new JsonlEventSink(file, schema, writeEmit, keyNames, true);
        if (empty)
        {
            sink.begin();
        }
        return sink;
    }

    /**
     * Whether a schema is the result schema of a window stage ({@code key, window_start, window_end,
     * flags} first).
     *
     * @param schema to look at.
     * @return true for window results.
     */
    public static boolean isWindowResult(final Schema schema)
    {
        return schema.fieldCount() > 4 &&
            schema.field(0).name().equals(WindowSpec.KEY) && schema.field(0).type() == FieldType.LONG &&
            schema.field(1).name().equals(WindowSpec.WINDOW_START) && schema.field(1).type() == FieldType.TIMESTAMP &&
            schema.field(2).name().equals(WindowSpec.WINDOW_END) && schema.field(2).type() == FieldType.TIMESTAMP &&
            schema.field(3).name().equals(WindowSpec.FLAGS) && schema.field(3).type() == FieldType.INT;
    }

    /**
     * Whether a schema is the output row schema of a join ({@code key, join_flags} first, see {@link
     * JoinSpec}), whose key is rendered like a window result's.
     *
     * @param schema to look at.
     * @return true for join rows.
     */
    public static boolean isJoinResult(final Schema schema)
    {
        return schema.fieldCount() > 2 &&
            schema.field(0).name().equals(JoinSpec.KEY) && schema.field(0).type() == FieldType.LONG &&
            schema.field(1).name().equals(JoinSpec.FLAGS) && schema.field(1).type() == FieldType.INT;
    }

    /**
     * Writes the header, if any.
     */
    abstract void begin();

    /**
     * Renders one output into {@link #line}, without the line end.
     */
    abstract void render(EventFlyweight event);

    /**
     * Writes one output line.
     *
     * @param partition the output came from (not written).
     * @param sequence  of the output (not written).
     * @param key       of the output (window results carry it in their key field).
     * @param timestamp of the output (not written).
     * @param event     the output.
     */
    @Override
    public final synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        line.setLength(0);
        this.partition = partition;
        render(event);
        writeLine();
        written++;
    }

    final synchronized void writeLine()
    {
        if (failure != null)
        {
            throw new UncheckedIOException("output " + file + " failed earlier", failure);
        }
        try
        {
            line.append('\n');
            writer.append(line);
        }
        catch (final IOException ex)
        {
            failure = ex;
            throw new UncheckedIOException("cannot write output " + file, ex);
        }
    }

    /**
     * Appends a value's text (without quoting) to {@link #line}.
     */
    final void appendValue(final EventFlyweight event, final int column)
    {
        final int field = fields[column];
        switch (kinds[column])
        {
            case KEY:
            {
                final long key = event.getLong(field);
                final String name = keyNames == null ? null : keyNames.name(partition, key);
                if (name == null)
                {
                    line.append(key);
                }
                else
                {
                    line.append(name);
                }
                break;
            }
            case DOUBLE:
                Values.formatDouble(event.getDouble(field), line);
                break;
            case BOOLEAN:
                line.append(event.getBoolean(field));
                break;
            case SYMBOL:
                event.getSymbol(field, line);
                break;
            case TEXT:
                event.getText(field, line);
                break;
            case DECIMAL:
                Decimals.format(event.getDecimal(field), scales[column], line);
                break;
            case EMIT:
            {
                final int flags = event.getInt(field);
                line.append(flags == WindowResultHandler.UPDATE ? "UPDATE" : flags == WindowResultHandler.EARLY ? "EARLY" : "FINAL");
                break;
            }
            default:
                line.append(event.longValue(field));
                break;
        }
    }

    /**
     * Whether a column's value is text (quoted in JSON, possibly quoted in CSV).
     */
    final boolean isText(final int column)
    {
        final int kind = kinds[column];
        return kind == SYMBOL || kind == TEXT || kind == EMIT || (kind == KEY && keyNames != null);
    }

    /**
     * The file being written.
     *
     * @return the path.
     */
    public final Path file()
    {
        return file;
    }

    /**
     * The column names, in order.
     *
     * @return the names.
     */
    public final List<String> columns()
    {
        return List.of(names);
    }

    /**
     * Outputs written.
     *
     * @return the count.
     */
    public final synchronized long written()
    {
        return written;
    }

    /**
     * Writes every buffered line to the file (not forced to the device: that is the caller's
     * decision, e.g. at a checkpoint).
     *
     * @throws UncheckedIOException if a write failed earlier or the flush fails.
     */
    public final synchronized void flush()
    {
        if (failure != null)
        {
            throw new UncheckedIOException("output " + file + " failed earlier", failure);
        }
        try
        {
            writer.flush();
        }
        catch (final IOException ex)
        {
            failure = ex;
            throw new UncheckedIOException("cannot flush output " + file, ex);
        }
    }

    /**
     * Flushes and closes the file.
     *
     * @throws UncheckedIOException if a write failed earlier or the flush fails.
     */
    @Override
    public final synchronized void close()
    {
        try
        {
            writer.close();
        }
        catch (final IOException ex)
        {
            if (failure == null)
            {
                failure = ex;
            }
        }
        if (failure != null)
        {
            throw new UncheckedIOException("output " + file + " is incomplete", failure);
        }
    }
}
