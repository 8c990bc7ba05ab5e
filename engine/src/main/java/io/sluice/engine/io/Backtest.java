package io.sluice.engine.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.collections.Long2ObjectHashMap;

import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.exec.StageErrorHandler;
import io.sluice.schema.FieldType;
import io.sluice.journal.Topic;

/**
 * Replays files, or events from memory ({@link #replayEvents} with an {@link EventSource} per
 * topic), through pipelines at full speed in event time, on the calling thread, without rings,
 * threads or a journal. Each event goes to the instances of the partition its key hashes to ({@link
 * Topic#partitionFor}, as the live publisher routes it), as the input (0, or 0 = left and 1 = right
 * of a join) its topic is for each pipeline that reads it: the backtest drives each partition's
 * instances through the same {@link PartitionDispatcher} and routing table as the engine's
 * partition thread, so the equivalence of the two rests on shared code. At the end every instance
 * gets {@link PipelineInstance#onEndOfInput()}, partition by partition, so every open window and
 * pending join result is emitted (Flink's bounded-input semantics).
 *
 * <p><b>One order for all inputs.</b> With one file per topic ({@link #run(Path, Map, Path,
 * BacktestOptions)}), the files are merged into one sequence by event time: the next event is, of
 * the next unread event of every file, the one with the smallest time; a tie goes to the file given
 * first. Each file's own order is kept (an out-of-order line stays where it is in its file, so the
 * merge is stable and never reorders events of one file). With several files of one topic ({@link
 * #run(Path, List, Path, BacktestOptions)}) they are read one after another, in the order given.
 * Publishing the same events to a live engine in that same order gives, per partition and per
 * pipeline, the same calls, hence the same outputs with the same sequence numbers; and the order of
 * all outputs is a function of the inputs alone, so two runs write byte-identical files.
 *
 * <pre>{@code
 *   BacktestSummary summary = Backtest.run(Path.of("pipelines.yaml"),
 *       Map.of("orders", Path.of("orders.csv"), "payments", Path.of("payments.csv")),   // use a LinkedHashMap: order breaks ties
 *       Path.of("out.csv"), new BacktestOptions().malformedInput(MalformedInputPolicy.SKIP));
 *   System.out.print(summary.report());
 * }</pre>
 *
 * <p>Only event-time pipelines can be replayed (processing time has no journaled clock in a file);
 * idle timeouts are moot (all partitions end together). Every topic a selected pipeline reads needs
 * an input, and every input must be read by a selected pipeline. Stage failures follow each stage's
 * policy: SKIP and DEAD_LETTER are counted (a backtest has no dead-letter topic), HALT stops that
 * partition's instance.
 */
public final class Backtest
{
    private static final int MAX_RECORDED_ERRORS = 100;

    private Backtest()
    {
    }

    /**
     * Loads a pipeline file, replays the inputs through its pipelines and writes their outputs: to
     * {@code output} when one pipeline runs, else to one file per pipeline named
     * {@code <output name>.<pipeline>.<extension>} beside it. The pipelines must read one topic.
     *
     * @param pipelineYaml configuration declaring the pipelines.
     * @param inputs       CSV or JSONL files of the pipelines' input schema, read one after another in this order.
     * @param output       file to write (format from its extension unless the options force one).
     * @param options      of the run.
     * @return the counts.
     * @throws io.sluice.engine.config.ConfigException on any error in the pipeline file, before reading input.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed or an output fails.
     */
    public static BacktestSummary run(final Path pipelineYaml, final List<Path> inputs, final Path output, final BacktestOptions options)
    {
        return runInputs(PipelineConfig.load(pipelineYaml), List.of(new ReplayPlan.TopicInput(null, List.copyOf(inputs))), output, options);
    }

    /**
     * Loads a pipeline file, replays one input file per source topic through its pipelines, merged
     * by event time (ties to the topic given first, see the class comment), and writes their outputs
     * as {@link #run(Path, List, Path, BacktestOptions)} does.
     *
     * @param pipelineYaml  configuration declaring the pipelines.
     * @param inputsByTopic CSV or JSONL file of each source topic, in the order that breaks ties of event time.
     * @param output        file to write (format from its extension unless the options force one).
     * @param options       of the run.
     * @return the counts.
     * @throws io.sluice.engine.config.ConfigException on any error in the pipeline file, before reading input.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed, a topic has no input, or an output fails.
     */
    public static BacktestSummary run(
        final Path pipelineYaml, final Map<String, Path> inputsByTopic, final Path output, final BacktestOptions options)
    {
        return runInputs(PipelineConfig.load(pipelineYaml), byTopic(inputsByTopic), output, options);
    }

