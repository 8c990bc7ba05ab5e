package io.sluice.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The fraud desk's three card detectors written in YAML, in the resource {@value #RESOURCE} of this
 * module ({@code loadgen/src/main/resources/desks/card-detectors.yaml} in the repository): card-velocity,
 * amount-vs-norm and impossible-travel over the card scenario's topic, with the thresholds of
 * {@link FraudRules}. {@code sluice demo} and {@code sluice loadgen --scenario card} run them, in the
 * embedded engine and in a daemon ({@code --print-config}). {@link FraudDesk} keeps the same rules in the
 * Java DSL, as the DSL's example; a test checks the two raise the same alerts.
 *
 * <p>Each detector's alert value is a field of its results: {@code charges}, {@code ratio} (largest
 * charge over the mean of the others) and {@code spread} (degrees).
 */
public final class CardDesk
{
    /** Class-path resource holding the detectors' {@code pipelines:} list. */
    public static final String RESOURCE = "/desks/card-detectors.yaml";

    private CardDesk()
    {
    }

    /**
     * The desk for the cards topic, parsed and validated.
     *
     * @return the desk.
     */
    public static YamlDesk desk()
    {
        return desk(text());
    }

    /**
     * The desk with every window firing at most {@code firingSlice} results per event (the key
     * {@code firing_slice} added to each {@code window:} map of the file), e.g. for a run whose events
     * arrive closer together than the default slice's work; results and alerts are the same.
     *
     * @param firingSlice window results emitted per event at most, at least 1.
     * @return the desk.
     */
    public static YamlDesk desk(final int firingSlice)
    {
        if (firingSlice < 1)
        {
            throw new IllegalArgumentException("firing slice must be at least 1, was " + firingSlice);
        }
        final String text = text().replaceAll("(?m)^(\\s*window: \\{.*)\\}[ \\t]*$", "$1, firing_slice: " + firingSlice + "}");
        return desk(text);
    }

    private static YamlDesk desk(final String text)
    {
        final ScenarioTopic topic = new CardTransactionScenario(1, CardTransactionScenario.MIN_EVENTS).topics().get(0);
        return new YamlDesk(topic, YamlDesk.pipelineItems(text), Map.of(
            FraudRules.VELOCITY, YamlDesk.field("charges"),
            FraudRules.AMOUNT, YamlDesk.field("ratio"),
            FraudRules.TRAVEL, YamlDesk.field("spread")));
    }

    /**
     * The YAML file as it is in the repository.
     *
     * @return the text.
     */
    public static String text()
    {
        try (InputStream in = CardDesk.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
    }
}
