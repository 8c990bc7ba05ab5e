package io.sluice.ops.daemon;

import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import io.sluice.engine.config.ConfigLimits;

/**
 * Every error found in a daemon configuration, each as {@code <key path>: <reason> (line L, column C)},
 * collected so that one start-up reports them all before anything runs. The line and column are
 * SnakeYAML's marks of the key's value in the file (or of the nearest enclosing section when the key
 * is missing). Each is made printable: control bytes escaped, cut at
 * {@link ConfigLimits#MAX_MESSAGE_CHARS}.
 *
 * <p>Threading: the control thread, while loading.
 */
public final class ConfigErrors
{
    private final List<String> errors = new ArrayList<>();
    private Node root;

    ConfigErrors()
    {
    }

    /**
     * The document's node tree, for the line and column of each error.
     *
     * @param root of the document.
     */
    void root(final Node root)
    {
        this.root = root;
    }

    /**
     * Adds an error.
     *
     * @param keyPath the key it is about, e.g. {@code jmx.port}.
     * @param reason  what is wrong.
     */
    public void add(final String keyPath, final String reason)
    {
        final Mark mark = mark(keyPath);
        errors.add(ConfigLimits.message(keyPath + ": " + reason +
            (mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")")));
    }

    /**
     * Whether no error was found.
     *
     * @return true if there is none.
     */
    public boolean isEmpty()
    {
        return errors.isEmpty();
    }

    /**
     * How many errors were found so far; a component compares counts to tell whether its own
     * settings added any.
     *
     * @return the count.
     */
    public int count()
    {
        return errors.size();
    }

    /**
     * The mark of a key path's value ({@code ingress[0].channel}), or of the deepest section of it that
     * exists.
     */
    private Mark mark(final String keyPath)
    {
        if (root == null || keyPath.startsWith("("))
        {
            return null;
        }
        Node node = root;
        final String[] parts = keyPath.split("\\.");
        for (int i = 0; i < parts.length; i++)
        {
            // A key may itself contain dots (Kafka client properties such as sasl.jaas.config): the longest one first.
            final Node dotted = dottedChild(node, parts, i);
            if (dotted != null)
            {
                node = dotted;
                break;
            }
            final String part = parts[i];
            final int bracket = part.indexOf('[');
            final String key = bracket < 0 ? part : part.substring(0, bracket);
            Node next = key.isEmpty() ? node : child(node, key);
            if (next != null && bracket >= 0 && next instanceof SequenceNode sequence)
            {
                final int end = part.indexOf(']', bracket);
                try
                {
                    final int index = Integer.parseInt(part.substring(bracket + 1, end < 0 ? part.length() : end));
                    next = index >= 0 && index < sequence.getValue().size() ? sequence.getValue().get(index) : null;
                }
                catch (final NumberFormatException ex)
                {
                    next = null;
                }
            }
            if (next == null)
            {
                break;
            }
            node = next;
        }
        return node == root ? null : node.getStartMark();
    }

    /** The value of a key made of the parts from {@code first} to the end, joined by dots, if one has two parts or more. */
    private static Node dottedChild(final Node node, final String[] parts, final int first)
    {
        if (parts.length - first < 2)
        {
            return null;
        }
        return child(node, String.join(".", java.util.Arrays.copyOfRange(parts, first, parts.length)));
    }

    private static Node child(final Node node, final String key)
    {
        if (node instanceof MappingNode mapping)
        {
            for (final NodeTuple tuple : mapping.getValue())
            {
                if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key))
                {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }

    List<String> list()
    {
        return List.copyOf(errors);
    }

    void throwIfAny(final String source)
    {
        if (!errors.isEmpty())
        {
            throw new DaemonConfigException(source, errors);
        }
    }
}
