package io.sluice.client;

/**
 * Receives the ERROR frames the server sends a session, on the thread that polls the client.
 */
@FunctionalInterface
public interface ErrorListener
{
    /**
     * Called for each ERROR frame.
     *
     * @param code      an {@link io.sluice.client.wire.ErrorCode}.
     * @param reference the producer sequence, correlation id or commit id it is about, or -1.
     * @param message   for a human.
     */
    void onError(int code, long reference, String message);
}
