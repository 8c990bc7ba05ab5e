package io.sluice.ops.stat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard shipped in docs/grafana/sluice-dashboard.json, read as text: the metric names
 * its PromQL queries select. Test support.
 */
public final class GrafanaDashboard
{
    /** Where the dashboard lives, relative to the repository root. */
    public static final String FILE = "docs/grafana/sluice-dashboard.json";

    private static final Pattern QUERY = Pattern.compile("\"(?:expr|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METRIC = Pattern.compile("\\b((?:sluice|jvm|process)_[A-Za-z0-9_]+)\\b(?!\\s*(?:=|!=|=~|!~))");

    private GrafanaDashboard()
    {
    }

    /**
     * The dashboard's file, found from the module's directory (the build runs tests there).
     *
     * @return the path.
     */
    public static Path file()
    {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent().resolve(FILE);
    }

    /**
     * Every metric name the dashboard's queries and variables select (label names excluded).
     *
     * @return the names.
     * @throws IOException if the file cannot be read.
     */
    public static Set<String> metricNames() throws IOException
    {
        final String json = Files.readString(file(), StandardCharsets.UTF_8);
        final Set<String> names = new TreeSet<>();
        final Matcher query = QUERY.matcher(json);
        while (query.find())
        {
            final Matcher metric = METRIC.matcher(query.group(1));
            while (metric.find())
            {
                names.add(metric.group(1));
            }
        }
        return names;
    }
}
