package io.sluice.ops.jmx;

import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

/**
 * Counter ids by label, resolved once when the beans are registered (every counter exists by then),
 * so that a getter is one volatile read of the counters file.
 *
 * <p>Threading: built on the control thread, read from JMX threads.
 */
final class CounterIndex
{
    private final CountersReader reader;
    private final Map<String, Integer> ids = new HashMap<>();

    CounterIndex(final CountersReader reader)
    {
        this.reader = reader;
        reader.forEach((counterId, typeId, keyBuffer, label) -> ids.put(label, counterId));
    }

    /**
     * A counter's value.
     *
     * @param label of the counter.
     * @param missing returned when there is no such counter.
     * @return the value.
     */
    long value(final String label, final long missing)
    {
        final Integer id = ids.get(label);
        return id == null ? missing : reader.getCounterValue(id);
    }
}
