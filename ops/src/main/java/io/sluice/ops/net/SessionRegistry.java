package io.sluice.ops.net;

import java.util.ArrayList;

import org.agrona.collections.Int2ObjectHashMap;

import io.aeron.Image;

/**
 * The sessions an adapter serves, found by the Aeron image their client sends on and held in
 * connection order, with the {@code net-sessions} counter kept in step. A session leaves when its
 * image goes away, when its adapter removes it, or when the registry closes; leaving closes it.
 *
 * <p>Threading: the owning adapter's thread only (the image handler too, through the conductor invoker).
 *
 * @param <S> the kind of session.
 */
final class SessionRegistry<S extends NetSession> implements AutoCloseable
{
    private final NetCounters counters;
    private final Int2ObjectHashMap<S> byImage = new Int2ObjectHashMap<>();
    private final ArrayList<S> sessions = new ArrayList<>();

    SessionRegistry(final NetCounters counters)
    {
        this.counters = counters;
    }

    /**
     * The session of a client's image.
     *
     * @param imageSessionId of the image the client sends on.
     * @return the session, or null if the image has none.
     */
    S byImage(final int imageSessionId)
    {
        return byImage.get(imageSessionId);
    }

    int size()
    {
        return sessions.size();
    }

    /**
     * A session by its place in connection order, for a loop that may remove the session it is at
     * (index loops, not iterators: no garbage per duty cycle).
     *
     * @param index in connection order, below {@link #size()}.
     * @return the session.
     */
    S get(final int index)
    {
        return sessions.get(index);
    }

    void add(final S session)
    {
        byImage.put(session.imageSessionId, session);
        sessions.add(session);
        counters.sessions.incrementRelease();
    }

    /**
     * Removes and closes the session of an image that went away: its client is gone.
     *
     * @param image that went away.
     */
    void onUnavailableImage(final Image image)
    {
        final S session = byImage.get(image.sessionId());
        if (session != null)
        {
            remove(session);
        }
    }

    void remove(final S session)
    {
        // A later session may have taken the image over; leave it registered.
        if (byImage.get(session.imageSessionId) == session)
        {
            byImage.remove(session.imageSessionId);
        }
        sessions.remove(session);
        session.close();
        counters.sessions.decrementRelease();
    }

    /**
     * Closes every session without counting them out: the counters close with the server.
     */
    @Override
    public void close()
    {
        for (final S session : sessions)
        {
            session.close();
        }
        sessions.clear();
        byImage.clear();
    }
}
