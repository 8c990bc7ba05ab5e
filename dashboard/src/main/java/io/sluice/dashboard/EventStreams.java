package io.sluice.dashboard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.status.AtomicCounter;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The browsers' Server-Sent Event streams and the dashboard thread's duty: build a frame, offer it
 * to every stream. A stream still writing its previous frame (a slow or stalled browser) skips this
 * one (counted as dropped): each stream holds at most one frame in flight, so memory stays bounded
 * by {@code streams x frame size} however slow the browsers, and no pipeline ever waits for one. A
 * stalled stream is ended by the connector's idle timeout.
 *
 * <p>Threading: streams are added and removed on server threads; {@link #tick} runs on the
 * dashboard's single scheduler thread.
 */
final class EventStreams
{
    private final FrameBuilder frames;
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final AtomicCounter sent;
    private final AtomicCounter dropped;
    private final AtomicCounter clients;
    private final AtomicCounter inFlightBytes;

    EventStreams(final FrameBuilder frames, final AtomicCounter sent, final AtomicCounter dropped, final AtomicCounter clients,
        final AtomicCounter inFlightBytes)
    {
        this.frames = frames;
        this.sent = sent;
        this.dropped = dropped;
        this.clients = clients;
        this.inFlightBytes = inFlightBytes;
    }

    int size()
    {
        return streams.size();
    }

    void add(final Stream stream)
    {
        streams.add(stream);
        clients.setRelease(streams.size());
    }

    void remove(final Stream stream, final Throwable failure)
    {
        if (streams.remove(stream))
        {
            clients.setRelease(streams.size());
            if (stream.inFlight.getAndSet(false))
            {
                inFlightBytes.getAndAdd(-stream.inFlightLength);
            }
            if (failure == null)
            {
                stream.callback.succeeded();
            }
            else
            {
                stream.callback.failed(failure);
            }
        }
    }

    /**
     * Builds and offers one frame to every stream.
     *
     * @param nowMs wall clock.
     * @param nowNs monotonic clock.
     */
    void tick(final long nowMs, final long nowNs)
    {
        if (streams.isEmpty())
        {
            // Nobody is watching: keep the alert feed current, build nothing else.
            frames.drainAlerts();
            return;
        }
        final String health = frames.health(nowMs, nowNs);
        for (final Stream stream : streams)
        {
            if (!stream.inFlight.compareAndSet(false, true))
            {
                dropped.increment();
                stream.dropped++;
                continue;
            }
            final String frame = "event: frame\ndata: {" + health + ",\"dropped\":" + stream.dropped + ",\"results\":" +
                frames.results(stream.view) + "}\n\n";
            final ByteBuffer bytes = ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8));
            stream.inFlightLength = bytes.remaining();
            inFlightBytes.getAndAdd(stream.inFlightLength);
            stream.response.write(false, bytes, Callback.from(() ->
            {
                if (stream.inFlight.getAndSet(false))
                {
                    inFlightBytes.getAndAdd(-stream.inFlightLength);
                }
                sent.increment();
            }, failure -> remove(stream, failure)));
        }
    }

    /**
     * Ends every stream (server shutting down).
     */
    void closeAll()
    {
        for (final Stream stream : streams)
        {
            remove(stream, null);
        }
    }

    /**
     * One browser's event stream.
     */
    static final class Stream
    {
        final Response response;
        final Callback callback;
        final FrameBuilder.View view;
        final AtomicBoolean inFlight = new AtomicBoolean();
        volatile int inFlightLength;
        long dropped;

        Stream(final Response response, final Callback callback, final FrameBuilder.View view)
        {
            this.response = response;
            this.callback = callback;
            this.view = view;
        }
    }
}