    /**
     * Replays inputs through the pipelines of a configuration already loaded (the YAML pipelines of a
     * daemon configuration, {@code sluice replay --config}), as {@link #run(Path, List, Path, BacktestOptions)}
     * and {@link #run(Path, Map, Path, BacktestOptions)} do.
     *
     * @param config        declaring the pipelines.
     * @param inputs        CSV or JSONL files of one source topic, read one after another; or null.
     * @param inputsByTopic CSV or JSONL file of each source topic; or null when {@code inputs} is given.
     * @param output        file to write (format from its extension unless the options force one).
     * @param options       of the run.
     * @return the counts.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed, a topic has no input, or an output fails.
     */
    public static BacktestSummary run(
        final PipelineConfig config, final List<Path> inputs, final Map<String, Path> inputsByTopic, final Path output,
        final BacktestOptions options)
    {
        return runInputs(config, inputsByTopic != null ? byTopic(inputsByTopic) :
            List.of(new ReplayPlan.TopicInput(null, List.copyOf(inputs))), output, options);
    }

    private static BacktestSummary runInputs(
        final PipelineConfig config, final List<ReplayPlan.TopicInput> inputs, final Path output, final BacktestOptions options)
    {
        options.conclude();
        final List<PipelineDefinition> selected = new ArrayList<>();
        if (options.pipelines().isEmpty())
        {
            selected.addAll(config.pipelines());
        }
        else
        {
            for (final String name : options.pipelines())
            {
                selected.add(config.pipeline(name));
            }
        }
        final FileFormat format;
        try
        {
            format = options.outputFormat() != null ? options.outputFormat() : FileFormat.of(output);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BacktestException(ex.getMessage());
        }
        for (final ReplayPlan.TopicInput topicInput : inputs)
        {
            for (final Path input : topicInput.files())
            {
                if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize()))
                {
                    throw new BacktestException("output " + output + " is also an input");
                }
            }
        }

        final Long2ObjectHashMap<String> symbolKeys = new Long2ObjectHashMap<>();
        final Map<PipelineDefinition, EventFileSink> sinks = new LinkedHashMap<>();
        final List<Path> outputs = new ArrayList<>();
        final List<Pipeline> pipelines = new ArrayList<>();
        RuntimeException failure = null;
        BacktestSummary summary = null;
        try
        {
            for (final PipelineDefinition definition : selected)
            {
                final Path file = selected.size() == 1 ? output : perPipeline(output, definition.name());
                final Pipeline probe = definition.build((p, s, k, t, e) -> { });
                final boolean symbolKey = definition.schema().field(definition.partitionKey()).type() == FieldType.SYMBOL;
                final EventFileSink sink = EventFileSink.open(file, format, probe.outputSchema(),
                    definition.window() != null && definition.window().emitsNonFinal(), symbolKey ? (partition, key) -> symbolKeys.get(key) : null);
                sinks.put(definition, sink);
                outputs.add(file);
                pipelines.add(definition.build(sink));
            }
            summary = replay(pipelines, inputs, options, symbolKeys, outputs);
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        for (final EventFileSink sink : sinks.values())
        {
            try
            {
                sink.close();
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = new BacktestException("output " + sink.file() + " failed: " + ex.getMessage(), ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
        return summary;
    }

    /**
     * Replays the inputs through pipelines that carry their own sinks (Java DSL pipelines, tests).
     *
     * @param pipelines to run; they must read one topic with one schema, key and event-time field.
     * @param inputs    CSV or JSONL files, read one after another in this order.
     * @param options   of the run (output settings are ignored).
     * @return the counts.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed.
     */
    public static BacktestSummary replay(final List<Pipeline> pipelines, final List<Path> inputs, final BacktestOptions options)
    {
        options.conclude();
        return replay(pipelines, List.of(new ReplayPlan.TopicInput(null, List.copyOf(inputs))), options, null, List.of());
    }

    /**
     * Replays one input file per source topic, merged by event time (see the class comment), through
     * pipelines that carry their own sinks (Java DSL pipelines, joins, tests).
     *
     * @param pipelines     to run; pipelines reading the same topic must agree on its schema, key, time and kind.
     * @param inputsByTopic CSV or JSONL file of each source topic, in the order that breaks ties of event time.
     * @param options       of the run (output settings are ignored).
     * @return the counts.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed or a topic has no input.
     */
    public static BacktestSummary replay(
        final List<Pipeline> pipelines, final Map<String, Path> inputsByTopic, final BacktestOptions options)
    {
        options.conclude();
        return replay(pipelines, byTopic(inputsByTopic), options, null, List.of());
    }

    /**
     * Replays events held in memory, one {@link EventSource} per source topic, merged by event time
     * exactly as input files are (ties to the topic given first, see the class comment), through
     * pipelines that carry their own sinks.
     *
     * @param pipelines      to run; pipelines reading the same topic must agree on its schema, key, time and kind.
     * @param eventsByTopic  events of each source topic, in the order that breaks ties of event time.
     * @param options        of the run (output and malformed-input settings are ignored).
     * @return the counts (no input files are listed).
     * @throws BacktestException if the pipelines cannot be replayed or a topic has no events.
     */
    public static BacktestSummary replayEvents(
        final List<Pipeline> pipelines, final Map<String, EventSource> eventsByTopic, final BacktestOptions options)
    {
        options.conclude();
        if (eventsByTopic.isEmpty())
        {
            throw new BacktestException("no inputs: give the events of each source topic");
        }
        final List<ReplayPlan.TopicInput> inputs = new ArrayList<>();
        for (final Map.Entry<String, EventSource> entry : eventsByTopic.entrySet())
        {
            inputs.add(new ReplayPlan.TopicInput(entry.getKey(), List.of(), entry.getValue(), null));
        }
        return replay(pipelines, inputs, options, null, List.of());
    }

    /**
     * Replays events held in memory as columns, one {@link ColumnarEventSource} per source topic, exactly as
     * {@link #replayEvents} replays the same events (the same results in the same order, the same counts). When
     * one pipeline reads one topic and its first stage is a window the columnar kernel runs (tumbling, sliding or
     * hopping, an overlapping window spanning at most 16 panes of {@code gcd(size, hop)}; counts and sums, minima, maxima and averages of long fields; no allowed lateness,
     * no early results), each batch of columns goes to that window whole, whose state is laid out for it: the
     * fast path of a backtest. Otherwise the columns are read event by event.
     *
     * @param pipelines      to run; pipelines reading the same topic must agree on its schema, key, time and kind.
     * @param columnsByTopic events of each source topic, in the order that breaks ties of event time; every field
     *                       of each topic's schema LONG or TIMESTAMP.
     * @param options        of the run (output and malformed-input settings are ignored).
     * @return the counts (no input files are listed).
     * @throws BacktestException if the pipelines cannot be replayed, a topic has no events, or a topic's schema has a
     *                           field that is neither LONG nor TIMESTAMP.
     */
    public static BacktestSummary replayColumns(
        final List<Pipeline> pipelines, final Map<String, ColumnarEventSource> columnsByTopic, final BacktestOptions options)
    {
        options.conclude();
        if (columnsByTopic.isEmpty())
        {
            throw new BacktestException("no inputs: give the events of each source topic");
        }
        final List<ReplayPlan.TopicInput> inputs = new ArrayList<>();
        for (final Map.Entry<String, ColumnarEventSource> entry : columnsByTopic.entrySet())
        {
            inputs.add(new ReplayPlan.TopicInput(entry.getKey(), List.of(), null, entry.getValue()));
        }
        return replay(pipelines, inputs, options, null, List.of());
    }

    private static List<ReplayPlan.TopicInput> byTopic(final Map<String, Path> inputsByTopic)
    {
        if (inputsByTopic.isEmpty())
        {
            throw new BacktestException("no inputs: give one file per source topic");
        }
        final List<ReplayPlan.TopicInput> inputs = new ArrayList<>();
        for (final Map.Entry<String, Path> entry : inputsByTopic.entrySet())
        {
            inputs.add(new ReplayPlan.TopicInput(entry.getKey(), List.of(entry.getValue())));
        }
        return inputs;
    }

    private static BacktestSummary replay(
        final List<Pipeline> pipelines,
        final List<ReplayPlan.TopicInput> inputs,
        final BacktestOptions options,
        final Long2ObjectHashMap<String> symbolKeys,
        final List<Path> outputs)
    {
        final Map<String, Source> topics = ReplayPlan.topics(pipelines);
        final int partitions = options.partitions();
        final List<String> errors = new ArrayList<>();
        final long[] stageErrors = new long[pipelines.size()];
        final PipelineInstance[][] instances = new PipelineInstance[partitions][pipelines.size()];
        // One pipeline over one topic of long fields may take its events as columns (PipelineInstance#takesColumns).
        final boolean columnsFit = options.columnarWindows() && pipelines.size() == 1 && inputs.size() == 1 && topics.size() == 1 &&
            EventColumns.unfitField(topics.values().iterator().next().schema()) == null;
        for (int i = 0; i < pipelines.size(); i++)
        {
            final int pipelineIndex = i;
            final StageErrorHandler handler = (pipeline, stage, policy, event, key, timestamp, error) ->
            {
                stageErrors[pipelineIndex]++;
                record(errors, "pipeline '" + pipeline + "' " + stage + " [" + policy + "] failed on key " + key + " at " + timestamp +
                    ": " + error);
            };
            for (int p = 0; p < partitions; p++)
            {
                instances[p][i] = columnsFit ? PipelineInstance.createColumnar(pipelines.get(i), p, handler) :
                    PipelineInstance.create(pipelines.get(i), p, handler);
            }
        }

        final List<ReplayPlan.TopicInput> resolved = ReplayPlan.resolve(inputs, topics);
        final List<String> readerTopics = new ArrayList<>();
        for (final ReplayPlan.TopicInput input : resolved)
        {
            readerTopics.add(input.topic());
        }
        // The live engine's routing and dispatcher: each reader is a source, as a topic is in a source group.
        final int[][] routing = PartitionDispatcher.inputs(pipelines, readerTopics);
        final PartitionDispatcher[] dispatchers = new PartitionDispatcher[partitions];
        for (int p = 0; p < partitions; p++)
        {
            dispatchers[p] = new PartitionDispatcher(instances[p], routing);
        }
        final ReplayPlan.Reader[] readers = new ReplayPlan.Reader[resolved.size()];
        final List<BacktestSummary.Input> inputCounts = new ArrayList<>();
        try
        {
            for (int r = 0; r < readers.length; r++)
            {
                final ReplayPlan.TopicInput input = resolved.get(r);
                readers[r] = new ReplayPlan.Reader(input, topics.get(input.topic()), options.malformedInput(), symbolKeys);
            }
            if (columnsFit && takeColumns(instances))
            {
                final ReplayPlan.TopicInput input = resolved.get(0);
                final Source source = topics.get(input.topic());
                new ColumnarReplay(input.columns() != null ? input.columns() : new ReaderColumns(readers[0]),
                    ReplayPlan.Reader.columns(source, ColumnarReplay.BATCH_EVENTS), column(instances), source.partitionKeyField(),
                    input.topic()).run();
            }
            else
            {
                new ReplayLoop(readers, dispatchers).run();
            }
        }
        finally
        {
            for (final ReplayPlan.Reader reader : readers)
            {
                if (reader != null)
                {
                    reader.close();
                    for (final String error : reader.errors())
                    {
                        record(errors, error);
                    }
                    inputCounts.addAll(reader.counts());
                }
            }
        }
        for (final PartitionDispatcher dispatcher : dispatchers)
        {
            dispatcher.onEndOfInput();
            // One thread, one turn: a sink that stages its outputs publishes them all now.
            dispatcher.onTurnEnd();
        }
        return new BacktestSummary(inputCounts, counts(pipelines, instances, stageErrors), outputs, errors);
    }

    private static boolean takeColumns(final PipelineInstance[][] instances)
    {
        for (final PipelineInstance[] partition : instances)
        {
            if (!partition[0].takesColumns())
            {
                return false;
            }
        }
        return true;
    }

    private static PipelineInstance[] column(final PipelineInstance[][] instances)
    {
        final PipelineInstance[] first = new PipelineInstance[instances.length];
        for (int p = 0; p < instances.length; p++)
        {
            first[p] = instances[p][0];
        }
        return first;
    }

    private static List<BacktestSummary.PipelineCounts> counts(
        final List<Pipeline> pipelines, final PipelineInstance[][] instances, final long[] stageErrors)
    {
        final List<BacktestSummary.PipelineCounts> counts = new ArrayList<>();
        for (int i = 0; i < pipelines.size(); i++)
        {
            long in = 0;
            long out = 0;
            long late = 0;
            long unassigned = 0;
            int halted = 0;
            long suppressed = 0;
            for (final PipelineInstance[] partition : instances)
            {
                final PipelineInstance instance = partition[i];
                suppressed += instance.suppressedOutputs();
                in += instance.eventsIn();
                out += instance.outputs();
                late += instance.lateEvents();
                unassigned += instance.unassignedEvents();
                halted += instance.state() == PipelineInstance.HALTED ? 1 : 0;
            }
            counts.add(new BacktestSummary.PipelineCounts(pipelines.get(i).name(), in, out, late, unassigned, stageErrors[i], halted,
                suppressed));
        }
        return counts;
    }

    private static Path perPipeline(final Path output, final String pipeline)
    {
        final String name = String.valueOf(output.getFileName());
        final int dot = name.lastIndexOf('.');
        final String file = dot < 0 ? name + "." + pipeline : name.substring(0, dot) + "." + pipeline + name.substring(dot);
        return output.resolveSibling(file);
    }

    static void record(final List<String> errors, final String error)
    {
        if (errors.size() < MAX_RECORDED_ERRORS)
        {
            errors.add(error);
        }
    }
}
