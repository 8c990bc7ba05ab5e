package io.sluice.ops.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RMIClientSocketFactory;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.rmi.ssl.SslRMIClientSocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.daemon.DaemonTestSupport;
import io.sluice.ops.daemon.MarkFile;

/**
 * A real daemon process with JMX over TLS, a password file and an access file, its key pair and
 * self-signed certificate made by the JDK's {@code keytool} exactly as docs/daemon.md says:
 * <ol>
 *   <li>a client trusting the certificate, with the right credentials, reads attributes and invokes
 *       {@code checkpointNow} (registry and connector both TLS: the stub handed out names
 *       {@link SslRMIClientSocketFactory});</li>
 *   <li>a plain (non-TLS) client is refused, with or without credentials;</li>
 *   <li>a client that does not trust the certificate (the JDK's default trust store) is refused;</li>
 *   <li>{@code sluice ctl status --tls} in its own JVM, with {@code -Djavax.net.ssl.trustStore} as
 *       {@code SLUICE_JAVA_OPTS} would pass it, works; without the trust store it is refused.</li>
 * </ol>
 * And a daemon whose key store password is wrong refuses to start.
 *
 * <p>The in-process TLS client uses the JVM's default {@link SSLContext} (that is what the
 * connector's {@link SslRMIClientSocketFactory} stubs use), so the test sets it to one trusting the
 * test certificate; {@code SslRMIClientSocketFactory} caches the default socket factory for the life
 * of the JVM, which only TLS JMX clients see.
 */
class JmxTlsProcessTest
{
    private static final String STORE_PASSWORD = "k3ystore-pass";
    private static final String TRUST_PASSWORD = "trust-pass";

    private static final String TLS_JMX = """
        jmx:
          host: 127.0.0.1
          password_file: jmx.password
          access_file: jmx.access
          tls:
            enabled: true
            keystore: server.p12
            keystore_password_file: keystore.pass
        """;

    @TempDir
    Path dir;

    @Test
    void shouldServeJmxOnlyOverTlsToClientsThatTrustTheCertificateAndAuthenticate() throws Exception
    {
        final Path trustStore = keyAndTrustStores();

        secret("keystore.pass", STORE_PASSWORD + "\n");
        secret("jmx.password", "reader r3ad\noperator 0p3r\n");
        final Path operatorPassword = secret("operator.pass", "0p3r\n");
        secret("jmx.access", "reader readonly\noperator readwrite\n");

        final SSLContext previous = SSLContext.getDefault();
        try (DaemonTestSupport.Running daemon = DaemonTestSupport.start(dir, TLS_JMX))
        {
            final MarkFile.Info info = daemon.info();
            final String host = info.jmxHost();
            final int port = info.jmxPort();
            assertThat(host).isEqualTo("127.0.0.1");

            // (2) Plain clients: the registry speaks TLS only, with or without credentials.
            assertThatThrownBy(() -> JmxClient.connect(host, port, "operator", "0p3r", false).close())
                .isInstanceOf(IOException.class).hasMessageContaining("non-JRMP server at remote endpoint");
            assertThatThrownBy(() -> JmxClient.connect(host, port, null, null, false).close()).isInstanceOf(IOException.class);
            assertThat(readsPlainBytes(host, port)).as("a plain socket gets no RMI protocol acknowledgement").isFalse();

            // (3) A TLS client that trusts only the JDK's CAs does not trust the self-signed certificate.
            final Map<String, Object> untrusting = new HashMap<>();
            untrusting.put(JMXConnector.CREDENTIALS, new String[] {"operator", "0p3r"});
            untrusting.put("com.sun.jndi.rmi.factory.socket", new ContextSocketFactory(sslContext(null, null)));
            assertThatThrownBy(() -> JMXConnectorFactory.connect(new JMXServiceURL(JmxClient.url(host, port)), untrusting).close())
                .isInstanceOf(IOException.class)
                .satisfies(ex -> assertThat(causes(ex)).anyMatch(c -> c instanceof javax.net.ssl.SSLHandshakeException));

            // (1) A client trusting the certificate: registry and connector over TLS, authenticated, roles apply.
            SSLContext.setDefault(sslContext(trustStore, TRUST_PASSWORD));
            final Object stub = LocateRegistry.getRegistry(host, port, new SslRMIClientSocketFactory()).lookup("jmxrmi");
            assertThat(stub.toString()).as("the connector stub connects with TLS").contains(SslRMIClientSocketFactory.class.getName());
            assertThatThrownBy(() -> JmxClient.connect(host, port, null, null, true).close()).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> JmxClient.connect(host, port, "operator", "wrong", true).close()).isInstanceOf(SecurityException.class);
            try (JmxClient reader = JmxClient.connect(host, port, "reader", "r3ad", true))
            {
                assertThat(reader.engine().getState()).isEqualTo("RUNNING");
                assertThatThrownBy(() -> reader.engine().checkpointNow()).isInstanceOf(SecurityException.class);
            }
            try (JmxClient operator = JmxClient.connect(host, port, "operator", "0p3r", true))
            {
                assertThat(operator.engine().getState()).isEqualTo("RUNNING");
                assertThat(operator.engine().getPipelines()).contains("vol");
                assertThat(operator.engine().checkpointNow()).contains("complete");
            }

            // (4) sluice ctl status --tls in its own JVM, trust store as SLUICE_JAVA_OPTS would give it.
            final String address = host + ":" + port;
            final Ctl trusted = ctl(List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD),
                "status", "--jmx", address, "--tls", "-u", "operator", "--password-file", operatorPassword.toString());
            assertThat(trusted.code).as(trusted.output).isZero();
            assertThat(trusted.output).contains("RUNNING").contains("vol").contains("big");
            final Ctl untrusted = ctl(List.of(), "status", "--jmx", address, "--tls", "-u", "operator", "--password-file", operatorPassword.toString());
            assertThat(untrusted.code).as(untrusted.output).isNotZero();
            assertThat(untrusted.output).contains("cannot connect to JMX at " + address);

