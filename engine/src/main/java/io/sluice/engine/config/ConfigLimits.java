package io.sluice.engine.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Size limits on configuration and input text, and how values are shown in error messages.
 *
 * <p>Parsing stays cheap whatever the input: a configuration file is refused above
 * {@link #MAX_FILE_BYTES} before it is parsed (SnakeYAML's scanning of a long scalar is not linear), a
 * single value above {@link #MAX_SCALAR_CHARS}. An error message shows at most
 * {@link #MAX_VALUE_SHOWN} characters of a value followed by {@code ... (N bytes)}, never a control
 * byte as is (a NUL or an escape sequence in a terminal or a log), and is itself cut at
 * {@link #MAX_MESSAGE_CHARS}.
 *
 * <p>Threading: stateless.
 */
public final class ConfigLimits
{
    /** Largest configuration file (daemon or pipelines), in bytes. */
    public static final int MAX_FILE_BYTES = 1024 * 1024;

    /** Longest single value (scalar) of a configuration file, in characters. */
    public static final int MAX_SCALAR_CHARS = 64 * 1024;

    /** Characters of a value an error message shows before cutting it. */
    public static final int MAX_VALUE_SHOWN = 80;

    /** Longest error message, in characters, after escaping. */
    public static final int MAX_MESSAGE_CHARS = 1000;

    private ConfigLimits()
    {
    }

    /**
     * Refuses a file larger than {@link #MAX_FILE_BYTES} before anything reads it.
     *
     * @param file to check.
     * @throws ConfigException naming the file, its size and the limit.
     * @throws UncheckedIOException if its size cannot be read.
     */
    public static void checkFileSize(final Path file)
    {
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        if (size > MAX_FILE_BYTES)
        {
            throw new ConfigException("", file.getFileName() + " is " + size + " bytes, more than the limit of " + MAX_FILE_BYTES +
                " bytes for a configuration file");
        }
    }

    /**
     * Refuses configuration text longer than {@link #MAX_FILE_BYTES} characters before it is parsed.
     *
     * @param text   of the configuration.
     * @param source named in the error.
     * @throws ConfigException naming the source, the text's length and the limit.
     */
    public static void checkTextSize(final String text, final String source)
    {
        if (text.length() > MAX_FILE_BYTES)
        {
            throw new ConfigException("", source + " is " + text.length() + " characters, more than the limit of " + MAX_FILE_BYTES +
                " for a configuration file");
        }
    }

    /**
     * A value as an error message shows it: control characters escaped ({@code \n}, {@code \0},
     * {@code \x1b}...), cut after {@link #MAX_VALUE_SHOWN} characters with its full size appended.
     *
     * @param value to show, may be null.
     * @return the printable form.
     */
    public static String value(final String value)
    {
        if (value == null)
        {
            return "null";
        }
        if (value.length() <= MAX_VALUE_SHOWN)
        {
            return escape(value, value.length());
        }
        return escape(value, MAX_VALUE_SHOWN) + "... (" + utf8Length(value) + " bytes)";
    }

    /**
     * A whole message made safe to print: control characters escaped, cut at
     * {@link #MAX_MESSAGE_CHARS} with its full size appended.
     *
     * @param message to show, may be null.
     * @return the printable form.
     */
    public static String message(final String message)
    {
        if (message == null)
        {
            return null;
        }
        final String escaped = escape(message, Math.min(message.length(), MAX_MESSAGE_CHARS + 1));
        if (escaped.length() <= MAX_MESSAGE_CHARS && message.length() <= MAX_MESSAGE_CHARS)
        {
            return escaped;
        }
        return escaped.substring(0, MAX_MESSAGE_CHARS) + "... (" + utf8Length(message) + " bytes)";
    }

    private static String escape(final String text, final int length)
    {
        StringBuilder out = null;
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            final boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && out == null)
            {
                out = new StringBuilder(length + 16).append(text, 0, i);
            }
            if (out != null)
            {
                if (!control)
                {
                    out.append(c);
                }
                else if (c == '\n')
                {
                    out.append("\\n");
                }
                else if (c == '\r')
                {
                    out.append("\\r");
                }
                else if (c == '\t')
                {
                    out.append("\\t");
                }
                else if (c == 0)
                {
                    out.append("\\0");
                }
                else
                {
                    out.append(String.format("\\u%04x", (int)c));
                }
            }
        }
        return out == null ? text.substring(0, length) : out.toString();
    }

    private static long utf8Length(final String text)
    {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            // A surrogate pair is 4 bytes in UTF-8: 2 per half.
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
