package io.sluice.ops.net;

import java.util.ArrayList;

import org.agrona.collections.Int2ObjectHashMap;

import io.aeron.Image;

/**
 * The sessions an adapter serves, found by the Aeron image their client sends on and held in
 * connection order, with the {@code net-sessions} counter kept in step. A session leaves when its
 * image goes away, when its adapter removes it, or when the registry closes; leaving closes it.
 *
 * <p>An image that goes away is reported inside the Aeron client's conductor callback, where closing
 * a publication is a reentrant call Aeron refuses: the session leaves the registry (and the counter)
 * at once, and is closed by {@link #closeUnavailable()} on the adapter's next duty cycle, outside
 * the callback.
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
    private final ArrayList<S> unavailable = new ArrayList<>();

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
     * Removes the session of an image that went away (its client is gone) and queues it to be
     * closed outside the conductor callback this runs in.
     *
     * @param image that went away.
     */
    void onUnavailableImage(final Image image)
    {
        final S session = byImage.get(image.sessionId());
        if (session != null)
        {
            detach(session);
            unavailable.add(session);
        }
    }

    /**
     * Closes the sessions whose images went away; call from the duty cycle, never from an Aeron callback.
     *
     * @return the number closed (work done).
     */
    int closeUnavailable()
    {
        final int count = unavailable.size();
        for (int i = 0; i < count; i++)
        {
            unavailable.get(i).close();
        }
        unavailable.clear();
        return count;
    }

    void remove(final S session)
    {
        detach(session);
        session.close();
    }

    private void detach(final S session)
    {
        // A later session may have taken the image over; leave it registered.
        if (byImage.get(session.imageSessionId) == session)
        {
            byImage.remove(session.imageSessionId);
        }
        sessions.remove(session);
        counters.sessions.decrementRelease();
    }

    /**
     * Closes every session and counts them out (the counters outlive a registry when the server
     * replaces a lost Aeron client).
     */
    @Override
    public void close()
    {
        for (final S session : sessions)
        {
            counters.sessions.decrementRelease();
            session.close();
        }
        closeUnavailable();
        sessions.clear();
        byImage.clear();
    }
}
