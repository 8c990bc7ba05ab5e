package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link DetectionReport#evaluate} kept up to date as alerts arrive: each alert is compared with the
 * injected patterns once, when it is first seen, instead of every alert against every pattern each time
 * (the demo's once-a-second progress line did that on the sender's cpu: 1.5-6 ms of CPU a second,
 * growing with the alerts). {@link #report()} is what {@code evaluate(patterns, alerts seen)} returns.
 *
 * <p>Threading: one thread.
 */
public final class DetectionTally
{
    private final List<InjectedPattern> patterns;
    private final boolean[] detected;
    /** Per kind, in order of first appearance (the patterns' kinds, then new alert kinds): its running counts. */
    private final Map<String, Counts> kinds = new LinkedHashMap<>();
    private int seen;

    /**
     * @param patterns the scenario injected.
     */
    public DetectionTally(final List<InjectedPattern> patterns)
    {
        this.patterns = List.copyOf(patterns);
        this.detected = new boolean[this.patterns.size()];
        for (final InjectedPattern pattern : this.patterns)
        {
            kinds.computeIfAbsent(pattern.kind(), k -> new Counts()).injected++;
        }
    }

    /**
     * Counts the alerts of a growing list not seen before.
     *
     * @param alerts every alert so far, in the order they came (the earlier ones as given before).
     * @return this.
     */
    public DetectionTally update(final List<Alert> alerts)
    {
        for (int i = seen; i < alerts.size(); i++)
        {
            add(alerts.get(i));
        }
        seen = Math.max(seen, alerts.size());
        return this;
    }

    private void add(final Alert alert)
    {
        final Counts counts = kinds.computeIfAbsent(alert.kind(), k -> new Counts());
        counts.alerts++;
        boolean matched = false;
        for (int p = 0; p < detected.length; p++)
        {
            if (patterns.get(p).matches(alert))
            {
                matched = true;
                if (!detected[p])
                {
                    detected[p] = true;
                    kinds.get(patterns.get(p).kind()).detected++;
                }
            }
        }
        if (!matched)
        {
            counts.falseAlerts++;
            counts.falseKeys.add(alert.key());
        }
    }

    /**
     * The report of the alerts seen so far.
     *
     * @return the same as {@link DetectionReport#evaluate} of the patterns and those alerts.
     */
    public DetectionReport report()
    {
        final Map<String, DetectionReport.KindCounts> report = new LinkedHashMap<>();
        for (final Map.Entry<String, Counts> kind : kinds.entrySet())
        {
            final Counts c = kind.getValue();
            report.put(kind.getKey(), new DetectionReport.KindCounts(c.injected, c.detected, c.alerts, c.falseAlerts, c.falseKeys.size()));
        }
        return new DetectionReport(report);
    }

    private static final class Counts
    {
        int injected;
        int detected;
        int alerts;
        int falseAlerts;
        final Set<Long> falseKeys = new HashSet<>();
    }
}
