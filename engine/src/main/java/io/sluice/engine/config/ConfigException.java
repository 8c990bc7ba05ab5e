package io.sluice.engine.config;

/**
 * A pipeline configuration is invalid. Raised while loading, before anything runs, with the YAML path
 * of the offending key (for example {@code pipelines[1].window.size}) and the reason, made printable
 * by {@link ConfigLimits#message}.
 */
public final class ConfigException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String reason;

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
