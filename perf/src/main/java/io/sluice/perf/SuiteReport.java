package io.sluice.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the suite's Markdown report: machine, summary table (figure, same-run baseline, ratio, target,
 * met / not met), then each step with its exact command, load average before and after, duration and its
 * output verbatim. Everything in it comes from the steps' outputs and the machine, as read at run time.
 */
final class SuiteReport
{
    private SuiteReport()
    {
    }

    /**
     * Writes the report.
     *
     * @param file       to write.
     * @param command    that started the suite.
     * @param mode       "quick" or "full".
     * @param machine    lines from {@link Machine#describe()} and the suite's additions.
     * @param startedAt  wall-clock start, ISO-8601 UTC.
     * @param endedAt    wall-clock end, ISO-8601 UTC.
     * @param seconds    the whole suite took.
     * @param steps      in the order they ran.
     * @throws IOException if the file cannot be written.
     */
    static void write(
        final Path file, final String command, final String mode, final List<String> machine, final String startedAt,
        final String endedAt, final double seconds, final List<SuiteStep> steps) throws IOException
    {
        final List<String> md = new ArrayList<>();
        md.add("# Sluice benchmark suite report (" + mode + " mode)");
        md.add("");
        md.add("Written by `io.sluice.perf.SuiteMain` from what each step printed; nothing in it is typed in by hand.");
        md.add(String.format(Locale.ROOT, "Run %s to %s (%.1f min). Command (from the repository root):", startedAt, endedAt,
            seconds / 60));
        md.add("");
        md.add("```");
        md.add(command);
        md.add("```");
        md.add("");
        md.add("## Machine");
        md.add("");
        md.addAll(machine);
        md.add("- Load average (1/5/15 min) before the first step: " + (steps.isEmpty() ? "-" : steps.get(0).loadBefore()) +
            "; after the last: " + (steps.isEmpty() ? "-" : steps.get(steps.size() - 1).loadAfter()) +
            ". The machine is shared: read the ratios (baseline measured in the same run), not the absolute figures.");
        md.add("");
        md.add("## Summary: each figure against its same-run baseline and the performance target");
        md.add("");
        md.add("| Step | Figure | Measured | Same-run baseline | Ratio | Target | Verdict |");
        md.add("|---|---|---|---|---|---|---|");
        int index = 1;
        for (final SuiteStep step : steps)
        {
            if (!step.ok() && step.figures().isEmpty())
            {
                md.add("| " + index + " | " + cell(step.title()) + " | " + cell(step.status()) + " | - | - | - | " +
                    SuiteFigure.FAILED + " |");
            }
            for (final SuiteFigure f : step.figures())
            {
                md.add("| " + index + " | " + cell(f.what()) + " | " + cell(f.measured()) + " | " + cell(f.baseline()) + " | " +
                    cell(f.ratio()) + " | " + cell(f.target()) + " | " + (step.ok() ? f.verdict() : SuiteFigure.FAILED) + " |");
            }
            index++;
        }
        md.add("");
        md.add("## Steps");
        index = 1;
        for (final SuiteStep step : steps)
        {
            md.add("");
            md.add("### " + index++ + ". " + step.title());
            md.add("");
            md.add(String.format(Locale.ROOT, "- Started %s, took %.1f s, status: %s", step.startedAt(), step.seconds(),
                step.status()));
            md.add("- Load average (1/5/15 min): before " + step.loadBefore() + ", after " + step.loadAfter());
            md.add("- Command:");
            md.add("");
            md.add("```");
            md.add(step.command());
            md.add("```");
            md.add("");
            md.add("Output:");
            md.add("");
            md.add("```");
            md.addAll(step.output());
            md.add("```");
        }
        md.add("");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, md, StandardCharsets.UTF_8);
    }

    private static String cell(final String text)
    {
        return text.replace("|", "\\|");
    }
}
