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

    /**
     * The state of each network (Aeron) endpoint, one line each: {@code "ingress[0]: UP"}, or
     * {@code "ingress[0]: DOWN, its Aeron client died and it is reconnecting (lost 1 time)"} while the
     * endpoint's Aeron client is lost (its conductor starved, its media driver gone): no producer or
     * consumer is served meanwhile. The cause is in the error log ({@code sluice ctl errors}). An egress
     * endpoint whose consumers have committed adds
     * {@code "; commits: 0 pending, 12 stores (longest 3.2 ms), 0 failed"}: commits accepted and awaiting
     * their offsets file's store (answered COMMITTED once durable), the stores done, the longest, the failed.
     *
     * @return one line per endpoint, in counter order; empty without network endpoints.
     */
    String[] getNetworkStatus();
}