            assertThat(daemon.process().terminate()).isZero();
        }
        finally
        {
            SSLContext.setDefault(previous);
        }
    }

    /**
     * The daemon's key store (server.p12) and the clients' trust store, made as docs/daemon.md says.
     *
     * @return the trust store.
     */
    @Test
    void shouldRefuseToStartWithAWrongKeyStorePassword() throws Exception
    {
        keyStore();
        secret("keystore.pass", "not-the-password\n");
        secret("jmx.password", "operator 0p3r\n");
        secret("jmx.access", "operator readwrite\n");
        assertThatThrownBy(() -> DaemonTestSupport.start(dir, TLS_JMX).close())
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("daemon exited with")
            .hasMessageContaining("cannot start JMX on 127.0.0.1:");
    }

    private Path keyAndTrustStores() throws Exception
    {
        final Path keyStore = keyStore();
        final Path certificate = dir.resolve("server.crt");
        final Path trustStore = dir.resolve("client-truststore.p12");
        keytool("-exportcert", "-rfc", "-alias", "sluice-jmx", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
            "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "sluice-jmx", "-file", certificate.toString(),
            "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", TRUST_PASSWORD);
        return trustStore;
    }

    private Path keyStore() throws Exception
    {
        final Path keyStore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "sluice-jmx", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD);
        return keyStore;
    }

    private Path secret(final String name, final String content) throws IOException
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private void keytool(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");
        command.addAll(Arrays.asList(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", String.join(" ", args), output).isZero();
    }

    private Ctl ctl(final List<String> javaOptions, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(javaOptions);
        command.add("-cp");
        final String surefire = System.getProperty("surefire.test.class.path");
        command.add(surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
        command.add("io.sluice.ops.SluiceMain");
        command.add("ctl");
        command.addAll(Arrays.asList(args));
        command.removeIf(String::isEmpty);
        final Path log = Files.createTempFile(dir, "ctl", ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("ctl did not finish within 180 s:\n" + Files.readString(log));
        }
        return new Ctl(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private record Ctl(int code, String output)
    {
    }

    /**
     * A plain TCP client sending the JRMP header must not get the RMI protocol acknowledgement (0x4E).
     */
    private static boolean readsPlainBytes(final String host, final int port) throws IOException
    {
        try (Socket socket = new Socket(host, port))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(new byte[] {'J', 'R', 'M', 'I', 0, 2, 0x4B});
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            return in.read() == 0x4E;
        }
        catch (final java.net.SocketException ex)
        {
            return false;
        }
    }

    private static SSLContext sslContext(final Path trustStore, final String password) throws Exception
    {
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore == null ? null : KeyStore.getInstance(trustStore.toFile(), password.toCharArray()));
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static List<Throwable> causes(final Throwable ex)
    {
        final List<Throwable> causes = new ArrayList<>();
        for (Throwable t = ex; t != null && !causes.contains(t); t = t.getCause())
        {
            causes.add(t);
        }
        return causes;
    }

    /**
     * Client sockets from one SSL context (for the registry lookup of a client with its own trust).
     */
    private static final class ContextSocketFactory implements RMIClientSocketFactory
    {
        private final SSLContext context;

        ContextSocketFactory(final SSLContext context)
        {
            this.context = context;
        }

        @Override
        public Socket createSocket(final String host, final int port) throws IOException
        {
            final javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)context.getSocketFactory().createSocket(host, port);
            socket.startHandshake();
            return socket;
        }
    }
}
