package io.sluice.engine.io;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link Backtest} run did: per input file and per pipeline, with the output files.
 *
 * @param inputs    per input file, in the order read.
 * @param pipelines per pipeline, in declaration order.
 * @param outputs   files written, one per pipeline (empty for {@link Backtest#replay}).
 * @param errors    the first recorded messages of malformed lines and stage failures.
 */
public record BacktestSummary(List<Input> inputs, List<PipelineCounts> pipelines, List<Path> outputs, List<String> errors)
{
    /**
     * Counts of one input file.
     *
     * @param file      read.
     * @param lines     read, including header and blank lines.
     * @param events    decoded and processed.
     * @param malformed lines refused.
     */
    public record Input(Path file, long lines, long events, long malformed)
    {
    }

    /**
     * Counts of one pipeline over all partitions.
     *
     * @param name             of the pipeline.
     * @param eventsIn         processed.
     * @param outputs          delivered to the sink.
     * @param lateEvents       later than the allowed lateness (late side output).
     * @param unassignedEvents in gaps of hopping windows.
     * @param stageErrors      failures of stages (skipped, dead-lettered or halting).
     * @param haltedPartitions whose instance halted under the HALT policy.
     * @param suppressedOutputs dropped by the pipeline's alert suppression ({@code suppress:}), 0 without one.
     */
    public record PipelineCounts(
        String name, long eventsIn, long outputs, long lateEvents, long unassignedEvents, long stageErrors, int haltedPartitions,
        long suppressedOutputs)
    {
    }

    /**
     * Events decoded from every input.
     *
     * @return the total.
     */
    public long events()
    {
        return inputs.stream().mapToLong(Input::events).sum();
    }

    /**
     * Malformed lines in every input.
     *
     * @return the total.
     */
    public long malformed()
    {
        return inputs.stream().mapToLong(Input::malformed).sum();
    }

    /**
     * Outputs of every pipeline.
     *
     * @return the total.
     */
    public long outputCount()
    {
        return pipelines.stream().mapToLong(PipelineCounts::outputs).sum();
    }

    /**
     * A report for people, one line per input and per pipeline, then the recorded errors.
     *
     * @return the report.
     */
    public String report()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Input input : inputs)
        {
            sb.append("input ").append(input.file()).append(": ").append(input.events()).append(" events, ")
                .append(input.malformed()).append(" malformed lines of ").append(input.lines()).append('\n');
        }
        for (final PipelineCounts p : pipelines)
        {
            sb.append("pipeline ").append(p.name()).append(": ").append(p.eventsIn()).append(" in, ").append(p.outputs())
                .append(" out, ").append(p.suppressedOutputs()).append(" suppressed, ").append(p.lateEvents()).append(" late, ").append(p.unassignedEvents()).append(" unassigned, ")
                .append(p.stageErrors()).append(" stage errors, ").append(p.haltedPartitions()).append(" halted partitions\n");
        }
        for (final Path output : outputs)
        {
            sb.append("output ").append(output).append('\n');
        }
        for (final String error : errors)
        {
            sb.append("error: ").append(error).append('\n');
        }
        return sb.toString();
    }
}
