package io.sluice.ops.daemon;

import java.util.List;

/**
 * The daemon's configuration is invalid: carries every error found, each naming its key and the
 * reason. Thrown at start-up, before the daemon touches its data directory.
 */
public final class DaemonConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient List<String> errors;

    /**
     * Creates the exception.
     *
     * @param source the file (or text) the errors are in.
     * @param errors each {@code <key path>: <reason>}.
     */
    public DaemonConfigException(final String source, final List<String> errors)
    {
        super(describe(source, errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * The errors, each {@code <key path>: <reason>}.
     *
     * @return the errors in file order.
     */
    public List<String> errors()
    {
        return errors;
    }

    private static String describe(final String source, final List<String> errors)
    {
        final StringBuilder text = new StringBuilder()
            .append(errors.size()).append(errors.size() == 1 ? " error" : " errors").append(" in ").append(source).append(':');
        for (final String error : errors)
        {
            text.append("\n  ").append(error);
        }
        return text.toString();
    }
}
