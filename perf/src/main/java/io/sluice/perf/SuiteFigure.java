package io.sluice.perf;

/**
 * One line of the suite report's summary: a measured figure beside the baseline it is compared with in
 * the same run, the ratio, the performance target and whether the figure meets it. Every text is built by
 * a parser from what a benchmark printed; nothing here is typed in by hand.
 *
 * @param what     is measured, with the conditions that matter (payload, wait strategy, sizes).
 * @param measured value with its unit.
 * @param baseline the same-run baseline with its value, or why there is none.
 * @param ratio    measured / baseline (or the ratio the target is written in), with its spread.
 * @param target   the performance target, or "none (reference)".
 * @param verdict  {@link #MET}, {@link #NOT_MET}, {@link #NO_TARGET} or {@link #FAILED}.
 */
public record SuiteFigure(String what, String measured, String baseline, String ratio, String target, String verdict)
{
    /** The figure meets its target. */
    public static final String MET = "**met**";
    /** The figure does not meet its target. */
    public static final String NOT_MET = "**not met**";
    /** The figure is a reference without a target of its own. */
    public static final String NO_TARGET = "n/a";
    /** The step failed or its output could not be read: nothing is claimed. */
    public static final String FAILED = "**failed**";

    /**
     * The verdict for a condition.
     *
     * @param met whether the target is met.
     * @return {@link #MET} or {@link #NOT_MET}.
     */
    public static String verdict(final boolean met)
    {
        return met ? MET : NOT_MET;
    }

    /**
     * A figure for a step whose output did not contain what its parser looks for.
     *
     * @param what   was to be measured.
     * @param target the performance target.
     * @param why    the figure is missing.
     * @return the figure, with verdict {@link #FAILED}.
     */
    public static SuiteFigure missing(final String what, final String target, final String why)
    {
        return new SuiteFigure(what, "missing: " + why, "-", "-", target, FAILED);
    }
}
