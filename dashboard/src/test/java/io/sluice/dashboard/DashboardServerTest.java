package io.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on its own (no engine yet, as while a daemon starts): refuses to bind a non-loopback
 * address without TLS and users, serves only HTTPS with a Secure cookie when TLS is on (key store made
 * by the JDK's keytool), and refuses event streams beyond its limit with 503.
 */
class DashboardServerTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseARemoteBindWithoutTlsAndUsers()
    {
        final DashboardSettings remote = new DashboardSettings("0.0.0.0", 0, null, null, false, null, null, 1000, 4);
        assertThatThrownBy(() -> DashboardServer.start(remote, sources()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a loopback address: a remote dashboard requires TLS and users");
    }

    @Test
    void shouldServeOnlyHttpsWithASecureSessionCookieWhenTlsIsOn() throws Exception
    {
        final Path keyStore = dir.resolve("server.p12");
        final String password = "store-secret";
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "dashboard", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
            "-storepass", password).redirectErrorStream(true).start();
        assertThat(keytool.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        final Path passwordFile = Files.writeString(dir.resolve("keystore.pass"), password + "\n");
        final Path users = Files.writeString(dir.resolve("users"), "operator op-secret\n");
        final Path access = Files.writeString(dir.resolve("access"), "operator readwrite\n");

        try (DashboardServer server = DashboardServer.start(
            new DashboardSettings("127.0.0.1", 0, users, access, true, keyStore, passwordFile, 1000, 4), sources()))
        {
            assertThat(server.url()).startsWith("https://127.0.0.1:");
            final HttpClient client = HttpClient.newBuilder().sslContext(trusting(keyStore, password))
                .followRedirects(HttpClient.Redirect.NEVER).build();
            final HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(server.url() + "login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=operator&password=op-secret")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(303);
            assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure", "HttpOnly", "SameSite=Strict");
            assertThat(login.headers().firstValue("Strict-Transport-Security")).isPresent();

            // Plain HTTP on the TLS port gets no page.
            final String plain = exchange(server.port(), "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(plain).doesNotContain("200 OK").doesNotContain("<form");
        }
    }

    @Test
    void shouldRefuseEventStreamsBeyondItsLimit() throws Exception
    {
        try (DashboardServer server = DashboardServer.start(
            new DashboardSettings("127.0.0.1", 0, null, null, false, null, null, 200, 1), sources()))
        {
            final String page = exchange(server.port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            final String cookie = page.substring(page.indexOf("sluice_session="), page.indexOf(';', page.indexOf("sluice_session=")));
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port()))
            {
                first.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                final byte[] head = new byte[15];
                assertThat(first.getInputStream().readNBytes(head, 0, head.length)).isEqualTo(head.length);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
                final String second = exchange(server.port(), "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                    "\r\nConnection: close\r\n\r\n");
                assertThat(second).startsWith("HTTP/1.1 503").contains("too many event streams open (1)");
                // With no engine yet, an operation is refused with 503, not an error page.
                final String session = exchange(server.port(), "GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                    "\r\nConnection: close\r\n\r\n");
                final String csrf = session.replaceAll("(?s).*\"csrf\":\"([^\"]+)\".*", "$1");
                assertThat(exchange(server.port(), "POST /api/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie +
                    "\r\nX-Sluice-CSRF: " + csrf + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 503").contains("the engine is not running yet");
            }
        }
    }

    private static String exchange(final int port, final String request) throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port))
        {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            try
            {
                in.transferTo(out);
            }
            catch (final IOException ex)
            {
                // A TLS port may reset a plain client: what was read is the answer.
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static SSLContext trusting(final Path keyStore, final String password) throws Exception
    {
        final KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore))
        {
            server.load(in, password.toCharArray());
        }
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dashboard", server.getCertificate("dashboard"));
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static DashboardSources sources()
    {
        final CountersManager counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 512)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 128)));
        return new DashboardSources("test", () -> null, counters, () -> null, new ResultBoard(1, 16, 16), "data_dir: x\n");
    }

}
