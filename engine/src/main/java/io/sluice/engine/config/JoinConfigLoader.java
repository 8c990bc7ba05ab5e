package io.sluice.engine.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.sluice.engine.join.JoinOperatorContext;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.JoinSpec;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * Reads the {@code join} of a pipeline into a validated {@link JoinDefinition}. Every rule the DSL
 * and the join operators enforce is checked here first, so the error names the exact key
 * ({@code pipelines[2].join.right.table}) rather than the pipeline.
 */
final class JoinConfigLoader
{
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final String[] JOIN_KEYS = {
        "kind", "type", "left", "right", "lower", "upper", "allowed_lateness", "versions", "prefixes", "expected_entries",
        "eviction_slice"};
    private static final String[] SIDE_KEYS = {
        "source", "schema", "partition_key", "event_time", "max_out_of_orderness", "processing_time", "table", "delete_flag"};
    private static final int MAX_VERSIONS = 1024;

    private JoinConfigLoader()
    {
    }

    static JoinDefinition join(final YamlNode node, final PipelineConfigLoader loader)
    {
        final Map<String, YamlNode> keys = node.mapping(JOIN_KEYS);
        final YamlNode kindNode = PipelineConfigLoader.required(keys, "kind", node);
        final JoinSpec.Kind kind = kind(kindNode);
        final JoinType type = keys.containsKey("type") ? type(keys.get("type")) : JoinType.INNER;
        final YamlNode leftNode = PipelineConfigLoader.required(keys, "left", node);
        final YamlNode rightNode = PipelineConfigLoader.required(keys, "right", node);
        final Map<String, YamlNode> leftKeys = leftNode.mapping(SIDE_KEYS);
        final Map<String, YamlNode> rightKeys = rightNode.mapping(SIDE_KEYS);
        final SourceDefinition left = loader.source(leftKeys, leftNode, true);
        final SourceDefinition right = loader.source(rightKeys, rightNode, true);
        if (left.topic().equals(right.topic()))
        {
            throw rightKeys.get("source").error("both sides read topic '" + left.topic() + "'; a join meets two different topics");
        }
        checkCoPartitioned(left, right, rightKeys.get("partition_key"));
        checkSides(kind, type, left, right, leftNode, leftKeys, rightNode, rightKeys, keys.get("type"));

        long lower = 0;
        long upper = 0;
        long lateness = 0;
        int versions = 0;
        if (kind == JoinSpec.Kind.INTERVAL)
        {
            lower = PipelineConfigLoader.required(keys, "lower", node).signedDuration();
            upper = PipelineConfigLoader.required(keys, "upper", node).signedDuration();
            if (upper < lower)
            {
                throw keys.get("upper").error("upper bound " + keys.get("upper").text() + " is below the lower bound " +
                    keys.get("lower").text() + "; the interval [t + lower, t + upper] would be empty");
            }
            lateness = keys.containsKey("allowed_lateness") ? keys.get("allowed_lateness").duration() : 0;
            forbid(keys, kind, "versions");
        }
        else
        {
            forbid(keys, kind, "lower", "upper", "allowed_lateness", "eviction_slice");
            if (kind == JoinSpec.Kind.LOOKUP && keys.containsKey("versions"))
            {
                versions = keys.get("versions").positiveInt();
                if (versions > MAX_VERSIONS)
                {
                    throw keys.get("versions").error("at most " + MAX_VERSIONS + " versions are kept per key, was " + versions);
                }
            }
            else
            {
                forbid(keys, kind, "versions");
            }
        }
        String leftPrefix = null;
        String rightPrefix = null;
        if (keys.containsKey("prefixes"))
        {
            final YamlNode prefixesNode = keys.get("prefixes");
            final Map<String, YamlNode> prefixes = prefixesNode.mapping("left", "right");
            leftPrefix = prefix(PipelineConfigLoader.required(prefixes, "left", prefixesNode));
            rightPrefix = prefix(PipelineConfigLoader.required(prefixes, "right", prefixesNode));
            if (leftPrefix.equals(rightPrefix))
            {
                throw prefixes.get("right").error("the two prefixes must differ, both are '" + leftPrefix + "'");
            }
        }
        final int expectedEntries = keys.containsKey("expected_entries") ? keys.get("expected_entries").positiveInt() : 1024;
        final int evictionSlice = keys.containsKey("eviction_slice") ?
            keys.get("eviction_slice").slice() : JoinOperatorContext.EVICTION_SLICE_DEFAULT;
        return new JoinDefinition(kind, type, left, right, lower, upper, lateness, versions, leftPrefix, rightPrefix, expectedEntries,
            evictionSlice);
    }

