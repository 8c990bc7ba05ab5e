package io.sluice.engine.io;

import java.nio.file.Path;

import io.sluice.engine.config.ConfigLimits;

/**
 * A line of an input file could not be decoded into an event: names the file, the line number and
 * the field (when one is to blame) and says why, made printable by {@link ConfigLimits#message}.
 */
public final class MalformedInputException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;
    private final String field;

    /**
     * Creates the exception.
     *
     * @param file   being read.
     * @param line   1-based number of the offending line.
     * @param field  to blame, or null when the line as a whole is malformed.
     * @param reason what is wrong.
     */
    public MalformedInputException(final Path file, final long line, final String field, final String reason)
    {
        // Printable and bounded: a line's value may be a megabyte of anything, NUL bytes included.
        super(ConfigLimits.message(file.getFileName() + " line " + line + (field == null ? "" : ", field '" + field + "'") + ": " + reason));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    /**
     * The file being read.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * The offending line.
     *
     * @return the 1-based line number.
     */
    public long line()
    {
        return line;
    }

    /**
     * The field to blame.
     *
     * @return the field name, or null when the line as a whole is malformed.
     */
    public String field()
    {
        return field;
    }
}
