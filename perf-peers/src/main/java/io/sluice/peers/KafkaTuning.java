package io.sluice.peers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka client settings the benchmark applies alike to every system under test, so that a tuning that helps one
 * is measured on all: the producer settings go to the ceiling's producer, Sluice's Kafka sink producers and Kafka
 * Streams' producers; the consumer settings to the ceiling's consumers, Sluice's Kafka source and Kafka Streams'
 * consumers. The harness's own clients (the input loader, the result readers) keep the client defaults.
 *
 * <p>Written {@code key:value,key:value} on the command line ({@code producer=batch.size:262144,compression.type:lz4
 * consumer=max.poll.records:2000}); empty means the client defaults.
 *
 * @param producer settings of every producer under test.
 * @param consumer settings of every consumer under test.
 */
record KafkaTuning(Map<String, String> producer, Map<String, String> consumer)
{
    /** The client defaults everywhere. */
    static final KafkaTuning DEFAULTS = new KafkaTuning(Map.of(), Map.of());

    /**
     * Parses the two arguments.
     *
     * @param producer {@code key:value,...} or "".
     * @param consumer {@code key:value,...} or "".
     * @return the tuning.
     */
    static KafkaTuning parse(final String producer, final String consumer)
    {
        return new KafkaTuning(settings(producer), settings(consumer));
    }

    private static Map<String, String> settings(final String text)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        for (final String pair : text.split(","))
        {
            if (pair.isBlank())
            {
                continue;
            }
            final int colon = pair.indexOf(':');
            if (colon <= 0)
            {
                throw new IllegalArgumentException("Kafka client setting '" + pair + "' is not key:value");
            }
            settings.put(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
        }
        return Collections.unmodifiableMap(settings);
    }

    /**
     * Whether anything differs from the client defaults.
     *
     * @return true if tuned.
     */
    boolean tuned()
    {
        return !producer.isEmpty() || !consumer.isEmpty();
    }

    @Override
    public String toString()
    {
        return tuned() ? "producers " + producer + ", consumers " + consumer : "client defaults";
    }
}
