package io.sluice.ops.jmx;

import java.util.Map;

/**
 * The counters of the daemon's ingress/egress components (type ids 3000-3999 of the counters file,
 * e.g. the Aeron endpoints' {@code net-events-in: ingress[0]}), registered as
 * {@code io.sluice:type=Components}. Components start after the beans are registered and may come
 * and go, so the counters are looked up on every read (on the JMX thread, never a partition thread).
 */
public interface ComponentsMXBean
{
    /**
     * Every component counter by label.
     *
     * @return values by label, in counter id order (a TabularData for generic clients).
     */
    Map<String, Long> getCounters();
}
