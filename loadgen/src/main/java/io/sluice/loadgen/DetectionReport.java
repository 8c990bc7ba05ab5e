package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares the alerts a run produced with the patterns its scenario injected: per kind, how many
 * patterns were detected (some alert of the kind on the pattern's key overlaps its event-time span)
 * and missed, and how many alerts matched no injected pattern (false alerts). Overlapping sliding
 * windows alert several times for one pattern; those count once as a detection, never as false.
 *
 * @param kinds per kind of pattern or alert, its counts, in order of first appearance.
 */
public record DetectionReport(Map<String, KindCounts> kinds)
{
    /**
     * Counts of one kind.
     *
     * @param injected    patterns of the kind.
     * @param detected    patterns with at least one matching alert.
     * @param alerts      alerts of the kind.
     * @param falseAlerts alerts of the kind that match no injected pattern.
     * @param falseKeys   distinct keys among the false alerts.
     */
    public record KindCounts(int injected, int detected, int alerts, int falseAlerts, int falseKeys)
    {
        /**
         * Injected patterns no alert found.
         *
         * @return injected minus detected.
         */
        public int missed()
        {
            return injected - detected;
        }
    }

    /**
     * Evaluates a run.
     *
     * @param patterns the scenario injected.
     * @param alerts   the pipelines emitted.
     * @return the per-kind report.
     */
    public static DetectionReport evaluate(final List<InjectedPattern> patterns, final List<Alert> alerts)
    {
        final Set<String> names = new LinkedHashSet<>();
        patterns.forEach(p -> names.add(p.kind()));
        alerts.forEach(a -> names.add(a.kind()));
        final Map<String, KindCounts> kinds = new LinkedHashMap<>();
        for (final String name : names)
        {
            int injected = 0;
            int detected = 0;
            for (final InjectedPattern pattern : patterns)
            {
                if (pattern.kind().equals(name))
                {
                    injected++;
                    if (alerts.stream().anyMatch(pattern::matches))
                    {
                        detected++;
                    }
                }
            }
            int count = 0;
            int falseAlerts = 0;
            final Set<Long> falseKeys = new LinkedHashSet<>();
            for (final Alert alert : alerts)
            {
                if (alert.kind().equals(name))
                {
                    count++;
                    if (patterns.stream().noneMatch(p -> p.matches(alert)))
                    {
                        falseAlerts++;
                        falseKeys.add(alert.key());
                    }
                }
            }
            kinds.put(name, new KindCounts(injected, detected, count, falseAlerts, falseKeys.size()));
        }
        return new DetectionReport(kinds);
    }

    /**
     * Patterns injected over all kinds.
     *
     * @return the total.
     */
    public int injected()
    {
        return kinds.values().stream().mapToInt(KindCounts::injected).sum();
    }

    /**
     * Patterns detected over all kinds.
     *
     * @return the total.
     */
    public int detected()
    {
        return kinds.values().stream().mapToInt(KindCounts::detected).sum();
    }

    /**
     * False alerts over all kinds.
     *
     * @return the total.
     */
    public int falseAlerts()
    {
        return kinds.values().stream().mapToInt(KindCounts::falseAlerts).sum();
    }

    /**
     * One line per kind and a total, for a summary.
     *
     * @return the lines.
     */
    public List<String> lines()
    {
        final List<String> lines = new ArrayList<>();
        for (final String kind : kinds.keySet())
        {
            lines.add(line(kind));
        }
        lines.add(totalLine());
        return lines;
    }

    /**
     * The line of one kind, zeros if the run had neither patterns nor alerts of it.
     *
     * @param kind of pattern and alert.
     * @return the line.
     */
    public String line(final String kind)
    {
        final KindCounts c = kinds.getOrDefault(kind, new KindCounts(0, 0, 0, 0, 0));
        return String.format(Locale.ROOT, "%-18s detected %3d of %3d injected, missed %3d, false alerts %3d " +
            "(%d alerts in all)", kind, c.detected(), c.injected(), c.missed(), c.falseAlerts(), c.alerts());
    }

    /**
     * The line of all kinds together.
     *
     * @return the line.
     */
    public String totalLine()
    {
        return String.format(Locale.ROOT, "%-18s detected %3d of %3d injected, missed %3d, false alerts %3d",
            "all", detected(), injected(), injected() - detected(), falseAlerts());
    }

    /**
     * Counts of one kind.
     *
     * @param kind of pattern and alert.
     * @return the counts, zeros if the run had neither patterns nor alerts of it.
     */
    public KindCounts counts(final String kind)
    {
        return kinds.getOrDefault(kind, new KindCounts(0, 0, 0, 0, 0));
    }
}