    /**
     * The schema of the join's output rows, which the pipeline's filter and window read.
     */
    static Schema outputSchema(final String name, final JoinDefinition join, final YamlNode node)
    {
        try
        {
            return join.declare(name, 0).then().sink("probe", (p, s, k, t, e) -> { }).build().outputSchema();
        }
        catch (final SchemaException | IllegalArgumentException | IllegalStateException ex)
        {
            throw node.error(ex.getMessage());
        }
    }

    private static void checkCoPartitioned(final SourceDefinition left, final SourceDefinition right, final YamlNode at)
    {
        final Field leftKey = left.schema().field(left.partitionKey());
        final Field rightKey = right.schema().field(right.partitionKey());
        if (leftKey.type() != rightKey.type() || leftKey.width() != rightKey.width())
        {
            throw at.error("not co-partitioned: right key '" + rightKey.name() + "' is " + describe(rightKey) + " but left key '" +
                leftKey.name() + "' is " + describe(leftKey) + "; both sides must be partitioned by keys of the same type, so that " +
                "equal keys hash to the same partition");
        }
    }

    private static String describe(final Field field)
    {
        return field.type() == io.sluice.schema.FieldType.SYMBOL ? "SYMBOL(" + field.width() + ")" : field.type().name();
    }

    private static void checkSides(
        final JoinSpec.Kind kind,
        final JoinType type,
        final SourceDefinition left,
        final SourceDefinition right,
        final YamlNode leftNode,
        final Map<String, YamlNode> leftKeys,
        final YamlNode rightNode,
        final Map<String, YamlNode> rightKeys,
        final YamlNode typeNode)
    {
        switch (kind)
        {
            case INTERVAL:
                if (left.table() || right.table())
                {
                    throw (left.table() ? leftKeys : rightKeys).get("table").error(
                        "an interval join meets two streams; a table side needs kind: lookup (stream-table) or tables (table-table)");
                }
                break;
            case LOOKUP:
                if (left.table())
                {
                    throw leftKeys.get("table").error("a lookup enriches a stream (left) with a table (right); the left side must be a stream");
                }
                if (!right.table())
                {
                    throw (rightKeys.containsKey("table") ? rightKeys.get("table") : rightNode).error(
                        "a lookup enriches a stream (left) with a table (right): the right side must be a table ('table: true')");
                }
                if (type != JoinType.INNER && type != JoinType.LEFT)
                {
                    throw typeNode.error("a lookup is inner or left (each stream event is enriched or dropped/null-padded), not " +
                        type.name().toLowerCase(Locale.ROOT));
                }
                break;
            default:
                if (!left.table() || !right.table())
                {
                    final boolean leftBad = !left.table();
                    final Map<String, YamlNode> sideKeys = leftBad ? leftKeys : rightKeys;
                    throw (sideKeys.containsKey("table") ? sideKeys.get("table") : leftBad ? leftNode : rightNode).error(
                        "a tables join meets two tables' changelogs: the " + (leftBad ? "left" : "right") + " side must be a table ('table: true')");
                }
                break;
        }
    }

    private static JoinSpec.Kind kind(final YamlNode node)
    {
        switch (node.text().toLowerCase(Locale.ROOT))
        {
            case "interval":
                return JoinSpec.Kind.INTERVAL;
            case "lookup":
                return JoinSpec.Kind.LOOKUP;
            case "tables":
                return JoinSpec.Kind.TABLES;
            default:
                throw node.error("'" + ConfigLimits.value(node.text()) + "' is not a join kind (interval: stream-stream, lookup: stream-table, " +
                    "tables: table-table)");
        }
    }

    private static JoinType type(final YamlNode node)
    {
        switch (node.text().toLowerCase(Locale.ROOT))
        {
            case "inner":
                return JoinType.INNER;
            case "left":
                return JoinType.LEFT;
            case "right":
                return JoinType.RIGHT;
            case "outer":
                return JoinType.OUTER;
            default:
                throw node.error("'" + ConfigLimits.value(node.text()) + "' is not a join type (inner, left, right or outer)");
        }
    }

    private static void forbid(final Map<String, YamlNode> keys, final JoinSpec.Kind kind, final String... forbidden)
    {
        for (final String key : forbidden)
        {
            if (keys.containsKey(key))
            {
                throw keys.get(key).error("'" + key + "' does not apply to " + kind.name().toLowerCase(Locale.ROOT) + " joins");
            }
        }
    }

    private static String prefix(final YamlNode node)
    {
        final String prefix = node.text();
        if (!PREFIX.matcher(prefix).matches())
        {
            throw node.error("prefix '" + prefix + "' must be letters, digits and '_', starting with a letter or '_'");
        }
        return prefix;
    }
}
