package io.sluice.ops.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.sluice.engine.config.ConfigLimits;
import io.sluice.engine.config.Durations;

/**
 * One mapping of the daemon's configuration file with its path (e.g. {@code jmx} or
 * {@code ingress[0]}), read through typed getters that never throw: each problem is added to the
 * shared {@link ConfigErrors} as {@code <path>.<key>: <reason>}, a default stands in, and reading
 * goes on, so that one start-up reports every error of the file at once.
 *
 * <p>Keys a section never asked for are reported as unknown by {@link #checkUnknownKeys()}: a typo
 * is an error, not a silently ignored setting.
 *
 * <p>Threading: used on the daemon's control thread while the configuration is loaded.
 */
public final class ConfigSection
{
    private final String path;
    private final Map<String, Object> values;
    private final ConfigErrors errors;
    private final Path baseDirectory;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigSection(final String path, final Map<String, Object> values, final ConfigErrors errors, final Path baseDirectory)
    {
        this.path = path;
        this.values = values == null ? Collections.emptyMap() : values;
        this.errors = errors;
        this.baseDirectory = baseDirectory;
    }

    /**
     * The path of this section in the file, e.g. {@code ingress[1]}.
     *
     * @return the path.
     */
    public String path()
    {
        return path;
    }

    /**
     * The full path of a key of this section.
     *
     * @param key in this section.
     * @return {@code <path>.<key>}, or the key for the top level.
     */
    public String keyPath(final String key)
    {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Whether the key is present.
     *
     * @param key to look for.
     * @return true if present (even if null).
     */
    public boolean has(final String key)
    {
        read.add(key);
        return values.containsKey(key);
    }

    /**
     * How many errors the whole configuration has so far (not only this section's): compare before
     * and after reading settings to tell whether they added any.
     *
     * @return the count.
     */
    public int errorCount()
    {
        return errors.count();
    }

    /**
     * Records an error about a key of this section.
     *
     * @param key    the error is about.
     * @param reason what is wrong and, where possible, what to write instead.
     */
    public void error(final String key, final String reason)
    {
        errors.add(keyPath(key), reason);
    }

    /**
     * A string value.
     *
     * @param key          to read.
     * @param defaultValue when absent; null makes the key required.
     * @return the value, or the default (also after an error).
     */
    public String string(final String key, final String defaultValue)
    {
        read.add(key);
        final Object value = values.get(key);
        if (value == null)
        {
            if (defaultValue == null)
            {
                error(key, "is required");
            }
            return defaultValue;
        }
        if (value instanceof Map || value instanceof List)
        {
            error(key, "must be a single value, not a " + (value instanceof Map ? "mapping" : "list"));
            return defaultValue;
        }
        final String text = String.valueOf(value);
        if (text.length() > ConfigLimits.MAX_SCALAR_CHARS)
        {
            error(key, "the value is " + text.length() + " characters, more than the limit of " + ConfigLimits.MAX_SCALAR_CHARS);
            return defaultValue;
        }
        return text;
    }

    /**
     * An integer value within bounds.
     *
     * @param key          to read.
     * @param defaultValue when absent.
     * @param min          smallest allowed.
     * @param max          largest allowed.
     * @return the value, or the default.
     */
    public int integer(final String key, final int defaultValue, final int min, final int max)
    {
        final String text = string(key, String.valueOf(defaultValue));
        try
        {
            final long value = Long.parseLong(text.trim());
            if (value < min || value > max)
            {
                error(key, "must be in [" + min + ", " + max + "], was " + value);
                return defaultValue;
            }
            return (int)value;
        }
        catch (final NumberFormatException ex)
        {
            error(key, "'" + ConfigLimits.value(text) + "' is not a whole number");
            return defaultValue;
        }
    }

    /**
     * A boolean value, {@code true} or {@code false}.
     *
     * @param key          to read.
     * @param defaultValue when absent.
     * @return the value, or the default.
     */
    public boolean bool(final String key, final boolean defaultValue)
    {
        final String text = string(key, String.valueOf(defaultValue)).trim();
        if (text.equalsIgnoreCase("true"))
        {
            return true;
        }
        if (text.equalsIgnoreCase("false"))
        {
            return false;
        }
        error(key, "'" + ConfigLimits.value(text) + "' is not true or false");
        return defaultValue;
    }

    /**
     * A duration such as {@code 250ms}, {@code 10s}, {@code 1h30m}; a bare number is milliseconds.
     *
     * @param key                to read.
     * @param defaultMillis      when absent.
     * @return the duration in milliseconds, or the default.
     */
    public long durationMillis(final String key, final long defaultMillis)
    {
        final String text = string(key, defaultMillis + "ms");
        try
        {
            return Durations.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            error(key, ex.getMessage());
            return defaultMillis;
        }
    }

    /**
     * A file system path, resolved against the directory of the configuration file.
     *
     * @param key      to read.
     * @param required whether the key must be present.
     * @return the absolute path, or null when absent or invalid.
     */
    public Path path(final String key, final boolean required)
    {
        final String text = string(key, required ? null : "");
        if (text != null && text.isBlank() && values.get(key) != null)
        {
            error(key, "must not be empty: write a path" + (required ? "" : ", or leave the key out"));
            return null;
        }
        if (text == null || text.isEmpty())
        {
            return null;
        }
        try
        {
            return baseDirectory.resolve(text).toAbsolutePath().normalize();
        }
        catch (final RuntimeException ex)
        {
            error(key, "'" + ConfigLimits.value(text) + "' is not a valid path");
            return null;
        }
    }

    /**
     * One of a fixed set of values, case-insensitive.
     *
     * @param key          to read.
     * @param defaultValue when absent.
     * @param allowed      the values, in lower case.
     * @return the value in lower case, or the default.
     */
    public String choice(final String key, final String defaultValue, final String... allowed)
    {
        final String text = string(key, defaultValue);
        if (text == null)
        {
            return null;
        }
        for (final String option : allowed)
        {
            if (option.equalsIgnoreCase(text.trim()))
            {
                return option;
            }
        }
        error(key, "'" + ConfigLimits.value(text) + "' is not one of " + String.join(", ", allowed));
        return defaultValue;
    }

    /**
     * A nested mapping.
     *
     * @param key to read.
     * @return the section (empty when absent).
     */
    @SuppressWarnings("unchecked")
    public ConfigSection section(final String key)
    {
        read.add(key);
        final Object value = values.get(key);
        if (value != null && !(value instanceof Map))
        {
            error(key, "must be a mapping of keys to values");
            return new ConfigSection(keyPath(key), null, errors, baseDirectory);
        }
        return new ConfigSection(keyPath(key), stringKeys(key, (Map<Object, Object>)value), errors, baseDirectory);
    }

    /**
     * A list of mappings (e.g. {@code ingress}).
     *
     * @param key to read.
     * @return the sections in order (empty when absent).
     */
    @SuppressWarnings("unchecked")
    public List<ConfigSection> sections(final String key)
    {
        read.add(key);
        final Object value = values.get(key);
        final List<ConfigSection> sections = new ArrayList<>();
        if (value == null)
        {
            return sections;
        }
        if (!(value instanceof List))
        {
            error(key, "must be a list of mappings (each item starting with '- ')");
            return sections;
        }
        final List<Object> items = (List<Object>)value;
        for (int i = 0; i < items.size(); i++)
        {
            final String itemPath = keyPath(key) + "[" + i + "]";
            if (!(items.get(i) instanceof Map))
            {
                errors.add(itemPath, "must be a mapping of keys to values");
                continue;
            }
            sections.add(new ConfigSection(itemPath, stringKeys(key, (Map<Object, Object>)items.get(i)), errors, baseDirectory));
        }
        return sections;
    }

    /**
     * The mappings under each key of a mapping (e.g. {@code sinks: {name: {...}}}), by key.
     *
     * @param key to read.
     * @return the named sections in order.
     */
    public Map<String, ConfigSection> namedSections(final String key)
    {
        final ConfigSection outer = section(key);
        final Map<String, ConfigSection> named = new LinkedHashMap<>();
        for (final String name : outer.values.keySet())
        {
            named.put(name, outer.section(name));
        }
        return named;
    }

    /**
     * The keys of this section, for a section whose keys are names chosen by the user (a map of Kafka
     * client properties); reading them marks none as read.
     *
     * @return the keys in file order.
     */
    public java.util.Set<String> keys()
    {
        return Collections.unmodifiableSet(values.keySet());
    }

    /**
     * Resolves a path written in this file against the directory of the configuration file.
     *
     * @param text the path as written.
     * @return the absolute path.
     * @throws java.nio.file.InvalidPathException if it is not a valid path.
     */
    Path resolve(final String text)
    {
        return baseDirectory.resolve(text).toAbsolutePath().normalize();
    }

    /**
     * The raw value of a key, for sections another loader validates.
     *
     * @param key to read.
     * @return the value or null.
     */
    Object raw(final String key)
    {
        read.add(key);
        return values.get(key);
    }

    /**
     * Reports every key of this section that no getter asked for.
     */
    public void checkUnknownKeys()
    {
        for (final String key : values.keySet())
        {
            if (!read.contains(key))
            {
                error(key, "unknown key (known here: " + String.join(", ", read) + ")");
            }
        }
    }

    private Map<String, Object> stringKeys(final String key, final Map<Object, Object> map)
    {
        if (map == null)
        {
            return null;
        }
        final Map<String, Object> result = new LinkedHashMap<>();
        for (final Map.Entry<Object, Object> entry : map.entrySet())
        {
            if (!(entry.getKey() instanceof String))
            {
                error(key, "keys must be plain names, found " + entry.getKey());
                continue;
            }
            result.put((String)entry.getKey(), entry.getValue());
        }
        return result;
    }
}
