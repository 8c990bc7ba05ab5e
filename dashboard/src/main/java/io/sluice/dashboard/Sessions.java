package io.sluice.dashboard;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logged-in browsers: a random session id (the {@code sluice_session} cookie: HttpOnly,
 * SameSite=Strict, Secure over TLS) mapped to the user, the role and a CSRF token the page sends
 * back in the {@code X-Sluice-CSRF} header of every operation. Bounded: the oldest session goes when
 * more than {@value #MAX_SESSIONS} exist; a session ends {@value #IDLE_HOURS} hours after its last use.
 *
 * <p>Threading: any server thread; synchronized.
 */
final class Sessions
{
    static final int MAX_SESSIONS = 256;
    static final int IDLE_HOURS = 8;
    private static final long IDLE_MILLIS = IDLE_HOURS * 3_600_000L;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * One logged-in browser.
     *
     * @param id        the cookie value.
     * @param user      name.
     * @param role      what the user may do.
     * @param csrfToken the page must send back with operations.
     * @param lastUsed  epoch milliseconds.
     */
    record Session(String id, String user, Users.Role role, String csrfToken, long lastUsed)
    {
    }

    synchronized Session create(final String user, final Users.Role role, final long nowMs)
    {
        final Session session = new Session(token(), user, role, token(), nowMs);
        sessions.put(session.id(), session);
        while (sessions.size() > MAX_SESSIONS)
        {
            final Iterator<String> eldest = sessions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return session;
    }

    synchronized Session find(final String id, final long nowMs)
    {
        if (id == null)
        {
            return null;
        }
        final Session session = sessions.get(id);
        if (session == null)
        {
            return null;
        }
        if (nowMs - session.lastUsed() > IDLE_MILLIS)
        {
            sessions.remove(id);
            return null;
        }
        final Session touched = new Session(session.id(), session.user(), session.role(), session.csrfToken(), nowMs);
        sessions.put(id, touched);
        return touched;
    }

    synchronized void remove(final String id)
    {
        if (id != null)
        {
            sessions.remove(id);
        }
    }

    private String token()
    {
        final byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
