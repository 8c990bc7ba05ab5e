package io.sluice.ops.net;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out session ids, unique within the server's life and unlikely to repeat across restarts (a
 * random start), so a frame from a previous incarnation's session is not taken for a current one.
 *
 * <p>Threading: the server agent's thread only.
 */
final class SessionIds
{
    private long next = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 62);

    long next()
    {
        return next++;
    }
}
