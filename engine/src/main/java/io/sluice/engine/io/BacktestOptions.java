package io.sluice.engine.io;

import java.util.List;

/**
 * Settings of a {@link Backtest} run, with fluent setters and one {@link #conclude()} that validates
 * them. Defaults: 4 partitions (the engine's default, so keys group as they do live), stop on the
 * first malformed line, every pipeline of the file, output format from the output file's extension, the
 * columnar window kernel where it applies.
 */
public final class BacktestOptions
{
    private int partitions = 4;
    private boolean columnarWindows = true;
    private MalformedInputPolicy malformedInput = MalformedInputPolicy.STOP;
    private List<String> pipelines = List.of();
    private FileFormat outputFormat;

    /**
     * Number of partitions to route keys to; must equal the live engine's for identical outputs.
     *
     * @param partitions in [1, 1024].
     * @return this.
     */
    public BacktestOptions partitions(final int partitions)
    {
        this.partitions = partitions;
        return this;
    }

    /**
     * The partition count.
     *
     * @return the count.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Whether a pipeline that runs alone over one topic of LONG and TIMESTAMP fields, and whose first stage is a
     * window the columnar kernel runs (tumbling, sliding or hopping, an overlapping window spanning at most 16 panes of
     * {@code gcd(size, hop)}; counts and sums, minima, maxima and averages of long fields; no allowed lateness or early results), takes its events as columns into that
     * kernel (default true): the same outputs and counts, in less time. False reads every event one by one through
     * the window operator the live engine runs.
     *
     * @param columnarWindows whether to use the columnar kernel where it applies.
     * @return this.
     */
    public BacktestOptions columnarWindows(final boolean columnarWindows)
    {
        this.columnarWindows = columnarWindows;
        return this;
    }

    /**
     * Whether the columnar window kernel runs where it applies.
     *
     * @return the setting.
     */
    public boolean columnarWindows()
    {
        return columnarWindows;
    }

    /**
     * What to do with a line that cannot be decoded.
     *
     * @param malformedInput STOP the run or SKIP the line (it is counted either way).
     * @return this.
     */
    public BacktestOptions malformedInput(final MalformedInputPolicy malformedInput)
    {
        this.malformedInput = malformedInput;
        return this;
    }

    /**
     * The malformed-line policy.
     *
     * @return the policy.
     */
    public MalformedInputPolicy malformedInput()
    {
        return malformedInput;
    }

    /**
     * Runs only the named pipelines of the file (they must read one topic).
     *
     * @param pipelines names; empty for all.
     * @return this.
     */
    public BacktestOptions pipelines(final List<String> pipelines)
    {
        this.pipelines = List.copyOf(pipelines);
        return this;
    }

    /**
     * The selected pipeline names.
     *
     * @return the names, empty for all.
     */
    public List<String> pipelines()
    {
        return pipelines;
    }

    /**
     * Forces the output format instead of taking it from the output file's extension.
     *
     * @param outputFormat CSV, JSONL, or null for the extension's.
     * @return this.
     */
    public BacktestOptions outputFormat(final FileFormat outputFormat)
    {
        this.outputFormat = outputFormat;
        return this;
    }

    /**
     * The forced output format.
     *
     * @return the format, or null.
     */
    public FileFormat outputFormat()
    {
        return outputFormat;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting.
     */
    public BacktestOptions conclude()
    {
        if (partitions < 1 || partitions > 1024)
        {
            throw new IllegalArgumentException("backtest setting 'partitions' must be in [1, 1024], was " + partitions);
        }
        if (malformedInput == null)
        {
            throw new IllegalArgumentException("backtest setting 'malformedInput' is required");
        }
        return this;
    }
}
