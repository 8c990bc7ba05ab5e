package io.sluice.perf;

import java.util.List;

/**
 * What one step of the suite ({@link SuiteMain}) did: how it was started, the machine's load around it,
 * what it printed and the figures read from that output.
 *
 * @param title      of the step in the report.
 * @param command    that ran the step, as a shell would take it.
 * @param startedAt  wall-clock time the step started, ISO-8601 UTC.
 * @param seconds    the step took, including the child JVM's start-up.
 * @param loadBefore {@code /proc/loadavg} (1, 5, 15 min) just before the step.
 * @param loadAfter  {@code /proc/loadavg} just after the step.
 * @param status     "ok", or why the step failed (exit code, time-out, exception).
 * @param output     everything the step printed (stdout and stderr interleaved), verbatim.
 * @param figures    read from the output by the step's parser.
 */
public record SuiteStep(
    String title,
    String command,
    String startedAt,
    double seconds,
    String loadBefore,
    String loadAfter,
    String status,
    List<String> output,
    List<SuiteFigure> figures)
{
    /**
     * Whether the step ran to completion.
     *
     * @return true if the child exited with 0 (or JMH returned its results).
     */
    public boolean ok()
    {
        return "ok".equals(status);
    }
}
