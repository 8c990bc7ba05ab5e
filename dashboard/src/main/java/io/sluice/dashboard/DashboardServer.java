package io.sluice.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.runtime.Engine;

/**
 * The live dashboard: an embedded Jetty server with one page of results and health, pushed to the
 * browser as Server-Sent Events once per refresh period by one low-priority dashboard thread.
 *
 * <p>Security: binds loopback unless told otherwise, and then only with TLS and users (refused at
 * start otherwise). With users (the daemon's JMX password and access files) every page and API needs
 * a session from {@code POST /login} (cookie HttpOnly, SameSite=Strict, Secure over TLS); a
 * {@code readonly} user sees, only a {@code readwrite} user may run operations. Operations are POST
 * only and need the session's CSRF token in {@code X-Sluice-CSRF} and, when the browser sends one, a
 * same-origin {@code Origin}. Requests naming another {@code Host} are refused (DNS rebinding).
 * Bodies are limited to {@value #MAX_BODY} bytes, headers to {@value #MAX_HEADER} bytes. Pages carry a
 * strict Content-Security-Policy: scripts and styles from the dashboard itself only (uPlot comes from
 * its WebJar in this jar), no request to any other origin.
 *
 * <p>Threading: {@link #start} and {@link #close} on the control thread; requests on Jetty's small
 * pool; frames on the dashboard thread. Nothing here runs on, or waits for, a partition thread.
 */
public final class DashboardServer implements AutoCloseable
{
    /** Largest request body accepted. */
    public static final int MAX_BODY = 4096;
    /** Largest request header block accepted (Jetty answers 431 beyond it). */
    public static final int MAX_HEADER = 8192;
    /** Type id of the frames-sent counter; 4002 dropped frames, 4003 streams, 4004 bytes in flight, 4005 alerts lost. */
    public static final int FRAMES_SENT_TYPE_ID = 4001;
    /** Type id of the counter of frames a slow stream skipped. */
    public static final int FRAMES_DROPPED_TYPE_ID = 4002;
    /** Type id of the counter of open event streams. */
    public static final int STREAMS_TYPE_ID = 4003;
    /** Type id of the counter of frame bytes written but not yet taken by the network. */
    public static final int BYTES_IN_FLIGHT_TYPE_ID = 4004;
    /** Type id of the counter of alerts overwritten before the dashboard read them. */
    public static final int ALERTS_LOST_TYPE_ID = 4005;

