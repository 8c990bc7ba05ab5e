package io.sluice.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * Load on a user's own topic: events of its schema with generated field values, deterministic from
 * a seed. Each field gets a generator from its type, which a spec ({@code NAME=SPEC}) may override:
 * <ul>
 *   <li>the partition key: one of {@code keys} distinct values, uniformly ({@code 0..keys-1}, or for a
 *       SYMBOL key {@code K0}, {@code K1}, ...);</li>
 *   <li>the event-time field (and any other TIMESTAMP): simulated time, {@code start + i * step} ms,
 *       never the wall clock, so the same seed gives the same events at any rate;</li>
 *   <li>LONG, INT, DOUBLE, DECIMAL: uniform in {@code MIN..MAX} (default {@code 0..1000}; a DECIMAL's
 *       bounds are decimals, e.g. {@code 0.01..500.00}, drawn on its scale);</li>
 *   <li>BOOLEAN: true with a probability ({@code 0.1}; default 0.5);</li>
 *   <li>SYMBOL and TEXT: one of a list {@code A|B|C} (default {@code v0|v1|...|v9}, cut to the width).</li>
 * </ul>
 *
 * <p>Threading: built on any thread, then used by the sender thread only; {@link #next} does not allocate.
 */
public final class SchemaScenario implements Scenario
{
    /** Simulated time of the first event: 2024-01-01T00:00:00Z. */
    public static final long DEFAULT_START_MS = 1_704_067_200_000L;

    private final String name;
    private final ScenarioTopic topic;
    private final long events;
    private final Generator[] generators;
    private final EventFlyweight event;
    private long index;

    /**
     * Builds the scenario.
     *
     * @param topic      the topic, its schema, key and event-time fields (no sent_ns field).
     * @param events     to produce in all.
     * @param seed       of the values.
     * @param keys       distinct partition keys, at least 1.
     * @param timeStepMs simulated milliseconds between events, at least 0.
     * @param specs      generator specs by field name ({@code MIN..MAX}, {@code P} or {@code A|B|C}), may be empty.
     * @throws IllegalArgumentException naming the field and the spec when one does not fit its type.
     */
    public SchemaScenario(
        final ScenarioTopic topic, final long events, final long seed, final int keys, final long timeStepMs, final Map<String, String> specs)
    {
        if (keys < 1)
        {
            throw new IllegalArgumentException("--keys must be at least 1, was " + keys);
        }
        if (timeStepMs < 0)
        {
            throw new IllegalArgumentException("--time-step must not be negative, was " + timeStepMs);
        }
        final Schema schema = topic.schema();
        for (final String field : specs.keySet())
        {
            if (!schema.hasField(field))
            {
                throw new IllegalArgumentException("--field " + field + ": the topic's schema " + schema.name() + " has no such field (fields: " +
                    String.join(", ", schema.fields().stream().map(Field::name).toList()) + ")");
            }
        }
        this.name = "topic " + topic.name();
        this.topic = topic;
        this.events = events;
        this.event = new EventFlyweight(schema);
        final SplittableRandom random = new SplittableRandom(seed);
        this.generators = new Generator[schema.fieldCount()];
        for (final Field field : schema.fields())
        {
            final String spec = specs.get(field.name());
            try
            {
                generators[field.index()] = generator(field, spec, field.name().equals(topic.keyField()), keys, timeStepMs,
                    random.split());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("--field " + field.name() + "=" + spec + " (" + field.typeText() + "): " + ex.getMessage());
            }
        }
    }

    /**
     * The generator specs as written: {@code NAME=SPEC} arguments into a map.
     *
     * @param arguments such as {@code qty=1..100}.
     * @return spec by field name, in order.
     * @throws IllegalArgumentException for an argument without {@code =}.
     */
    public static Map<String, String> specs(final List<String> arguments)
    {
        final Map<String, String> specs = new LinkedHashMap<>();
        for (final String argument : arguments)
        {
            final int eq = argument.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("--field takes NAME=SPEC (e.g. qty=1..100, px=0.01..99.99, side=BUY|SELL, flag=0.1), was '" +
                    argument + "'");
            }
            specs.put(argument.substring(0, eq).trim(), argument.substring(eq + 1).trim());
        }
        return specs;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public List<ScenarioTopic> topics()
    {
        return List.of(topic);
    }

    @Override
    public long eventCount()
    {
        return events;
    }

    @Override
    public int next(final MutableDirectBuffer buffer, final int offset)
    {
        if (index >= events)
        {
            throw new IllegalStateException("all " + events + " events were produced");
        }
        event.wrapForWrite(buffer, offset);
        for (final Generator generator : generators)
        {
            generator.write(event, index);
        }
        index++;
        return 0;
    }

    @Override
    public List<InjectedPattern> injected()
    {
        return List.of();
    }

    /**
     * A description of each field's generator, one line each, for the run's header.
     *
     * @return the lines.
     */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        for (final Field field : topic.schema().fields())
        {
            lines.add(String.format(Locale.ROOT, "%-16s %-16s %s", field.name(), field.typeText(), generators[field.index()].description));
        }
        return lines;
    }

    private static Generator generator(
        final Field field, final String spec, final boolean key, final int keys, final long timeStepMs, final SplittableRandom random)
    {
        final int index = field.index();
        if (key && spec == null)
        {
            if (field.type() == FieldType.SYMBOL)
            {
                final List<String> names = new ArrayList<>();
                for (int k = 0; k < keys; k++)
                {
                    names.add("K" + k);
                }
                return choice(field, names, random, "partition key: " + keys + " keys K0..K" + (keys - 1));
            }
            return new Generator("partition key: " + keys + " keys 0.." + (keys - 1))
            {
                @Override
                void write(final EventFlyweight event, final long i)
                {
                    event.putNumber(index, (long)random.nextInt(keys));
                }
            };
        }
        switch (field.type())
        {
            case TIMESTAMP:
                if (spec != null)
                {
                    throw new IllegalArgumentException("a TIMESTAMP is simulated time (start + event index x --time-step); it takes no spec");
                }
                return new Generator("simulated time: 2024-01-01T00:00:00Z + " + timeStepMs + " ms per event")
                {
                    @Override
                    void write(final EventFlyweight event, final long i)
                    {
                        event.putLong(index, DEFAULT_START_MS + i * timeStepMs);
                    }
                };
            case BOOLEAN:
            {
                final double p = spec == null ? 0.5 : probability(spec);
                return new Generator("true with probability " + p)
                {
                    @Override
                    void write(final EventFlyweight event, final long i)
                    {
                        event.putBoolean(index, random.nextDouble() < p);
                    }
                };
            }
            case SYMBOL:
            case TEXT:
            {
                final List<String> values = new ArrayList<>();
                if (spec == null)
                {
                    for (int v = 0; v < 10; v++)
                    {
                        final String value = "v" + v;
                        values.add(value.substring(0, Math.min(value.length(), field.maxLength())));
                    }
                }
                else
                {
                    values.addAll(List.of(spec.split("\\|", -1)));
                }
                return choice(field, values, random, "one of " + String.join("|", values));
            }
            case DOUBLE:
            {
                final double[] range = spec == null ? new double[] {0, 1000} : doubleRange(spec);
                return new Generator("uniform in [" + range[0] + ", " + range[1] + ")")
                {
                    @Override
                    void write(final EventFlyweight event, final long i)
                    {
                        event.putDouble(index, range[0] + random.nextDouble() * (range[1] - range[0]));
                    }
                };
            }
            case DECIMAL:
            {
                final String[] bounds = range(spec == null ? "0..1000" : spec);
                final long min;
                final long max;
                try
                {
                    min = Decimals.parse(bounds[0], field.precision(), field.scale());
                    max = Decimals.parse(bounds[1], field.precision(), field.scale());
                }
                catch (final Decimals.DecimalException ex)
                {
                    throw new IllegalArgumentException(ex.getMessage());
                }
                checkOrder(min, max);
                final String text = Decimals.format(min, field.scale(), new StringBuilder()) + ".." +
                    Decimals.format(max, field.scale(), new StringBuilder());
                return new Generator("uniform in " + text + " (exact, on the scale)")
                {
                    @Override
                    void write(final EventFlyweight event, final long i)
                    {
                        event.putDecimal(index, random.nextLong(min, max + 1));
                    }
                };
            }
            default:
            {
                final String[] bounds = range(spec == null ? "0..1000" : spec);
                final long min = parseLong(bounds[0]);
                final long max = parseLong(bounds[1]);
                checkOrder(min, max);
                if (field.type() == FieldType.INT && (min < Integer.MIN_VALUE || max > Integer.MAX_VALUE))
                {
                    throw new IllegalArgumentException("the range does not fit an INT");
                }
                return new Generator("uniform in " + min + ".." + max)
                {
                    @Override
                    void write(final EventFlyweight event, final long i)
                    {
                        event.putNumber(index, max == Long.MAX_VALUE ? random.nextLong(min, max) : random.nextLong(min, max + 1));
                    }
                };
            }
        }
    }

    private static Generator choice(final Field field, final List<String> values, final SplittableRandom random, final String description)
    {
        // Each value encoded once, the whole slot (zero padding included), as the event holds it.
        final Schema one = Schema.builder("one").field("v", field).build();
        final EventFlyweight encoder = new EventFlyweight(one).wrapForWrite(new UnsafeBuffer(new byte[one.length()]), 0);
        final byte[][] encoded = new byte[values.size()][];
        for (int v = 0; v < encoded.length; v++)
        {
            final String value = values.get(v);
            if (field.type() == FieldType.SYMBOL)
            {
                if (value.length() > field.width() || !StandardCharsets.US_ASCII.newEncoder().canEncode(value) || value.indexOf(0) >= 0)
                {
                    throw new IllegalArgumentException("'" + value + "' is not ASCII of at most " + field.width() + " characters");
                }
                encoder.putSymbol(0, value);
            }
            else
            {
                try
                {
                    encoder.putText(0, value);
                }
                catch (final RuntimeException ex)
                {
                    throw new IllegalArgumentException("'" + value + "' is longer than " + field.maxLength() + " bytes of UTF-8");
                }
            }
            encoded[v] = new byte[field.width()];
            encoder.buffer().getBytes(one.field(0).offset(), encoded[v], 0, field.width());
        }
        final int at = field.offset();
        return new Generator(description)
        {
            @Override
            void write(final EventFlyweight event, final long i)
            {
                ((MutableDirectBuffer)event.buffer()).putBytes(event.offset() + at, encoded[random.nextInt(encoded.length)]);
            }
        };
    }

    private static String[] range(final String spec)
    {
        final int dots = spec.indexOf("..");
        if (dots < 0)
        {
            throw new IllegalArgumentException("expected MIN..MAX");
        }
        return new String[] {spec.substring(0, dots).trim(), spec.substring(dots + 2).trim()};
    }

    private static double[] doubleRange(final String spec)
    {
        final String[] bounds = range(spec);
        try
        {
            final double[] range = {Double.parseDouble(bounds[0]), Double.parseDouble(bounds[1])};
            if (!(range[0] <= range[1]) || Double.isInfinite(range[0]) || Double.isInfinite(range[1]))
            {
                throw new IllegalArgumentException("MIN must not be above MAX, both finite");
            }
            return range;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("MIN and MAX must be numbers");
        }
    }

    private static long parseLong(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + text + "' is not an integer");
        }
    }

    private static void checkOrder(final long min, final long max)
    {
        if (min > max)
        {
            throw new IllegalArgumentException("MIN must not be above MAX");
        }
    }

    private static double probability(final String spec)
    {
        try
        {
            final double p = Double.parseDouble(spec);
            if (p >= 0 && p <= 1)
            {
                return p;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("expected a probability in [0, 1]");
    }

    /**
     * Writes one field of the next event.
     */
    private abstract static class Generator
    {
        final String description;

        Generator(final String description)
        {
            this.description = description;
        }

        abstract void write(EventFlyweight event, long index);
    }
}
