package io.sluice.ops.stat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A scrape of a real /metrics endpoint over HTTP, parsed by the official Prometheus parser (the Python
 * client's {@code text_string_to_metric_families}, from Debian's python3-prometheus-client, run as
 * {@code /usr/bin/python3}; .ci/run installs it). Test support shared by the endpoint's and the
 * daemon's tests.
 *
 * @param text     as served.
 * @param families by name, in the order the parser returned them.
 * @param groups   families in the order the parser returned them, repeated names included.
 */
public record PrometheusScrape(String text, Map<String, Family> families, List<String> groups)
{
    /** The Python interpreter that has Debian's prometheus_client. */
    public static final String PYTHON = "/usr/bin/python3";

    /**
     * One metric family as the parser saw it.
     *
     * @param name    of the family (counters without {@code _total}).
     * @param type    as parsed: counter, gauge, summary, histogram, unknown...
     * @param help    text.
     * @param samples of the family.
     */
    public record Family(String name, String type, String help, List<Sample> samples)
    {
    }

    /**
     * One sample.
     *
     * @param name   of the sample ({@code _total}, {@code _count}, {@code _sum} included).
     * @param labels by name.
     * @param value  of the sample.
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    /**
     * Scrapes and parses.
     *
     * @param port  of the endpoint on 127.0.0.1.
     * @param tmp   a directory for the parser's input.
     * @return the scrape.
     * @throws Exception if the scrape or the parser fails.
     */
    public static PrometheusScrape scrape(final int port, final Path tmp) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return parse(response.body(), tmp);
    }

    /**
     * Parses a text exposition with the official parser.
     *
     * @param text to parse.
     * @param tmp  a directory for the parser's script.
     * @return the parsed families.
     * @throws Exception if the parser fails.
     */
    public static PrometheusScrape parse(final String text, final Path tmp) throws Exception
    {
        final Path script = tmp.resolve("prometheus_parse.py");
        try (InputStream in = PrometheusScrape.class.getResourceAsStream("/prometheus_parse.py"))
        {
            Files.write(script, in.readAllBytes());
        }
        final Process process = new ProcessBuilder(PYTHON, script.toString()).redirectErrorStream(true).start();
        try (OutputStream out = process.getOutputStream())
        {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("the official parser refused the exposition:\n%s", output).isZero();
        final Map<String, Family> families = new LinkedHashMap<>();
        final List<String> groups = new ArrayList<>();
        for (final String line : output.split("\n"))
        {
            final String[] fields = line.split("\u001f", -1);
            if (fields[0].equals("F"))
            {
                groups.add(fields[1]);
                families.put(fields[1], new Family(fields[1], fields[2], fields[3], new ArrayList<>()));
            }
            else if (fields[0].equals("S"))
            {
                final Map<String, String> labels = new TreeMap<>();
                if (!fields[3].isEmpty())
                {
                    for (final String label : fields[3].split("\u001e"))
                    {
                        final int equals = label.indexOf('=');
                        labels.put(label.substring(0, equals), label.substring(equals + 1));
                    }
                }
                families.get(fields[1]).samples().add(new Sample(fields[2], labels, parseDouble(fields[4])));
            }
        }
        return new PrometheusScrape(text, families, groups);
    }

    private static double parseDouble(final String repr)
    {
        switch (repr)
        {
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": return Double.NaN;
            default: return Double.parseDouble(repr);
        }
    }

    /**
     * A family that must be present.
     *
     * @param name of the family.
     * @return the family.
     */
    public Family family(final String name)
    {
        final Family family = families.get(name);
        assertThat(family).as("family %s in\n%s", name, text).isNotNull();
        return family;
    }

    /**
     * Every sample name the endpoint exports (what a PromQL query can select).
     *
     * @return the sample names.
     */
    public List<String> sampleNames()
    {
        final List<String> names = new ArrayList<>();
        families.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
        return names;
    }

    /**
     * Checks the conventions every family must follow: typed, documented, one group per family,
     * counters ending in {@code _total}, no non-base units in names, no sentinel values.
     */
    public void assertConventions()
    {
        assertThat(groups).as("each family exactly once").doesNotHaveDuplicates();
        for (final Family family : families.values())
        {
            assertThat(family.type()).as("type of %s", family.name()).isIn("counter", "gauge", "summary", "histogram", "info", "stateset");
            assertThat(family.help()).as("help of %s", family.name()).isNotBlank();
            assertThat(family.name()).as("base units").doesNotEndWith("_us").doesNotEndWith("_ms").doesNotContain("_us_").doesNotContain("_ms_")
                .doesNotEndWith("_total");
            for (final Sample sample : family.samples())
            {
                if (family.type().equals("counter"))
                {
                    assertThat(sample.name()).as("counter sample").matches(".*_(total|created)$");
                }
                assertThat(sample.value()).as("%s%s is no sentinel", sample.name(), sample.labels())
                    .isNotEqualTo((double)Long.MIN_VALUE).isNotEqualTo((double)Long.MAX_VALUE);
            }
        }
    }
}