    /** Socket send buffer of each connection. */
    static final int SEND_BUFFER = 64 * 1024;
    static final String SESSION_COOKIE = "sluice_session";
    static final String CSRF_HEADER = "X-Sluice-CSRF";
    private static final String WEB = "/io/sluice/dashboard/web/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Map<String, String[]> STATIC = Map.of(
        "/static/app.js", new String[] {WEB + "app.js", "text/javascript; charset=utf-8"},
        "/static/app.css", new String[] {WEB + "app.css", "text/css; charset=utf-8"},
        "/static/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
        "/static/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"},
        "/static/favicon.svg", new String[] {WEB + "favicon.svg", "image/svg+xml"});

    private final DashboardSettings settings;
    private final DashboardSources sources;
    private final Users users;
    private final Sessions sessions = new Sessions();
    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService ticker;
    private final EventStreams streams;
    private final FrameBuilder frames;
    private final AtomicCounter[] counters;
    private final Set<String> allowedHosts;
    private final String indexPage;
    private final String loginPage;

    private DashboardServer(final DashboardSettings settings, final DashboardSources sources)
    {
        this.settings = settings;
        this.sources = sources;
        final boolean loopback = isLoopback(settings.host());
        if (!loopback && (!settings.tls() || settings.passwordFile() == null))
        {
            throw new IllegalArgumentException("dashboard host '" + settings.host() +
                "' is not a loopback address: a remote dashboard requires TLS and users (password and access files)");
        }
        if ((settings.passwordFile() == null) != (settings.accessFile() == null))
        {
            throw new IllegalArgumentException("dashboard users need both a password file and an access file");
        }
        this.users = settings.passwordFile() == null ? null : Users.load(settings.passwordFile(), settings.accessFile());
        final CountersManager manager = sources.counters();
        counters = new AtomicCounter[] {
            manager.newCounter("dashboard-frames-sent", FRAMES_SENT_TYPE_ID),
            manager.newCounter("dashboard-frames-dropped", FRAMES_DROPPED_TYPE_ID),
            manager.newCounter("dashboard-streams", STREAMS_TYPE_ID),
            manager.newCounter("dashboard-bytes-in-flight", BYTES_IN_FLIGHT_TYPE_ID),
            manager.newCounter("dashboard-alerts-lost", ALERTS_LOST_TYPE_ID)};
        this.frames = new FrameBuilder(sources, counters[4]);
        this.streams = new EventStreams(frames, counters[0], counters[1], counters[2], counters[3]);
        this.indexPage = resource(WEB + "index.html");
        this.loginPage = resource(WEB + "login.html");

        final QueuedThreadPool pool = new QueuedThreadPool(12, 2);
        pool.setName("sluice-dashboard");
        pool.setDaemon(true);
        pool.setThreadsPriority(Thread.MIN_PRIORITY);
        server = new Server(pool);
        final HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(MAX_HEADER);
        if (settings.tls())
        {
            http.addCustomizer(new SecureRequestCustomizer(false));
            final SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(settings.keyStore().toString());
            tls.setKeyStorePassword(readFirstLine(settings.keyStorePasswordFile()));
            tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        }
        else
        {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        }
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        // A stalled event stream holds one frame in flight; the idle timeout ends it. A fixed send buffer bounds what the
        // kernel holds for a browser that stopped reading (autotuning would let it grow to megabytes).
        connector.setIdleTimeout(30_000);
        connector.setAcceptedSendBufferSize(SEND_BUFFER);
        server.addConnector(connector);
        server.setHandler(new Router());
        allowedHosts = loopback ? Set.of("127.0.0.1", "localhost", "[::1]", "::1") : Set.of(settings.host().toLowerCase(Locale.ROOT));
        ticker = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "sluice-dashboard-frames");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        });
    }

    /**
     * Starts the server and the dashboard thread.
     *
     * @param settings of the server.
     * @param sources  what it shows.
     * @return the running server.
     * @throws IllegalArgumentException if the settings are not secure (a remote bind without TLS and users).
     * @throws IllegalStateException    if the server cannot start (e.g. the port is taken).
     */
    public static DashboardServer start(final DashboardSettings settings, final DashboardSources sources)
    {
        final DashboardServer dashboard = new DashboardServer(settings, sources);
        try
        {
            dashboard.server.start();
        }
        catch (final Exception ex)
        {
            dashboard.close();
            throw new IllegalStateException("cannot start the dashboard on " + settings.host() + ":" + settings.port() + ": " + ex, ex);
        }
        dashboard.ticker.scheduleWithFixedDelay(dashboard::tick, 0, settings.refreshMillis(), TimeUnit.MILLISECONDS);
        return dashboard;
    }

    private void tick()
    {
        try
        {
            streams.tick(System.currentTimeMillis(), System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            // The dashboard must never stop pushing over one bad frame; the error is kept for people.
            final Engine engine = sources.engine().get();
            if (engine != null)
            {
                engine.errorLog().record(ex);
            }
        }
    }

    /**
     * The port the server listens on.
     *
     * @return the port.
     */
    public int port()
    {
        return connector.getLocalPort();
    }

    /**
     * The address to open in a browser.
     *
     * @return e.g. {@code http://127.0.0.1:8470/}.
     */
    public String url()
    {
        final String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return (settings.tls() ? "https" : "http") + "://" + host + ":" + port() + "/";
    }

    /**
     * Stops pushing, ends every stream and stops the server; idempotent.
     */
    @Override
    public void close()
    {
        ticker.shutdownNow();
        streams.closeAll();
        try
        {
            server.stop();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot stop the dashboard: " + ex, ex);
        }
        finally
        {
            for (final AtomicCounter counter : counters)
            {
                counter.close();
            }
        }
    }

    private static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    private static String readFirstLine(final Path file)
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    private static String resource(final String name)
    {
        try (InputStream in = DashboardServer.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] resourceBytes(final String name)
    {
        try (InputStream in = DashboardServer.class.getResourceAsStream(name))
        {
            return in == null ? null : in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Routes every request; see the class comment for the checks.
     */
    private final class Router extends Handler.Abstract
    {
        @Override
        public boolean handle(final Request request, final Response response, final Callback callback)
        {
            securityHeaders(response);
            try
            {
                route(request, response, callback);
            }
            catch (final Forms.BadRequestException ex)
            {
                error(response, callback, ex.status, ex.getMessage());
            }
            return true;
        }

        private void route(final Request request, final Response response, final Callback callback)
        {
            checkHost(request);
            final String path = request.getHttpURI().getPath();
            final String method = request.getMethod();
            final String[] asset = path == null ? null : STATIC.get(path);
            if (asset != null)
            {
                requireMethod(method, response, "GET");
                final byte[] bytes = resourceBytes(asset[0]);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
                send(response, callback, 200, asset[1], bytes);
                return;
            }
            if (path == null)
            {
                throw new Forms.BadRequestException(400, "request without a path");
            }
            switch (path)
            {
                case "/login" -> login(request, response, callback, method);
                case "/logout" ->
                {
                    requireMethod(method, response, "POST");
                    checkOrigin(request);
                    sessions.remove(cookie(request));
                    response.getHeaders().add(HttpHeader.SET_COOKIE, cookieHeader("", 0));
                    redirect(response, callback, users == null ? "/" : "/login");
                }
                case "/", "/index.html" ->
                {
                    requireMethod(method, response, "GET");
                    final Sessions.Session session = session(request, response);
                    if (session == null)
                    {
                        redirect(response, callback, "/login");
                        return;
                    }
                    send(response, callback, 200, "text/html; charset=utf-8", indexPage.getBytes(StandardCharsets.UTF_8));
                }
                case "/api/session" ->
                {
                    requireMethod(method, response, "GET");
                    final Sessions.Session session = requireSession(request, response);
                    final StringBuilder out = new StringBuilder();
                    new Json(out).open().field("user", session.user()).field("role", session.role().name().toLowerCase(Locale.ROOT))
                        .field("csrf", session.csrfToken()).field("authentication", users != null).field("tls", settings.tls())
                        .field("refreshMillis", settings.refreshMillis()).close();
                    json(response, callback, 200, out.toString());
                }
                case "/api/config" ->
                {
                    requireMethod(method, response, "GET");
                    requireSession(request, response);
                    json(response, callback, 200, "{\"text\":" + Json.quote(sources.configText()) + "}");
                }
                case "/events" -> events(request, response, callback, method);
                case "/api/checkpoint", "/api/pause", "/api/resume", "/api/replay" -> operation(request, response, callback, method, path);
                default -> throw new Forms.BadRequestException(404, "no such page: " + Forms.abbreviate(path));
            }
        }

        private void login(final Request request, final Response response, final Callback callback, final String method)
        {
            if (users == null)
            {
                requireMethod(method, response, "GET", "POST");
                redirect(response, callback, "/");
                return;
            }
            if ("GET".equals(method))
            {
                send(response, callback, 200, "text/html; charset=utf-8", loginPage.replace("<!--MESSAGE-->", "")
                    .getBytes(StandardCharsets.UTF_8));
                return;
            }
            requireMethod(method, response, "GET", "POST");
            checkOrigin(request);
            final Map<String, String> form = form(request);
            final Users.Role role = users.authenticate(form.get("user"), form.get("password"));
            if (role == null)
            {
                send(response, callback, 401, "text/html; charset=utf-8", loginPage.replace("<!--MESSAGE-->",
                    "<p class=\"login-error\" id=\"login-error\">Unknown user or wrong password.</p>").getBytes(StandardCharsets.UTF_8));
                return;
            }
            final Sessions.Session session = sessions.create(form.get("user"), role, System.currentTimeMillis());
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookieHeader(session.id(), -1));
            redirect(response, callback, "/");
        }

        private void events(final Request request, final Response response, final Callback callback, final String method)
        {
            requireMethod(method, response, "GET");
            requireSession(request, response);
            final Map<String, String> query = Forms.parse(request.getHttpURI().getQuery());
            final int top;
            try
            {
                top = Integer.parseInt(query.getOrDefault("top", "20"));
            }
            catch (final NumberFormatException ex)
            {
                throw new Forms.BadRequestException(400, "top must be a whole number, was '" + Forms.abbreviate(query.get("top")) + "'");
            }
            if (top < 1 || top > 500)
            {
                throw new Forms.BadRequestException(400, "top must be in [1, 500], was " + top);
            }
            String pipeline = blankToNull(query.get("pipeline"));
            if (pipeline == null && !sources.board().boards().isEmpty())
            {
                pipeline = sources.board().boards().get(0).pipeline();
            }
            if (streams.size() >= settings.maxClients())
            {
                throw new Forms.BadRequestException(503, "too many event streams open (" + settings.maxClients() + "): close a tab");
            }
            final EventStreams.Stream stream = new EventStreams.Stream(response, callback,
                new FrameBuilder.View(pipeline, blankToNull(query.get("sort")), top, blankToNull(query.get("key"))));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            request.addFailureListener(failure -> streams.remove(stream, failure));
            streams.add(stream);
            stream.inFlight.set(true);
            response.write(false, ByteBuffer.wrap("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8)),
                Callback.from(() -> stream.inFlight.set(false), failure -> streams.remove(stream, failure)));
        }

        private void operation(final Request request, final Response response, final Callback callback, final String method,
            final String path)
        {
            requireMethod(method, response, "POST");
            final Sessions.Session session = requireSession(request, response);
            final String name = path.substring("/api/".length());
            if (session.role() != Users.Role.OPERATOR)
            {
                throw new Forms.BadRequestException(403, name + " requires the operator role (readwrite in the access file); user '" +
                    session.user() + "' is read-only");
            }
            checkOrigin(request);
            final String token = request.getHeaders().get(CSRF_HEADER);
            if (token == null || !java.security.MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8)))
            {
                throw new Forms.BadRequestException(403, "missing or wrong CSRF token: send the page's token in the " + CSRF_HEADER + " header");
            }
            final Map<String, String> form = form(request);
            final Engine engine = sources.engine().get();
            if (engine == null)
            {
                throw new Forms.BadRequestException(503, "the engine is not running yet");
            }
            final String result = switch (name)
            {
                case "checkpoint" -> checkpoint(engine);
                case "pause" ->
                {
                    engine.pause(pipeline(engine, form));
                    yield "paused " + form.get("pipeline");
                }
                case "resume" ->
                {
                    engine.resume(pipeline(engine, form));
                    yield "resumed " + form.get("pipeline");
                }
                default -> replay(engine, form);
            };
            json(response, callback, 200, "{\"ok\":true,\"message\":" + Json.quote(result) + "}");
        }

        private String checkpoint(final Engine engine)
        {
            if (engine.checkpoints() == null)
            {
                throw new Forms.BadRequestException(409, "checkpoints are off in this engine");
            }
            final long start = System.nanoTime();
            try
            {
                final CheckpointManifest manifest = engine.checkpoint().get(60, TimeUnit.SECONDS);
                final long millis = (System.nanoTime() - start) / 1_000_000;
                frames.lastDashboardCheckpointMillis(millis);
                return "checkpoint " + manifest.id() + " complete in " + millis + " ms";
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                throw new Forms.BadRequestException(504, "the checkpoint did not complete within 60 s");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new Forms.BadRequestException(503, "interrupted");
            }
            catch (final java.util.concurrent.ExecutionException | RuntimeException ex)
            {
                throw new Forms.BadRequestException(409, "checkpoint failed: " + (ex.getCause() == null ? ex : ex.getCause()).getMessage());
            }
        }

        private String replay(final Engine engine, final Map<String, String> form)
        {
            final String pipeline = pipeline(engine, form);
            final String offset = blankToNull(form.get("from_offset"));
            final String time = blankToNull(form.get("from_time"));
            if ((offset == null) == (time == null))
            {
                throw new Forms.BadRequestException(400, "replay needs exactly one of from_offset and from_time");
            }
            final long value;
            try
            {
                value = Long.parseLong(offset != null ? offset : time);
            }
            catch (final NumberFormatException ex)
            {
                throw new Forms.BadRequestException(400, (offset != null ? "from_offset" : "from_time") + " must be a whole number, was '" +
                    Forms.abbreviate(offset != null ? offset : time) + "'");
            }
            if (value < 0)
            {
                throw new Forms.BadRequestException(400, "replay position must be >= 0, was " + value);
            }
            try
            {
                if (offset != null)
                {
                    engine.replay(pipeline, value);
                    return "replaying " + pipeline + " from offset " + value;
                }
                engine.replayFromTime(pipeline, value);
                return "replaying " + pipeline + " from time " + value;
            }
            catch (final RuntimeException ex)
            {
                throw new Forms.BadRequestException(409, "replay refused: " + ex.getMessage());
            }
        }

        private String pipeline(final Engine engine, final Map<String, String> form)
        {
            final String pipeline = blankToNull(form.get("pipeline"));
            if (pipeline == null)
            {
                throw new Forms.BadRequestException(400, "the field 'pipeline' is required");
            }
            if (!engine.pipelineNames().contains(pipeline))
            {
                throw new Forms.BadRequestException(404, "no pipeline '" + Forms.abbreviate(pipeline) + "' (pipelines: " +
                    String.join(", ", engine.pipelineNames()) + ")");
            }
            return pipeline;
        }

        private Map<String, String> form(final Request request)
        {
            final long length = request.getLength();
            if (length > MAX_BODY)
            {
                throw new Forms.BadRequestException(413, "request body of " + length + " bytes is larger than " + MAX_BODY + " bytes");
            }
            if (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))
            {
                throw new Forms.BadRequestException(411, "send a Content-Length (at most " + MAX_BODY + " bytes), not a chunked body");
            }
            if (length > 0)
            {
                final String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded"))
                {
                    throw new Forms.BadRequestException(415, "send the fields as application/x-www-form-urlencoded, not " + type);
                }
            }
            try
            {
                return Forms.parse(length == 0 ? "" : Content.Source.asString(request, StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                throw new Forms.BadRequestException(400, "cannot read the request body: " + ex.getMessage());
            }
        }

        private Sessions.Session session(final Request request, final Response response)
        {
            final Sessions.Session session = sessions.find(cookie(request), System.currentTimeMillis());
            if (session != null || users != null)
            {
                return session;
            }
            // No users (loopback only): every browser on this host gets an operator session, as JMX without a password file.
            final Sessions.Session anonymous = sessions.create("local", Users.Role.OPERATOR, System.currentTimeMillis());
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookieHeader(anonymous.id(), -1));
            return anonymous;
        }

        private Sessions.Session requireSession(final Request request, final Response response)
        {
            final Sessions.Session session = sessions.find(cookie(request), System.currentTimeMillis());
            if (session == null)
            {
                throw new Forms.BadRequestException(401, users == null ? "no session: open the dashboard page first" :
                    "authentication required: log in at /login");
            }
            return session;
        }

        private void checkHost(final Request request)
        {
            final String host = request.getHttpURI().getHost();
            if (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT)))
            {
                throw new Forms.BadRequestException(421, "Host '" + (host == null ? "" : Forms.abbreviate(host)) +
                    "' is not this dashboard's (use " + url() + ")");
            }
        }

        private void checkOrigin(final Request request)
        {
            final String origin = request.getHeaders().get(HttpHeader.ORIGIN);
            if (origin == null)
            {
                return;
            }
            final String scheme = settings.tls() ? "https://" : "http://";
            final String host = request.getHttpURI().getHost();
            final int port = request.getHttpURI().getPort();
            final String expected = scheme + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
            if (!origin.equalsIgnoreCase(expected) && !(port == (settings.tls() ? 443 : 80) && origin.equalsIgnoreCase(scheme + host)))
            {
                throw new Forms.BadRequestException(403, "cross-origin request from '" + Forms.abbreviate(origin) + "' refused");
            }
        }

        private void requireMethod(final String method, final Response response, final String... allowed)
        {
            for (final String option : allowed)
            {
                if (option.equals(method))
                {
                    return;
                }
            }
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
            throw new Forms.BadRequestException(405, "method " + Forms.abbreviate(method) + " not allowed here (allowed: " +
                String.join(", ", allowed) + ")");
        }

        private String cookie(final Request request)
        {
            for (final String header : request.getHeaders().getValuesList(HttpHeader.COOKIE))
            {
                for (final String part : header.split(";"))
                {
                    final String trimmed = part.trim();
                    if (trimmed.startsWith(SESSION_COOKIE + "="))
                    {
                        return trimmed.substring(SESSION_COOKIE.length() + 1);
                    }
                }
            }
            return null;
        }

        private String cookieHeader(final String value, final int maxAge)
        {
            return SESSION_COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (settings.tls() ? "; Secure" : "") +
                (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
        }

        private void securityHeaders(final Response response)
        {
            response.getHeaders().put("Content-Security-Policy", CSP);
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the origin check refuses.
            response.getHeaders().put("Referrer-Policy", "same-origin");
            response.getHeaders().put("X-Frame-Options", "DENY");
            if (settings.tls())
            {
                response.getHeaders().put("Strict-Transport-Security", "max-age=31536000");
            }
        }

        private void redirect(final Response response, final Callback callback, final String location)
        {
            response.setStatus(303);
            response.getHeaders().put(HttpHeader.LOCATION, location);
            response.write(true, null, callback);
        }

        private void json(final Response response, final Callback callback, final int status, final String body)
        {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            send(response, callback, status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        private void error(final Response response, final Callback callback, final int status, final String message)
        {
            json(response, callback, status, "{\"status\":" + status + ",\"error\":" + Json.quote(message) + "}");
        }

        private void send(final Response response, final Callback callback, final int status, final String type, final byte[] body)
        {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    private static String blankToNull(final String text)
    {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
