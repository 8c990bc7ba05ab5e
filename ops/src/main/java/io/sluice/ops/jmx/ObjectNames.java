package io.sluice.ops.jmx;

import java.util.regex.Pattern;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The daemon's stable ObjectName scheme, domain {@code io.sluice}:
 * <pre>
 *   io.sluice:type=Engine
 *   io.sluice:type=Pipeline,name=&lt;pipeline&gt;
 *   io.sluice:type=Partition,topic=&lt;topic&gt;,partition=&lt;n&gt;
 *   io.sluice:type=ScaleOut                       (a scale_out daemon only, which has no Engine, Pipeline and Partition beans)
 * </pre>
 * Values that are not plain names (letters, digits, {@code . _ -}) are quoted with
 * {@link ObjectName#quote(String)}.
 */
public final class ObjectNames
{
    /** The domain of every Sluice MBean. */
    public static final String DOMAIN = "io.sluice";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    private ObjectNames()
    {
    }

    /**
     * The engine's name.
     *
     * @return {@code io.sluice:type=Engine}.
     */
    public static ObjectName engine()
    {
        return name(DOMAIN + ":type=Engine");
    }

    /**
     * The name of the components' counters bean.
     *
     * @return {@code io.sluice:type=Components}.
     */
    public static ObjectName components()
    {
        return name(DOMAIN + ":type=Components");
    }

    /**
     * The name of a scale-out daemon's bean.
     *
     * @return {@code io.sluice:type=ScaleOut}.
     */
    public static ObjectName scaleOut()
    {
        return name(DOMAIN + ":type=ScaleOut");
    }

    /**
     * The bean of a Kafka ingress.
     *
     * @param topic the pipelines' source topic it feeds.
     * @return {@code io.sluice:type=KafkaIngress,topic=<topic>}.
     */
    public static ObjectName kafkaIngress(final String topic)
    {
        return name(DOMAIN + ":type=KafkaIngress,topic=" + value(topic));
    }

    /**
     * A pipeline's name.
     *
     * @param pipeline name.
     * @return {@code io.sluice:type=Pipeline,name=<pipeline>}.
     */
    public static ObjectName pipeline(final String pipeline)
    {
        return name(DOMAIN + ":type=Pipeline,name=" + value(pipeline));
    }

    /**
     * A partition's name.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @return {@code io.sluice:type=Partition,topic=<topic>,partition=<n>}.
     */
    public static ObjectName partition(final String topic, final int partition)
    {
        return name(DOMAIN + ":type=Partition,topic=" + value(topic) + ",partition=" + partition);
    }

    /**
     * A pattern matching every MBean of a type.
     *
     * @param type Engine, Pipeline or Partition.
     * @return the pattern.
     */
    public static ObjectName all(final String type)
    {
        return name(DOMAIN + ":type=" + type + ",*");
    }

    private static String value(final String text)
    {
        return PLAIN.matcher(text).matches() ? text : ObjectName.quote(text);
    }

    private static ObjectName name(final String text)
    {
        try
        {
            return new ObjectName(text);
        }
        catch (final MalformedObjectNameException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }
}
