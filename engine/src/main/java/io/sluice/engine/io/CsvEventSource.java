package io.sluice.engine.io;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.sluice.engine.config.ConfigLimits;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;

/**
 * CSV events: a header line names the columns; every field of the schema must have a column, other
 * columns are ignored. Values may be quoted with {@code "} (a doubled {@code ""} inside stands for
 * one); a record is one line. A header has at most {@value #MAX_COLUMNS} columns.
 */
final class CsvEventSource extends EventFileSource
{
    /** Most columns a CSV header may have. */
    static final int MAX_COLUMNS = 10_000;

    private Field[] columnFields;
    private String[] header;

    CsvEventSource(final Path file, final Schema schema, final MalformedInputPolicy policy, final InputStream reader)
    {
        super(file, schema, policy, reader);
    }

    @Override
    void start()
    {
        String line;
        try
        {
            do
            {
                line = readLine();
            }
            while (line != null && line.isBlank());
        }
        catch (final EventFileSource.LineException ex)
        {
            throw new MalformedInputException(file, lineNumber(), null, "header: " + ex.getMessage());
        }
        if (line == null)
        {
            throw new MalformedInputException(file, Math.max(1, lineNumber()), null, "the file is empty; a CSV file starts with a header line");
        }
        final List<String> names;
        try
        {
            names = split(line, MAX_COLUMNS);
        }
        catch (final EventFileSource.LineException ex)
        {
            throw new MalformedInputException(file, lineNumber(), null, "header: " + ex.getMessage());
        }
        header = names.toArray(new String[0]);
        columnFields = new Field[header.length];
        // One pass with a hash map: linear in the header's length (a nested scan was quadratic).
        final Map<String, Integer> columns = new HashMap<>(header.length * 2);
        for (int i = 0; i < header.length; i++)
        {
            final String name = header[i].trim();
            if (columns.putIfAbsent(name, i) != null)
            {
                throw new MalformedInputException(file, lineNumber(), ConfigLimits.value(name),
                    "the header names column '" + ConfigLimits.value(name) + "' twice (columns " + (columns.get(name) + 1) + " and " +
                    (i + 1) + ")");
            }
            columnFields[i] = schema.hasField(name) ? schema.field(name) : null;
        }
        for (final Field field : schema.fields())
        {
            if (!columns.containsKey(field.name()))
            {
                throw new MalformedInputException(file, lineNumber(), field.name(),
                    "the header has no column for field '" + field.name() + "' of schema '" + schema.name() + "' (header: " +
                    ConfigLimits.value(String.join(",", header)) + ")");
            }
        }
    }

    /** Columns are the schema's fields in schema order, without a header line (records of a log). */
    void headerInSchemaOrder()
    {
        columnFields = schema.fields().toArray(new Field[0]);
        header = new String[columnFields.length];
        for (int i = 0; i < header.length; i++)
        {
            header[i] = columnFields[i].name();
        }
    }

    @Override
    void decode(final String line, final EventFlyweight out)
    {
        final List<String> values = split(line, header.length);
        if (values.size() != header.length)
        {
            throw new EventFileSource.LineException(null, "has " + values.size() + " values, the header has " + header.length + " columns");
        }
        for (int i = 0; i < columnFields.length; i++)
        {
            final Field field = columnFields[i];
            if (field != null)
            {
                try
                {
                    Values.parseInto(out, field, values.get(i));
                }
                catch (final Values.ValueException ex)
                {
                    throw new EventFileSource.LineException(field.name(), ex.getMessage());
                }
            }
        }
    }

    /**
     * Splits one record into values: RFC 4180 quoting within a line. Stops with an error as soon as
     * there are more than {@code maxValues}, so a line costs at most its own length.
     */
    static List<String> split(final String line, final int maxValues)
    {
        final List<String> values = new ArrayList<>();
        final StringBuilder value = new StringBuilder();
        int i = 0;
        final int length = line.length();
        while (true)
        {
            value.setLength(0);
            if (i < length && line.charAt(i) == '"')
            {
                i++;
                while (true)
                {
                    if (i >= length)
                    {
                        throw new EventFileSource.LineException(null, "a quoted value is never closed (values cannot span lines)");
                    }
                    final char c = line.charAt(i++);
                    if (c == '"')
                    {
                        if (i < length && line.charAt(i) == '"')
                        {
                            value.append('"');
                            i++;
                            continue;
                        }
                        break;
                    }
                    value.append(c);
                }
                if (i < length && line.charAt(i) != ',')
                {
                    throw new EventFileSource.LineException(null, "unexpected '" + line.charAt(i) + "' after a closing quote at column " + (i + 1));
                }
                values.add(value.toString());
            }
            else
            {
                final int comma = line.indexOf(',', i);
                final int end = comma < 0 ? length : comma;
                values.add(line.substring(i, end).trim());
                i = end;
            }
            if (i >= length)
            {
                return values;
            }
            if (values.size() == maxValues)
            {
                throw new EventFileSource.LineException(null, "has more than " + maxValues + (maxValues == MAX_COLUMNS ?
                    " columns, the limit" : " values, the header has " + maxValues + " columns"));
            }
            i++; // the comma
        }
    }
}
