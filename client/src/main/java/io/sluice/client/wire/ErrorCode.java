package io.sluice.client.wire;

/**
 * Codes carried by ERROR frames, and the kinds of bad frame the server counts. A code is stable
 * on the wire; {@link #isRetryable(int)} tells a client whether sending again may succeed.
 */
public final class ErrorCode
{
    /** Not an error: the frame is well formed. */
    public static final int OK = 0;
    /** Shorter than the frame header. */
    public static final int TRUNCATED = 1;
    /** The frame length field does not equal the message length, or disagrees with the body's own lengths. */
    public static final int BAD_LENGTH = 2;
    /** Unknown frame type. */
    public static final int UNKNOWN_TYPE = 3;
    /** Longer than the server's maximum frame length. */
    public static final int OVERSIZED = 4;
    /** Unsupported protocol version or non-zero flags. */
    public static final int BAD_VERSION = 5;
    /** A body field is out of range (a count, a string length, a durability level, a name's characters). */
    public static final int MALFORMED_BODY = 6;
    /** A frame other than CONNECT before CONNECT, or a session id that is not the sender's. */
    public static final int UNKNOWN_SESSION = 7;
    /** A topic that does not exist (or is not an ingress topic). */
    public static final int UNKNOWN_TOPIC = 8;
    /** An event whose length is not its topic's schema length. */
    public static final int EVENT_LENGTH = 9;
    /** A frame type that this endpoint does not take (e.g. RECORD sent to the server). */
    public static final int UNEXPECTED_TYPE = 10;
    /** Joining the group failed (e.g. the member id is live already); the message says why. */
    public static final int GROUP_JOIN_FAILED = 11;
    /** A commit for a stale generation or a partition the member does not own; retry after the next ASSIGNMENT. */
    public static final int FENCED = 12;
    /** A commit beyond what was delivered, or otherwise invalid. */
    public static final int INVALID_COMMIT = 13;
    /** The engine is not accepting input (shutting down); retry against the restarted daemon. */
    public static final int NOT_ACCEPTING = 14;
    /** A force() failed: the partition acknowledges nothing more as DURABLE. */
    public static final int DURABILITY_FAILED = 15;
    /** The server has no room for another session. */
    public static final int TOO_MANY_SESSIONS = 16;
    /** The response channel is not allowed (not loopback or IPC, by default). */
    public static final int CHANNEL_REJECTED = 17;
    /** A second CONNECT or SUBSCRIBE on a session that has one. */
    public static final int ALREADY_CONNECTED = 18;
    /**
     * The event's partition refuses events: FAILED (a fatal journal error; not retryable) or DEGRADED
     * (its journal cannot take events now, e.g. disk full; the daemon retries). The error's message
     * says which and why.
     */
    public static final int PARTITION_UNAVAILABLE = 19;
    /** Number of codes, for per-code counters. */
    public static final int CODE_COUNT = 20;

    private static final String[] NAMES = {
        "OK", "TRUNCATED", "BAD_LENGTH", "UNKNOWN_TYPE", "OVERSIZED", "BAD_VERSION", "MALFORMED_BODY", "UNKNOWN_SESSION",
        "UNKNOWN_TOPIC", "EVENT_LENGTH", "UNEXPECTED_TYPE", "GROUP_JOIN_FAILED", "FENCED", "INVALID_COMMIT",
        "NOT_ACCEPTING", "DURABILITY_FAILED", "TOO_MANY_SESSIONS", "CHANNEL_REJECTED", "ALREADY_CONNECTED",
        "PARTITION_UNAVAILABLE"};

    private ErrorCode()
    {
    }

    /**
     * The name of a code, for counters and diagnostics.
     *
     * @param code an error code.
     * @return its name, or {@code "UNKNOWN(code)"}.
     */
    public static String name(final int code)
    {
        return code >= 0 && code < CODE_COUNT ? NAMES[code] : "UNKNOWN(" + code + ")";
    }

    /**
     * Whether sending the same request again may succeed.
     *
     * @param code an error code.
     * @return true for {@link #FENCED} and {@link #NOT_ACCEPTING}.
     */
    public static boolean isRetryable(final int code)
    {
        return code == FENCED || code == NOT_ACCEPTING;
    }
}
