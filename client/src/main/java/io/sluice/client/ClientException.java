package io.sluice.client;

/**
 * A client operation failed: the server could not be reached in time, refused the session, or the
 * session is closed. Unchecked; the message says what and why.
 */
public final class ClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errorCode;

    /**
     * Creates an exception.
     *
     * @param errorCode an {@link io.sluice.client.wire.ErrorCode} the server sent, or -1 for a local failure.
     * @param message   saying what failed and why.
     */
    public ClientException(final int errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    /**
     * The server's error code.
     *
     * @return an {@link io.sluice.client.wire.ErrorCode}, or -1 for a local failure.
     */
    public int errorCode()
    {
        return errorCode;
    }
}
