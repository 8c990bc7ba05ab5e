package io.sluice.engine.config;

import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;
import io.sluice.engine.exec.PipelineInstance;

/**
 * Reads a configuration document into validated {@link PipelineDefinition}s. One loader per document.
 */
final class PipelineConfigLoader
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern AGGREGATE = Pattern.compile("([a-z]+)\\s*(?:\\(\\s*([A-Za-z_][A-Za-z0-9_]*)?\\s*\\))?");
    private static final String[] PIPELINE_KEYS = {
        "name", "source", "schema", "partition_key", "event_time", "max_out_of_orderness", "processing_time", "idle_timeout",
        "on_error", "filter", "map", "select", "key", "join", "window", "aggregates", "result_map", "result_select", "having", "suppress", "sink"};
    private static final String[] WINDOW_KEYS = {"kind", "size", "hop", "gap", "offset", "allowed_lateness", "early", "firing_slice", "firing_pace", "expected_entries"};

    private final String source;
    private final Map<String, Schema> schemas = new LinkedHashMap<>();
    private final java.util.Set<String> invalidSchemas = new java.util.HashSet<>();

    PipelineConfigLoader(final String source)
    {
        this.source = source;
    }

    PipelineConfig load(final Reader reader)
    {
        final LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(ConfigLimits.MAX_FILE_BYTES);
        final Node root;
        try
        {
            root = new Yaml(new SafeConstructor(options)).compose(reader);
        }
        catch (final MarkedYAMLException ex)
        {
            final int line = ex.getProblemMark() == null ? 0 : ex.getProblemMark().getLine() + 1;
            throw new ConfigException("", "not valid YAML: " + ex.getProblem() + " (" + source + " line " + line + ")");
        }
        catch (final YAMLException ex)
        {
            throw new ConfigException("", "not valid YAML: " + ex.getMessage() + " (" + source + ")");
        }
        if (root == null)
        {
            throw new ConfigException("", source + " is empty: it needs 'schemas' and 'pipelines'");
        }
        final Map<String, YamlNode> top = new YamlNode("", root, source).mapping("schemas", "pipelines");
        final YamlNode schemasNode = required(top, "schemas", new YamlNode("", root, source));
        // Every schema and every pipeline is checked, so one load reports all their errors at once
        // (the first of each entry: later checks of an entry may depend on what failed).
        final List<ConfigException> errors = new ArrayList<>();
        for (final Map.Entry<String, YamlNode> entry : schemasNode.mapping().entrySet())
        {
            try
            {
                schemas.put(entry.getKey(), schema(entry.getKey(), entry.getValue()));
            }
            catch (final ConfigException ex)
            {
                errors.add(ex);
                invalidSchemas.add(entry.getKey());
            }
        }
        final List<PipelineDefinition> pipelines = new ArrayList<>();
        final List<YamlNode> items = required(top, "pipelines", new YamlNode("", root, source)).sequence();
        if (items.isEmpty())
        {
            throw new ConfigException("pipelines", "at least one pipeline is required");
        }
        final Map<String, YamlNode> names = new HashMap<>();
        final List<YamlNode> loaded = new ArrayList<>();
        for (final YamlNode item : items)
        {
            try
            {
                final PipelineDefinition definition = pipeline(item);
                final YamlNode previous = names.put(definition.name(), item);
                if (previous != null)
                {
                    throw new ConfigException(item.path() + ".name", "pipeline name '" + definition.name() + "' is already used by " +
                        previous.path());
                }
                checkAgreesOnTopic(item, definition, pipelines);
                pipelines.add(definition);
                loaded.add(item);
            }
            catch (final ConfigException ex)
            {
                errors.addAll(ex.errors());
            }
            catch (final InvalidSchemaReference ex)
            {
                // The schema's own error is reported; the pipeline cannot be checked further without it.
            }
        }
        if (!errors.isEmpty())
        {
            throw ConfigException.of(errors);
        }
        checkGroupJournalNames(loaded, pipelines);
        return new PipelineConfig(schemas, pipelines);
    }

    /**
     * Topics that meet in joins (directly or through other joins) are journaled together in one
     * topic named by their sorted names joined with '.' (see the engine's source groups); that name
     * must not also be a source topic, or the engine would refuse the file at launch.
     */
    private static void checkGroupJournalNames(final List<YamlNode> items, final List<PipelineDefinition> pipelines)
    {
        final Map<String, String> parent = new HashMap<>();
        for (final PipelineDefinition definition : pipelines)
        {
            for (final SourceDefinition source : definition.sources())
            {
                parent.putIfAbsent(source.topic(), source.topic());
            }
            if (definition.join() != null)
            {
                parent.put(root(parent, definition.join().right().topic()), root(parent, definition.join().left().topic()));
            }
        }
        final Map<String, java.util.TreeSet<String>> groups = new HashMap<>();
        for (final String topic : parent.keySet())
        {
            groups.computeIfAbsent(root(parent, topic), r -> new java.util.TreeSet<>()).add(topic);
        }
        for (int i = 0; i < pipelines.size(); i++)
        {
            final PipelineDefinition definition = pipelines.get(i);
            final java.util.TreeSet<String> group = groups.get(root(parent, definition.source()));
            final String journal = String.join(".", group);
            if (definition.join() != null && parent.containsKey(journal))
            {
                throw new ConfigException(items.get(i).path() + ".join", "the topics " + group + " meet in joins and are journaled " +
                    "together as topic '" + journal + "', which is also a source topic; rename that topic");
            }
        }
    }

    private static String root(final Map<String, String> parent, final String topic)
    {
        String root = topic;
        while (!parent.get(root).equals(root))
        {
            root = parent.get(root);
        }
        return root;
    }

    private Schema schema(final String name, final YamlNode node)
    {
        if (!NAME.matcher(name).matches())
        {
            throw node.error("schema name '" + name + "' must be letters, digits and '_', starting with a letter or '_'");
        }
        final Schema.Builder builder = Schema.builder(name);
        final Map<String, YamlNode> fields = node.mapping();
        if (fields.isEmpty())
        {
            throw node.error("schema '" + name + "' has no fields");
        }
        for (final Map.Entry<String, YamlNode> field : fields.entrySet())
        {
            final YamlNode typeNode = field.getValue();
            final String type = typeNode.text();
            try
            {
                // LONG, INT, DOUBLE, BOOLEAN, TIMESTAMP, SYMBOL(width), DECIMAL(precision, scale), TEXT(max): the schema's own parser.
                builder.field(field.getKey(), type);
            }
            catch (final SchemaException ex)
            {
                throw typeNode.error(ex.getMessage());
            }
        }
        return builder.build();
    }

    /**
     * Reads one pipeline, checking each of its parts (name, input, idle timeout, error policy, filter,
     * window, sink) even when an earlier one failed, so that one load reports all of a pipeline's errors;
     * a part that needs the input's schema is checked only when the input is valid.
     */
    private PipelineDefinition pipeline(final YamlNode node)
    {
        final Map<String, YamlNode> keys = node.mapping(PIPELINE_KEYS);
        final List<ConfigException> errors = new ArrayList<>();
        String name = null;
        try
        {
            name = name(required(keys, "name", node), "pipeline name");
        }
        catch (final ConfigException ex)
        {
            errors.add(ex);
        }
        final List<SourceDefinition> sources = new ArrayList<>();
        JoinDefinition join = null;
        Schema stageInput = null;
        try
        {
            if (keys.containsKey("join"))
            {
                for (final String sideKey : new String[] {"source", "schema", "partition_key", "event_time", "max_out_of_orderness",
                    "processing_time", "key"})
                {
                    if (keys.containsKey(sideKey))
                    {
                        throw keys.get(sideKey).error(sideKey.equals("key") ?
                            "a join pipeline is keyed by its join key; remove 'key'" :
                            "in a join pipeline '" + sideKey + "' belongs to each side: set it under join.left and join.right");
                    }
                }
                join = JoinConfigLoader.join(keys.get("join"), this);
                sources.add(join.left());
                sources.add(join.right());
                stageInput = JoinConfigLoader.outputSchema(name == null ? "pipeline" : name, join, keys.get("join"));
            }
            else
            {
                final SourceDefinition input = source(keys, node, false);
                if (keys.containsKey("key"))
                {
                    final Field key = field(input.schema(), keys.get("key"));
                    if (!key.name().equals(input.partitionKey()))
                    {
                        throw keys.get("key").error("windows keyed by '" + key.name() + "' need every event of a key in one partition; " +
                            "set partition_key: " + key.name() + " (a topic has one partitioning)");
                    }
                }
                sources.add(input);
                stageInput = input.schema();
            }
        }
        catch (final ConfigException ex)
        {
            errors.addAll(ex.errors());
            stageInput = null;
        }

        long idleTimeout = 0;
        ErrorPolicy policy = ErrorPolicy.SKIP;
        try
        {
            idleTimeout = keys.containsKey("idle_timeout") ? keys.get("idle_timeout").duration() : 0;
        }
        catch (final ConfigException ex)
        {
            errors.add(ex);
        }
        try
        {
            policy = keys.containsKey("on_error") ? errorPolicy(keys.get("on_error")) : ErrorPolicy.SKIP;
        }
        catch (final ConfigException ex)
        {
            errors.add(ex);
        }

        String filter = null;
        EventPredicate filterPredicate = null;
        if (keys.containsKey("filter") && stageInput != null)
        {
            try
            {
                filter = keys.get("filter").text();
                filterPredicate = expression(keys.get("filter"), filter, stageInput, where(name, "filter"));
            }
            catch (final ConfigException ex)
            {
                errors.add(ex);
            }
        }

        ComputedFields map = null;
        Schema windowInput = stageInput;
        try
        {
            map = computedFields(keys, "map", "select", stageInput, name);
            windowInput = map == null ? stageInput : map.output();
        }
        catch (final ConfigException ex)
        {
            errors.addAll(ex.errors());
            windowInput = null;
        }

        WindowDefinition window = null;
        final List<AggregateDefinition> aggregates = new ArrayList<>();
        ComputedFields resultMap = null;
        String having = null;
        EventPredicate havingPredicate = null;
        try
        {
            if (keys.containsKey("window"))
            {
                window = window(keys.get("window"), name == null ? "pipeline" : name);
                final YamlNode aggregatesNode = keys.get("aggregates");
                if (aggregatesNode == null)
                {
                    throw keys.get("window").error("a window needs 'aggregates' (e.g. '- n: count')");
                }
                if (windowInput != null)
                {
                    aggregates(aggregatesNode, windowInput, aggregates);
                    final Schema results = resultSchema(windowInput, window, aggregates, aggregatesNode);
                    resultMap = computedFields(keys, "result_map", "result_select", results, name);
                    if (keys.containsKey("having"))
                    {
                        having = keys.get("having").text();
                        havingPredicate = expression(keys.get("having"), having,
                            resultMap == null ? results : resultMap.output(), where(name, "having"));
                    }
                }
            }
            else
            {
                for (final String windowOnly : new String[] {"aggregates", "result_map", "result_select", "having"})
                {
                    if (keys.containsKey(windowOnly))
                    {
                        throw keys.get(windowOnly).error("'" + windowOnly + "' needs a 'window'" +
                            (windowOnly.startsWith("result_") ? " (without one, use '" + windowOnly.substring(7) + "')" : ""));
                    }
                }
            }
        }
        catch (final ConfigException ex)
        {
            errors.addAll(ex.errors());
        }
        long suppress = -1;
        try
        {
            suppress = keys.containsKey("suppress") ? suppress(keys.get("suppress")) : -1;
        }
        catch (final ConfigException ex)
        {
            errors.add(ex);
        }
        String sink = null;
        try
        {
            sink = required(keys, "sink", node).text();
        }
        catch (final ConfigException ex)
        {
            errors.add(ex);
        }
        if (!errors.isEmpty())
        {
            throw ConfigException.of(errors);
        }

        final PipelineDefinition definition = new PipelineDefinition(name, sources, join, idleTimeout, policy, filter, filterPredicate,
            map, window, aggregates, resultMap, having, havingPredicate, suppress, sink);
        try
        {
            // Build once through the DSL and instantiate a partition, so whatever the DSL, the window
            // operator or the join operator would refuse is refused now, at load time, with this pipeline's path.
            PipelineInstance.create(definition.build((partition, sequence, k, timestamp, event) -> { }), 0,
                (pipeline, stage, errorPolicy, event, k, timestamp, error) -> { });
        }
        catch (final SchemaException | IllegalStateException | IllegalArgumentException ex)
        {
            throw node.error(ex.getMessage());
        }
        return definition;
    }

    /**
     * Reads a source declaration: the pipeline's own keys, or one side of a join (which may also say
     * {@code table} and {@code delete_flag}).
     */
    SourceDefinition source(final Map<String, YamlNode> keys, final YamlNode node, final boolean joinSide)
    {
        final String topic = required(keys, "source", node).text();
        if (!TOPIC.matcher(topic).matches())
        {
            throw keys.get("source").error("'" + ConfigLimits.value(topic) + "' is not a topic name (letters, digits, '_', '.', '-')");
        }
        final YamlNode schemaNode = required(keys, "schema", node);
        final Schema schema = schemas.get(schemaNode.text());
        if (schema == null)
        {
            if (invalidSchemas.contains(schemaNode.text()))
            {
                throw new InvalidSchemaReference();
            }
            throw schemaNode.error("no schema named '" + schemaNode.text() + "' (declared: " + schemas.keySet() + ")");
        }
        final YamlNode keyNode = required(keys, "partition_key", node);
        final Field partitionKey = field(schema, keyNode);
        if (partitionKey.type() == FieldType.DOUBLE || partitionKey.type() == FieldType.BOOLEAN ||
            partitionKey.type() == FieldType.DECIMAL || partitionKey.type() == FieldType.TEXT)
        {
            throw keyNode.error("partition key '" + partitionKey.name() + "' is a " + partitionKey.type() +
                "; use a LONG, INT, TIMESTAMP or SYMBOL field");
        }
        final String eventTime = time(keys, schema, node, joinSide ? "a join side" : "a pipeline");
        final long bound = keys.containsKey("max_out_of_orderness") ? keys.get("max_out_of_orderness").duration() : 0;
        final boolean table = joinSide && keys.containsKey("table") && keys.get("table").bool();
        String deleteFlag = null;
        if (joinSide && keys.containsKey("delete_flag"))
        {
            final YamlNode flagNode = keys.get("delete_flag");
            if (!table)
            {
                throw flagNode.error("only a table has deletes: set 'table: true' or remove 'delete_flag'");
            }
            final Field flag = field(schema, flagNode);
            if (flag.type() != FieldType.BOOLEAN)
            {
                throw flagNode.error("delete flag '" + flag.name() + "' is a " + flag.type() + "; it must be BOOLEAN");
            }
            deleteFlag = flag.name();
        }
        return new SourceDefinition(topic, schema, partitionKey.name(), eventTime, bound, table, deleteFlag);
    }

    private static String time(final Map<String, YamlNode> keys, final Schema schema, final YamlNode node, final String what)
    {
        final boolean processing = keys.containsKey("processing_time") && keys.get("processing_time").bool();
        if (keys.containsKey("event_time"))
        {
            if (processing)
            {
                throw keys.get("processing_time").error("choose either event_time or processing_time: true, not both");
            }
            final Field time = field(schema, keys.get("event_time"));
            if (time.type() != FieldType.TIMESTAMP && time.type() != FieldType.LONG)
            {
                throw keys.get("event_time").error("event-time field '" + time.name() + "' is a " + time.type() + "; it must be TIMESTAMP or LONG");
            }
            return time.name();
        }
        if (!processing)
        {
            throw node.error(what + " needs a time: 'event_time: <field>' (with 'max_out_of_orderness') or 'processing_time: true'");
        }
        if (keys.containsKey("max_out_of_orderness"))
        {
            throw keys.get("max_out_of_orderness").error("max_out_of_orderness applies to event_time only");
        }
        return null;
    }

    private static ErrorPolicy errorPolicy(final YamlNode node)
    {
        switch (node.text().toLowerCase(Locale.ROOT))
        {
            case "halt":
                return ErrorPolicy.HALT;
            case "skip":
                return ErrorPolicy.SKIP;
            case "dead_letter":
            case "dead-letter":
                return ErrorPolicy.DEAD_LETTER;
            default:
                throw node.error("'" + ConfigLimits.value(node.text()) + "' is not an error policy (halt, skip or dead_letter)");
        }
    }

    private static WindowDefinition window(final YamlNode node, final String pipeline)
    {
        final Map<String, YamlNode> keys = node.mapping(WINDOW_KEYS);
        final YamlNode kindNode = required(keys, "kind", node);
        final String kind = kindNode.text().toLowerCase(Locale.ROOT);
        long size = 0;
        long hop = 0;
        long gap = 0;
        switch (kind)
        {
            case "tumbling":
                forbid(keys, "tumbling", "hop", "gap");
                size = positive(required(keys, "size", node));
                hop = size;
                break;
            case "sliding":
            case "hopping":
                forbid(keys, kind, "gap");
                size = positive(required(keys, "size", node));
                hop = positive(required(keys, "hop", node));
                if (kind.equals("sliding") && hop >= size)
                {
                    throw keys.get("hop").error("sliding windows need hop < size (size " + Durations.format(size) + ", hop " +
                        Durations.format(hop) + "); use hopping for hop >= size");
                }
                if (WindowSpec.windowsPerEvent(size, hop) > WindowSpec.MAX_WINDOWS_PER_EVENT)
                {
                    throw keys.get("hop").error("pipeline '" + pipeline + "': size " + Durations.format(size) + " / hop " +
                        Durations.format(hop) + " puts every event in " + WindowSpec.windowsPerEvent(size, hop) +
                        " windows, more than the limit of " + WindowSpec.MAX_WINDOWS_PER_EVENT + " (use a larger hop or a smaller size)");
                }
                break;
            case "session":
                forbid(keys, "session", "size", "hop", "offset", "firing_pace");
                gap = positive(required(keys, "gap", node));
                break;
            default:
                throw kindNode.error("'" + ConfigLimits.value(kindNode.text()) + "' is not a window kind (tumbling, sliding, hopping or session)");
        }
        final long offset = keys.containsKey("offset") ? keys.get("offset").duration() : 0;
        if (offset != 0 && offset >= hop)
        {
            throw keys.get("offset").error("offset " + Durations.format(offset) + " must be smaller than the hop " + Durations.format(hop));
        }
        final long lateness = keys.containsKey("allowed_lateness") ? keys.get("allowed_lateness").duration() : 0;
        final boolean early = keys.containsKey("early") && keys.get("early").bool();
        final int firingSlice = keys.containsKey("firing_slice") ?
            keys.get("firing_slice").slice() : WindowOperatorContext.FIRING_SLICE_DEFAULT;
        final int firingPace = keys.containsKey("firing_pace") ?
            keys.get("firing_pace").slice() : WindowOperatorContext.FIRING_PACE_UNPACED;
        int expectedEntries = WindowDefinition.DEFAULT_EXPECTED_ENTRIES;
        if (keys.containsKey("expected_entries"))
        {
            expectedEntries = keys.get("expected_entries").positiveInt();
            if (expectedEntries > WindowDefinition.MAX_EXPECTED_ENTRIES)
            {
                throw keys.get("expected_entries").error(expectedEntries + " is more than the limit of " +
                    WindowDefinition.MAX_EXPECTED_ENTRIES + " (the state grows beyond what it is sized for)");
            }
        }
        return new WindowDefinition(kind, size, hop, gap, offset, lateness, early, firingSlice, firingPace, expectedEntries);
    }

    private static void forbid(final Map<String, YamlNode> keys, final String kind, final String... forbidden)
    {
        for (final String key : forbidden)
        {
            if (keys.containsKey(key))
            {
                throw keys.get(key).error("'" + key + "' does not apply to " + kind + " windows");
            }
        }
    }

    private static long positive(final YamlNode node)
    {
        final long value = node.duration();
        if (value <= 0)
        {
            throw node.error("must be greater than zero");
        }
        return value;
    }

    private static void aggregates(final YamlNode node, final Schema schema, final List<AggregateDefinition> out)
    {
        final List<YamlNode> items = node.sequence();
        if (items.isEmpty())
        {
            throw node.error("at least one aggregate is required (e.g. '- n: count')");
        }
        final List<String> names = new ArrayList<>(List.of(WindowSpec.KEY, WindowSpec.WINDOW_START, WindowSpec.WINDOW_END, WindowSpec.FLAGS));
        for (final YamlNode item : items)
        {
            final Map<String, YamlNode> entry = item.mapping();
            if (entry.size() != 1)
            {
                throw item.error("each aggregate is one 'name: function(field)' entry, e.g. '- total: sum(amount)'");
            }
            final Map.Entry<String, YamlNode> only = entry.entrySet().iterator().next();
            final String name = only.getKey();
            final YamlNode definition = only.getValue();
            if (!NAME.matcher(name).matches())
            {
                throw definition.error("aggregate name '" + name + "' must be letters, digits and '_', starting with a letter or '_'");
            }
            if (names.contains(name))
            {
                throw definition.error("result field '" + name + "' is already used" +
                    (names.indexOf(name) < 4 ? " by the window result (key, window_start, window_end, flags)" : " by another aggregate"));
            }
            names.add(name);
            final Matcher matcher = AGGREGATE.matcher(definition.text());
            if (!matcher.matches())
            {
                throw definition.error("'" + ConfigLimits.value(definition.text()) + "' is not an aggregate (count, or sum/min/max/avg/first/last(field))");
            }
            final String function = matcher.group(1);
            final String field = matcher.group(2);
            switch (function)
            {
                case "count":
                    if (field != null)
                    {
                        throw definition.error("count takes no field");
                    }
                    break;
                case "sum":
                case "min":
                case "max":
                case "avg":
                case "first":
                case "last":
                    if (field == null)
                    {
                        throw definition.error(function + " needs a field, e.g. " + function + "(amount)");
                    }
                    if (!schema.hasField(field))
                    {
                        throw definition.error("unknown field '" + field + "' in schema '" + schema.name() + "'");
                    }
                    if (!schema.field(field).type().isNumeric())
                    {
                        throw definition.error(function + " needs a numeric field; '" + field + "' is a " + schema.field(field).type());
                    }
                    break;
                default:
                    throw definition.error("'" + ConfigLimits.value(function) + "' is not an aggregate function (count, sum, min, max, avg, first, last)");
            }
            out.add(new AggregateDefinition(name, function, field));
        }
    }

    private static Schema resultSchema(
        final Schema input, final WindowDefinition window, final List<AggregateDefinition> aggregates, final YamlNode at)
    {
        try
        {
            final SourceDefinition source = new SourceDefinition("result", input, input.field(0).name(), null, 0, false, null);
            return new PipelineDefinition("result", List.of(source), null, 0, ErrorPolicy.SKIP, null, null,
                null, window, aggregates, null, null, null, -1, "none").build((p, s, k, t, e) -> { }).outputSchema();
        }
        catch (final SchemaException ex)
        {
            throw at.error(ex.getMessage());
        }
    }

    /**
     * Reads {@code suppress: {cooldown: <duration>}} or {@code suppress: on_change}.
     *
     * @return the cooldown, or 0 for on-change suppression.
     */
    private static long suppress(final YamlNode node)
    {
        if (node.isMapping())
        {
            final Map<String, YamlNode> keys = node.mapping("cooldown");
            final long cooldown = positive(required(keys, "cooldown", node));
            return cooldown;
        }
        final String mode = node.text().toLowerCase(Locale.ROOT);
        if (mode.equals("on_change") || mode.equals("on-change"))
        {
            return 0;
        }
        throw node.error("'" + ConfigLimits.value(node.text()) + "' is not a suppression: write 'suppress: on_change' or " +
            "'suppress: {cooldown: 30s}'");
    }

    /**
     * The computed-fields stage of a map key or a select key (not both), or null if neither is set.
     */
    private static ComputedFields computedFields(
        final Map<String, YamlNode> keys, final String mapKey, final String selectKey, final Schema input, final String pipeline)
    {
        if (keys.containsKey(mapKey) && keys.containsKey(selectKey))
        {
            throw keys.get(selectKey).error("choose '" + mapKey + "' (keep every field, add computed ones) or '" + selectKey +
                "' (exactly the listed fields), not both");
        }
        if (input == null || !keys.containsKey(mapKey) && !keys.containsKey(selectKey))
        {
            return null;
        }
        final boolean select = keys.containsKey(selectKey);
        final String key = select ? selectKey : mapKey;
        return ComputedFields.load(keys.get(key), select, input, pipeline, key);
    }

    private static EventPredicate expression(final YamlNode node, final String text, final Schema schema, final String context)
    {
        try
        {
            return Expressions.compile(text, schema, context);
        }
        catch (final ExpressionException ex)
        {
            throw node.error(ex.getMessage());
        }
    }

    /**
     * Where an expression is used, as its errors name it.
     */
    static String where(final String pipeline, final String key)
    {
        return "pipeline '" + (pipeline == null ? "?" : pipeline) + "' " + key;
    }

    static Field field(final Schema schema, final YamlNode node)
    {
        final String name = node.text();
        if (!schema.hasField(name))
        {
            final List<String> fields = new ArrayList<>();
            schema.fields().forEach(f -> fields.add(f.name()));
            throw node.error("unknown field '" + name + "' in schema '" + schema.name() + "' (fields: " + String.join(", ", fields) + ")");
        }
        return schema.field(name);
    }

    static String name(final YamlNode node, final String what)
    {
        final String name = node.text();
        if (!TOPIC.matcher(name).matches())
        {
            throw node.error(what + " '" + name + "' must be letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    static YamlNode required(final Map<String, YamlNode> keys, final String key, final YamlNode parent)
    {
        final YamlNode value = keys.get(key);
        if (value == null)
        {
            throw new ConfigException(parent.path().isEmpty() ? key : parent.path() + "." + key, "is required");
        }
        return value;
    }

    private static void checkAgreesOnTopic(final YamlNode item, final PipelineDefinition definition, final List<PipelineDefinition> earlier)
    {
        for (int side = 0; side < definition.sources().size(); side++)
        {
            final SourceDefinition source = definition.sources().get(side);
            final String at = definition.join() == null ? item.path() : item.path() + ".join." + (side == 0 ? "left" : "right");
            for (final PipelineDefinition other : earlier)
            {
                for (final SourceDefinition theirs : other.sources())
                {
                    if (theirs.topic().equals(source.topic()))
                    {
                        checkAgree(at, definition.join() == null, source, other.name(), theirs);
                    }
                }
            }
        }
    }

    private static void checkAgree(
        final String at, final boolean single, final SourceDefinition source, final String otherName, final SourceDefinition other)
    {
        final String key = source.disagreement(other);
        if (key == null)
        {
            return;
        }
        final String topic = source.topic();
        final String why;
        switch (key)
        {
            case "schema":
                why = "'" + source.schema().name() + "' but pipeline '" + otherName + "' reads topic '" + topic +
                    "' as '" + other.schema().name() + "'; a topic has one schema";
                break;
            case "partition_key":
                why = "'" + source.partitionKey() + "' but pipeline '" + otherName + "' partitions topic '" + topic +
                    "' by '" + other.partitionKey() + "'; a topic has one partitioning";
                break;
            case "event_time":
                why = "time differs from pipeline '" + otherName + "' on topic '" + topic +
                    "'; each event has one journaled timestamp, so pipelines of a topic share their time field";
                break;
            default:
                why = "pipeline '" + otherName + "' reads topic '" + topic + "' as a " + (other.table() ? "table" : "stream") +
                    "; a topic is either a stream or a table's changelog";
                break;
        }
        // A single-source pipeline has no 'table' key: its 'source' reads the topic as a stream.
        throw new ConfigException(at + "." + (single && key.equals("table") ? "source" : key), why);
    }

    /**
     * A pipeline uses a schema that has an error of its own: reported once, at the schema.
     */
    private static final class InvalidSchemaReference extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        InvalidSchemaReference()
        {
            super(null, null, false, false);
        }
    }
}
