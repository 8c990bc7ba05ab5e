package io.sluice.engine.config;

import java.util.List;

/**
 * A pipeline configuration is invalid. Raised while loading, before anything runs, with the YAML path
 * of the offending key (for example {@code pipelines[1].window.size}) and the reason, made printable
 * by {@link ConfigLimits#message}, which names the file and line. When a file has several errors, one
 * exception carries them all ({@link #errors()}, one per line of the message), so that one run
 * reports every error at once.
 */
public final class ConfigException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String reason;
    private final transient List<ConfigException> errors;

    /**
     * Creates the exception.
     *
     * @param path   of the offending key in the YAML document, e.g. {@code pipelines[0].filter}.
     * @param reason why the value is refused.
     */
    public ConfigException(final String path, final String reason)
    {
        super(ConfigLimits.message(path.isEmpty() ? reason : path + ": " + reason));
        this.path = path;
        this.reason = ConfigLimits.message(reason);
        this.errors = List.of(this);
    }

    private ConfigException(final List<ConfigException> errors)
    {
        super(describe(errors));
        this.path = errors.get(0).path;
        this.reason = errors.get(0).reason;
        this.errors = List.copyOf(errors);
    }

    /**
     * One exception for every error found: the error itself when there is one, else an exception
     * whose message lists them all, one per line, and whose path and reason are the first's.
     *
     * @param errors found, in document order; at least one.
     * @return the exception to throw.
     */
    public static ConfigException of(final List<ConfigException> errors)
    {
        return errors.size() == 1 ? errors.get(0) : new ConfigException(errors);
    }

    private static String describe(final List<ConfigException> errors)
    {
        final StringBuilder message = new StringBuilder().append(errors.size()).append(" errors:");
        for (final ConfigException error : errors)
        {
            message.append(System.lineSeparator()).append("  ").append(error.getMessage());
        }
        return message.toString();
    }

    /**
     * Every error this exception reports, in document order (just this one for a single error).
     *
     * @return the errors.
     */
    public List<ConfigException> errors()
    {
        return errors;
    }

    /**
     * YAML path of the offending key.
     *
     * @return the path, empty for the document itself.
     */
    public String path()
    {
        return path;
    }

    /**
     * Why the value is refused.
     *
     * @return the reason.
     */
    public String reason()
    {
        return reason;
    }
}
