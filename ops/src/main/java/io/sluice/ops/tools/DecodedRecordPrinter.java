package io.sluice.ops.tools;

import java.io.PrintWriter;
import java.util.Locale;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.io.FieldText;
import io.sluice.journal.RecordView;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * Prints journaled events decoded with their schema, one line each, after the record's partition,
 * offset, timestamp and key: as an aligned table, as CSV with a header line, or as JSON lines. Values
 * are written as the CSV/JSONL file sinks write them ({@link FieldText}), so a dump diffs cleanly
 * against a sink's output; the table, for people, shows the record's timestamp and TIMESTAMP fields as
 * ISO-8601 instants. A record column whose name a field of the schema has too (the {@code key} of
 * window results and join rows) is named {@code record_<name>}, so that no CSV header or JSON object
 * has a name twice. Records that are not events of the schema (control records: ticks, end of
 * input, replay marks; their payload length differs) are counted and left out.
 *
 * <p>Threading: the dumping thread; reuses one builder and one flyweight.
 */
final class DecodedRecordPrinter
{
    /** How records are printed. */
    enum Format
    {
        /** key and payload as hex, undecoded. */
        HEX,
        /** aligned columns under a header. */
        TABLE,
        /** comma-separated values with a header line. */
        CSV,
        /** one JSON object per line. */
        JSONL;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String[] RECORD_COLUMNS = {"partition", "offset", "timestamp", "key"};
    private static final int[] RECORD_WIDTHS = {9, 12, 15, 20};
    /** Index of the record's timestamp among the record columns. */
    private static final int TIMESTAMP_COLUMN = 2;
    /** Width of an ISO-8601 instant with milliseconds ({@code 2024-01-01T00:00:00.007Z}). */
    private static final int INSTANT_WIDTH = 24;
    private static final int MIN_FIELD_WIDTH = 12;

    private final Schema schema;
    /** {@link #RECORD_COLUMNS}, those a field of the schema also has prefixed with {@code record_}. */
    private final String[] recordColumns;
    private final Format format;
    private final PrintWriter out;
    private final EventFlyweight event;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final StringBuilder line = new StringBuilder(256);
    private final StringBuilder value = new StringBuilder(64);
    private boolean headerPrinted;
    private long notEvents;

    DecodedRecordPrinter(final Schema schema, final Format format, final PrintWriter out)
    {
        this.schema = schema;
        this.format = format;
        this.out = out;
        this.event = new EventFlyweight(schema);
        this.recordColumns = RECORD_COLUMNS.clone();
        for (int i = 0; i < recordColumns.length; i++)
        {
            for (final Field field : schema.fields())
            {
                if (field.name().equals(RECORD_COLUMNS[i]))
                {
                    recordColumns[i] = "record_" + RECORD_COLUMNS[i];
                }
            }
        }
    }

    /**
     * Prints one record if it is an event of the schema.
     *
     * @param partition of the record.
     * @param record    to print.
     * @return true if printed, false if it is not an event of the schema.
     */
    boolean print(final int partition, final RecordView record)
    {
        if (record.payloadLength() != schema.length())
        {
            notEvents++;
            return false;
        }
        if (!headerPrinted)
        {
            header();
            headerPrinted = true;
        }
        view.wrap(record.buffer(), record.payloadOffset(), record.payloadLength());
        event.wrap(view, 0);
        line.setLength(0);
        final long[] recordValues = {partition, record.offset(), record.timestamp(), record.key()};
        if (format == Format.JSONL)
        {
            line.append('{');
            for (int i = 0; i < RECORD_COLUMNS.length; i++)
            {
                line.append('"').append(recordColumns[i]).append("\":").append(recordValues[i]).append(',');
            }
        }
        else
        {
            for (int i = 0; i < RECORD_COLUMNS.length; i++)
            {
                cell(i == TIMESTAMP_COLUMN && format == Format.TABLE ? instant(recordValues[i]) : Long.toString(recordValues[i]),
                    recordWidth(i), false);
            }
        }
        for (final Field field : schema.fields())
        {
            value.setLength(0);
            if (format == Format.TABLE && field.type() == FieldType.TIMESTAMP)
            {
                value.append(instant(event.longValue(field.index())));
            }
            else
            {
                FieldText.append(event, field, value);
            }
            if (format == Format.JSONL)
            {
                json(field.name());
                line.append(':');
                if (FieldText.isText(field))
                {
                    json(value);
                }
                else
                {
                    line.append(value);
                }
                line.append(',');
            }
            else
            {
                cell(value, width(field), FieldText.isText(field));
            }
        }
        line.setLength(line.length() - 1);
        if (format == Format.JSONL)
        {
            line.append('}');
        }
        out.append(line).append('\n');
        return true;
    }

    /**
     * Records left out because they are not events of the schema.
     *
     * @return the count.
     */
    long notEvents()
    {
        return notEvents;
    }

    private void header()
    {
        if (format == Format.JSONL)
        {
            return;
        }
        line.setLength(0);
        for (int i = 0; i < RECORD_COLUMNS.length; i++)
        {
            cell(format == Format.TABLE ? recordColumns[i].toUpperCase(Locale.ROOT) : recordColumns[i], recordWidth(i), false);
        }
        for (final Field field : schema.fields())
        {
            // Aligned as the column's values: text to the left, numbers and times to the right.
            cell(format == Format.TABLE ? field.name().toUpperCase(Locale.ROOT) : field.name(), width(field), FieldText.isText(field));
        }
        line.setLength(line.length() - 1);
        out.append(line).append('\n');
    }

    private int width(final Field field)
    {
        final int valueWidth = format == Format.TABLE && field.type() == FieldType.TIMESTAMP ? INSTANT_WIDTH : field.width();
        return Math.max(MIN_FIELD_WIDTH, Math.max(field.name().length(), valueWidth));
    }

    private int recordWidth(final int column)
    {
        return Math.max(recordColumns[column].length(),
            column == TIMESTAMP_COLUMN && format == Format.TABLE ? INSTANT_WIDTH : RECORD_WIDTHS[column]);
    }

    /** A timestamp as people read it in the table: an ISO-8601 instant (CSV and JSONL keep epoch ms, as the sinks write them). */
    private static String instant(final long epochMillis)
    {
        return java.time.Instant.ofEpochMilli(epochMillis).toString();
    }

    /** One column: right-aligned numbers, left-aligned text in a table; CSV quoting where needed. */
    private void cell(final CharSequence text, final int width, final boolean leftAligned)
    {
        if (format == Format.CSV)
        {
            if (needsQuotes(text))
            {
                line.append('"');
                for (int i = 0; i < text.length(); i++)
                {
                    final char c = text.charAt(i);
                    line.append(c == '"' ? "\"\"" : String.valueOf(c));
                }
                line.append('"');
            }
            else
            {
                line.append(text);
            }
            line.append(',');
            return;
        }
        if (!leftAligned)
        {
            pad(width - text.length());
        }
        line.append(text);
        if (leftAligned)
        {
            pad(width - text.length());
        }
        line.append(' ');
    }

    private void pad(final int spaces)
    {
        for (int i = 0; i < spaces; i++)
        {
            line.append(' ');
        }
    }

    private static boolean needsQuotes(final CharSequence text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r')
            {
                return true;
            }
        }
        return text.length() > 0 && (text.charAt(0) == ' ' || text.charAt(text.length() - 1) == ' ');
    }

    private void json(final CharSequence text)
    {
        line.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        line.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
