package io.sluice.engine.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A composed YAML node with its path from the document root, so every error names the key it is
 * about (and the line, for the reader). Values are read as their literal text: the loader, not
 * YAML's implicit typing, decides what {@code 10s} or {@code 007} means.
 */
final class YamlNode
{
    private final String path;
    private final Node node;
    private final String source;

    YamlNode(final String path, final Node node, final String source)
    {
        this.path = path;
        this.node = node;
        this.source = source;
    }

    String path()
    {
        return path;
    }

    boolean isMapping()
    {
        return node instanceof MappingNode;
    }

    /**
     * The entries of a mapping in document order, refusing duplicate and unknown keys.
     *
     * @param allowed keys, or none to allow any.
     */
    Map<String, YamlNode> mapping(final String... allowed)
    {
        if (!(node instanceof MappingNode))
        {
            throw error("expected a mapping of keys to values, found " + describe());
        }
        final Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (final NodeTuple tuple : ((MappingNode)node).getValue())
        {
            if (!(tuple.getKeyNode() instanceof ScalarNode))
            {
                throw new YamlNode(path, tuple.getKeyNode(), source).error("keys must be plain names");
            }
            final String key = ((ScalarNode)tuple.getKeyNode()).getValue();
            final YamlNode child = new YamlNode(path.isEmpty() ? key : path + "." + key, tuple.getValueNode(), source);
            if (allowed.length > 0 && !Arrays.asList(allowed).contains(key))
            {
                throw new YamlNode(child.path, tuple.getKeyNode(), source).error(
                    "unknown key '" + key + "' (known keys: " + String.join(", ", allowed) + ")");
            }
            if (entries.put(key, child) != null)
            {
                throw new YamlNode(child.path, tuple.getKeyNode(), source).error("key '" + key + "' appears twice");
            }
        }
        return entries;
    }

    List<YamlNode> sequence()
    {
        if (!(node instanceof SequenceNode))
        {
            throw error("expected a list, found " + describe());
        }
        final List<YamlNode> items = new ArrayList<>();
        final List<Node> values = ((SequenceNode)node).getValue();
        for (int i = 0; i < values.size(); i++)
        {
            items.add(new YamlNode(path + "[" + i + "]", values.get(i), source));
        }
        return items;
    }

    String text()
    {
        if (!(node instanceof ScalarNode))
        {
            throw error("expected a value, found " + describe());
        }
        final String raw = ((ScalarNode)node).getValue();
        if (raw.length() > ConfigLimits.MAX_SCALAR_CHARS)
        {
            throw error("the value is " + raw.length() + " characters, more than the limit of " + ConfigLimits.MAX_SCALAR_CHARS);
        }
        final String value = raw.trim();
        if (value.isEmpty() || (value.equals("null") || value.equals("~")) && ((ScalarNode)node).getScalarStyle().getChar() == null)
        {
            throw error("a value is required");
        }
        return value;
    }

    long duration()
    {
        final String text = text();
        try
        {
            return Durations.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(ex.getMessage());
        }
    }

    /**
     * A duration that may be negative ({@code -500ms}), such as an interval join's lower bound.
     */
    long signedDuration()
    {
        final String text = text();
        final boolean negative = text.startsWith("-");
        try
        {
            final long magnitude = Durations.parse(negative ? text.substring(1) : text);
            return negative ? -magnitude : magnitude;
        }
        catch (final IllegalArgumentException ex)
        {
            throw error("'" + ConfigLimits.value(text) + "' is not a duration (write e.g. 250ms, 2s or -500ms)");
        }
    }

    boolean bool()
    {
        final String text = text();
        switch (text.toLowerCase(java.util.Locale.ROOT))
        {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw error("'" + ConfigLimits.value(text) + "' is not a boolean (true or false)");
        }
    }

    /**
     * A slice size (bounded work per event): a positive integer, or {@code unbounded} for
     * {@link Integer#MAX_VALUE} (everything at once).
     *
     * @return the slice, at least 1.
     */
    int slice()
    {
        final String text = text();
        if ("unbounded".equals(text))
        {
            return Integer.MAX_VALUE;
        }
        try
        {
            final int value = Integer.parseInt(text);
            if (value >= 1)
            {
                return value;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw error("'" + ConfigLimits.value(text) + "' is not a slice size: a whole number >= 1, or 'unbounded'");
    }

    int positiveInt()
    {
        final String text = text();
        try
        {
            final int value = Integer.parseInt(text);
            if (value >= 1)
            {
                return value;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw error("'" + ConfigLimits.value(text) + "' is not a positive integer");
    }

    ConfigException error(final String reason)
    {
        return new ConfigException(path, reason + " (" + source + " line " + (node.getStartMark().getLine() + 1) + ")");
    }

    private String describe()
    {
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }
        if (node instanceof SequenceNode)
        {
            return "a list";
        }
        return "'" + ConfigLimits.value(((ScalarNode)node).getValue()) + "'";
    }
}
