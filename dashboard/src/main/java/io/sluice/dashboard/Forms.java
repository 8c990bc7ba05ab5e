package io.sluice.dashboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code application/x-www-form-urlencoded} text (a form body or a query string) strictly:
 * a malformed escape, a repeated name or too many fields is a {@link BadRequestException} naming what
 * is wrong, never a guess.
 */
final class Forms
{
    static final int MAX_FIELDS = 16;

    private Forms()
    {
    }

    static Map<String, String> parse(final String text)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        if (text == null || text.isEmpty())
        {
            return fields;
        }
        for (final String pair : text.split("&", -1))
        {
            if (pair.isEmpty())
            {
                continue;
            }
            final int equals = pair.indexOf('=');
            final String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            final String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (fields.put(name, value) != null)
            {
                throw new BadRequestException(400, "field '" + name + "' is given more than once");
            }
            if (fields.size() > MAX_FIELDS)
            {
                throw new BadRequestException(400, "more than " + MAX_FIELDS + " fields");
            }
        }
        return fields;
    }

    private static String decode(final String text)
    {
        try
        {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRequestException(400, "malformed form encoding in '" + abbreviate(text) + "': " + ex.getMessage());
        }
    }

    static String abbreviate(final String text)
    {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /**
     * A request the dashboard refuses, with the HTTP status and a message for the person who sent it.
     */
    static final class BadRequestException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final int status;

        BadRequestException(final int status, final String message)
        {
            super(message);
            this.status = status;
        }
    }
}
