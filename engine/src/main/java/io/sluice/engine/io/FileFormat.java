package io.sluice.engine.io;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The file formats of sources and sinks.
 */
public enum FileFormat
{
    /** Comma-separated values with a header line naming the fields (RFC 4180 quoting, one record per line). */
    CSV,
    /** One JSON object per line, fields by name. */
    JSONL;

    /**
     * The format a file name implies: {@code .csv}, or {@code .jsonl}, {@code .ndjson} or {@code .json}.
     *
     * @param file whose extension decides.
     * @return the format.
     * @throws IllegalArgumentException for any other extension.
     */
    public static FileFormat of(final Path file)
    {
        final String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv"))
        {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json"))
        {
            return JSONL;
        }
        throw new IllegalArgumentException("cannot tell the format of '" + file.getFileName() +
            "' from its extension: use .csv, .jsonl or .ndjson");
    }
}
