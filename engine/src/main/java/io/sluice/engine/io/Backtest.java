package io.sluice.engine.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.PipelineHaltedException;
import io.sluice.engine.pipeline.PipelineInstance;
import io.sluice.engine.pipeline.StageErrorHandler;
import io.sluice.engine.schema.EventFlyweight;
import io.sluice.engine.schema.FieldType;
import io.sluice.engine.schema.Schema;
import io.sluice.journal.Topic;

/**
 * Replays files through pipelines at full speed in event time, on the calling thread, without rings,
 * threads or a journal. Each event goes, in file order (files in the order given), to the instance of
 * the partition its key hashes to ({@link Topic#partitionFor}, as the live publisher routes it); at
 * the end every instance gets {@link PipelineInstance#onEndOfInput()}, partition by partition, so
 * every open window is emitted (Flink's bounded-input semantics). Per partition this is exactly the
 * sequence of calls the live engine makes for the same events, so the outputs are the same; and the
 * order of all outputs is a function of the input alone, so two runs write byte-identical files.
 *
 * <pre>{@code
 *   BacktestSummary summary = Backtest.run(Path.of("pipelines.yaml"), List.of(Path.of("trades.csv")),
 *       Path.of("out.csv"), new BacktestOptions().malformedInput(MalformedInputPolicy.SKIP));
 *   System.out.print(summary.report());
 * }</pre>
 *
 * <p>Only event-time pipelines can be replayed (processing time has no journaled clock in a file);
 * idle timeouts are moot (all partitions end together). Pipelines run together must read one topic:
 * the input files carry no topic. Stage failures follow each stage's policy: SKIP and DEAD_LETTER
 * are counted (a backtest has no dead-letter topic), HALT stops that partition's instance.
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
     * {@code <output name>.<pipeline>.<extension>} beside it.
     *
     * @param pipelineYaml configuration declaring the pipelines.
     * @param inputs       CSV or JSONL files of the pipelines' input schema, read in this order.
     * @param output       file to write (format from its extension unless the options force one).
     * @param options      of the run.
     * @return the counts.
     * @throws io.sluice.engine.config.ConfigException on any error in the pipeline file, before reading input.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed or an output fails.
     */
    public static BacktestSummary run(final Path pipelineYaml, final List<Path> inputs, final Path output, final BacktestOptions options)
    {
        options.conclude();
        final PipelineConfig config = PipelineConfig.load(pipelineYaml);
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
        for (final Path input : inputs)
        {
            if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize()))
            {
                throw new BacktestException("output " + output + " is also an input");
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
                    definition.window() != null && definition.window().emitsNonFinal(), symbolKey ? symbolKeys::get : null);
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
     * @param inputs    CSV or JSONL files, read in this order.
     * @param options   of the run (output settings are ignored).
     * @return the counts.
     * @throws MalformedInputException on a malformed line under {@link MalformedInputPolicy#STOP}.
     * @throws BacktestException       if the pipelines cannot be replayed.
     */
    public static BacktestSummary replay(final List<Pipeline> pipelines, final List<Path> inputs, final BacktestOptions options)
    {
        options.conclude();
        return replay(pipelines, inputs, options, null, List.of());
    }

    private static BacktestSummary replay(
        final List<Pipeline> pipelines,
        final List<Path> inputs,
        final BacktestOptions options,
        final Long2ObjectHashMap<String> symbolKeys,
        final List<Path> outputs)
    {
        final Pipeline first = checkReplayable(pipelines);
        final Schema schema = first.inputSchema();
        final int partitions = options.partitions();
        final int keyField = first.partitionKeyField();
        final boolean keyIsSymbol = schema.field(keyField).type() == FieldType.SYMBOL;
        final int timeField = first.eventTimeField();
        final List<String> errors = new ArrayList<>();
        final long[] stageErrors = new long[pipelines.size()];
        final PipelineInstance[][] instances = new PipelineInstance[partitions][pipelines.size()];
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
                instances[p][i] = pipelines.get(i).newInstance(p, handler);
            }
        }

        final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
        final List<BacktestSummary.Input> inputCounts = new ArrayList<>();
        final StringBuilder symbol = new StringBuilder();
        for (final Path input : inputs)
        {
            try (EventFileSource source = EventFileSource.open(input, schema, options.malformedInput()))
            {
                try
                {
                    while (source.next(event))
                    {
                        final long key = keyIsSymbol ? event.symbolHash(keyField) : event.longValue(keyField);
                        if (keyIsSymbol && symbolKeys != null && !symbolKeys.containsKey(key))
                        {
                            symbol.setLength(0);
                            symbolKeys.put(key, event.getSymbol(keyField, symbol).toString());
                        }
                        final long timestamp = event.getLong(timeField);
                        final PipelineInstance[] forPartition = instances[Topic.partitionFor(key, partitions)];
                        for (final PipelineInstance instance : forPartition)
                        {
                            deliver(instance, event, key, timestamp);
                        }
                    }
                }
                finally
                {
                    for (final String error : source.errors())
                    {
                        record(errors, error);
                    }
                    inputCounts.add(new BacktestSummary.Input(input, source.lines(), source.events(), source.malformed()));
                }
            }
        }
        for (int p = 0; p < partitions; p++)
        {
            for (final PipelineInstance instance : instances[p])
            {
                instance.onEndOfInput();
            }
        }
        return new BacktestSummary(inputCounts, counts(pipelines, instances, stageErrors), outputs, errors);
    }

    private static void deliver(final PipelineInstance instance, final EventFlyweight event, final long key, final long timestamp)
    {
        if (instance.state() == PipelineInstance.RUNNING)
        {
            try
            {
                instance.onEvent(event.buffer(), event.offset(), key, timestamp);
            }
            catch (final PipelineHaltedException ex)
            {
                // Visible as the instance's state and in the summary's halted partitions.
            }
        }
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
            for (final PipelineInstance[] partition : instances)
            {
                final PipelineInstance instance = partition[i];
                in += instance.eventsIn();
                out += instance.outputs();
                late += instance.lateEvents();
                unassigned += instance.unassignedEvents();
                halted += instance.state() == PipelineInstance.HALTED ? 1 : 0;
            }
            counts.add(new BacktestSummary.PipelineCounts(pipelines.get(i).name(), in, out, late, unassigned, stageErrors[i], halted));
        }
        return counts;
    }

    private static Pipeline checkReplayable(final List<Pipeline> pipelines)
    {
        if (pipelines.isEmpty())
        {
            throw new BacktestException("no pipelines to replay");
        }
        final Pipeline first = pipelines.get(0);
        for (final Pipeline pipeline : pipelines)
        {
            if (pipeline.eventTimeField() < 0)
            {
                throw new BacktestException("pipeline '" + pipeline.name() + "' runs in processing time, which a file cannot replay " +
                    "deterministically; declare event_time");
            }
            if (!pipeline.sourceTopic().equals(first.sourceTopic()) ||
                !pipeline.inputSchema().describeLayout().equals(first.inputSchema().describeLayout()) ||
                pipeline.partitionKeyField() != first.partitionKeyField() || pipeline.eventTimeField() != first.eventTimeField())
            {
                throw new BacktestException("pipelines '" + first.name() + "' and '" + pipeline.name() + "' read different topics, " +
                    "schemas, keys or time fields; input files carry no topic, so select pipelines of one topic");
            }
        }
        return first;
    }

    private static Path perPipeline(final Path output, final String pipeline)
    {
        final String name = String.valueOf(output.getFileName());
        final int dot = name.lastIndexOf('.');
        final String file = dot < 0 ? name + "." + pipeline : name.substring(0, dot) + "." + pipeline + name.substring(dot);
        return output.resolveSibling(file);
    }

    private static void record(final List<String> errors, final String error)
    {
        if (errors.size() < MAX_RECORDED_ERRORS)
        {
            errors.add(error);
        }
    }
}
