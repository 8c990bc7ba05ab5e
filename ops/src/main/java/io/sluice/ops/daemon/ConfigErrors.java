package io.sluice.ops.daemon;

import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.config.ConfigLimits;

/**
 * Every error found in a daemon configuration, each as {@code <key path>: <reason>}, collected so
 * that one start-up reports them all before anything runs. Each is made printable: control bytes
 * escaped, cut at {@link ConfigLimits#MAX_MESSAGE_CHARS}.
 *
 * <p>Threading: the control thread, while loading.
 */
public final class ConfigErrors
{
    private final List<String> errors = new ArrayList<>();

    ConfigErrors()
    {
    }

    /**
     * Adds an error.
     *
     * @param keyPath the key it is about, e.g. {@code jmx.port}.
     * @param reason  what is wrong.
     */
    public void add(final String keyPath, final String reason)
    {
        errors.add(ConfigLimits.message(keyPath + ": " + reason));
    }

    /**
     * Whether no error was found.
     *
     * @return true if there is none.
     */
    public boolean isEmpty()
    {
        return errors.isEmpty();
    }

    /**
     * How many errors were found so far; a component compares counts to tell whether its own
     * settings added any.
     *
     * @return the count.
     */
    public int count()
    {
        return errors.size();
    }

    List<String> list()
    {
        return List.copyOf(errors);
    }

    void throwIfAny(final String source)
    {
        if (!errors.isEmpty())
        {
            throw new DaemonConfigException(source, errors);
        }
    }
}
