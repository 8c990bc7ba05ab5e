package io.sluice.ops.jmx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;

import io.sluice.engine.runtime.Engine;

/**
 * Registers the Sluice MXBeans in the platform MBean server and, when enabled, serves them over an
 * RMI connector of its own (not the JDK agent's), with secure defaults:
 * <ul>
 *   <li>the RMI registry and the connector share one port and bind to the configured host, loopback
 *       by default; stubs name that host ({@code java.rmi.server.hostname});</li>
 *   <li>with a password file, every connection authenticates ({@link PasswordFileAuthenticator}) and
 *       the access file's roles apply (JDK semantics: {@code readonly} users read attributes only;
 *       {@code readwrite} may invoke operations; creating MBeans needs {@code readwrite create});</li>
 *   <li>the credentials are deserialized under the filter {@value #CREDENTIALS_FILTER} (Strings and
 *       String arrays only) and operation parameters under {@value #SERIAL_FILTER};</li>
 *   <li>with TLS, registry and connector sockets are TLS (1.2/1.3) from the configured key store.</li>
 * </ul>
 * Remote (non-loopback) binding without authentication and TLS is refused by the configuration.
 *
 * <p>Threading: started and closed on the daemon's control thread; beans run on RMI threads.
 */
public final class JmxServer implements AutoCloseable
{
    /** Deserialization filter for credentials: Strings (and arrays of them) only. */
    public static final String CREDENTIALS_FILTER = "maxdepth=2;maxarray=2;java.lang.String;!*";
    /** Deserialization filter for operation parameters and attribute values of incoming requests. */
    public static final String SERIAL_FILTER =
        "maxdepth=20;maxarray=100000;java.lang.*;java.math.BigInteger;java.math.BigDecimal;java.util.*;" +
        "java.rmi.MarshalledObject;javax.management.*;javax.management.openmbean.*;javax.security.auth.Subject;!*";

    private final List<ObjectName> registered = new ArrayList<>();
    private final MBeanServer mbeanServer = ManagementFactory.getPlatformMBeanServer();
    private Registry registry;
    private RMIJRMPServerImpl rmiServer;
    private JMXConnectorServer connectorServer;
    private String host;
    private int port;

    private JmxServer()
    {
    }

    /**
     * Registers the beans and starts the connector server if enabled.
     *
     * @param settings of the connector.
     * @param daemon   the beans read and steer.
     * @return the running server.
     * @throws IllegalStateException if the connector cannot start (port taken, bad key store).
     */
    public static JmxServer start(final JmxSettings settings, final DaemonControl daemon)
    {
        final JmxServer server = new JmxServer();
        try
        {
            server.registerBeans(daemon);
            if (settings.enabled())
            {
                server.startConnector(settings);
            }
            return server;
        }
        catch (final Exception ex)
        {
            server.close();
            throw new IllegalStateException("cannot start JMX on " + settings.host() + ":" + settings.port() + ": " + ex, ex);
        }
    }

    private void registerBeans(final DaemonControl daemon) throws Exception
    {
        final CounterIndex counters = new CounterIndex(daemon.counters());
        final Engine engine = daemon.engine();
        register(ObjectNames.engine(), new EngineBean(daemon, counters));
        register(ObjectNames.components(), new ComponentsBean(daemon.counters()));
        for (final KafkaIngressControl ingress : daemon.kafkaIngress())
        {
            register(ObjectNames.kafkaIngress(ingress.settings().sluiceTopic()), new KafkaIngressBean(daemon.counters(), ingress));
        }
        if (daemon.scaleOut() != null)
        {
            register(ObjectNames.scaleOut(), new ScaleOutBean(daemon.counters(), daemon.scaleOut()));
        }
        if (engine == null)
        {
            return; // a scale-out daemon: its pipelines and partitions run in the engines of the partitions it owns
        }
        for (final String pipeline : engine.pipelineNames())
        {
            final String topic = engine.pipeline(pipeline).sourceTopic();
            register(ObjectNames.pipeline(pipeline), new PipelineBean(daemon, counters, pipeline, topic, engine.journalTopicOf(topic),
                engine.partitionCount()));
        }
        for (final String topic : engine.topicNames())
        {
            for (int p = 0; p < engine.partitionCount(); p++)
            {
                register(ObjectNames.partition(topic, p), new PartitionBean(counters, daemon, topic, engine.journalTopicOf(topic), p));
            }
        }
    }

    private void register(final ObjectName name, final Object bean) throws Exception
    {
        if (mbeanServer.isRegistered(name))
        {
            mbeanServer.unregisterMBean(name);
        }
        mbeanServer.registerMBean(bean, name);
        registered.add(name);
    }

    private void startConnector(final JmxSettings settings) throws Exception
    {
        final InetAddress address = InetAddress.getByName(settings.host());
        host = settings.host();
        port = settings.port() != 0 ? settings.port() : freePort(address);
        final SSLContext ssl = settings.tls() ? sslContext(settings) : null;
        final BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(address, ssl);
        final RMIClientSocketFactory clientSockets = ssl == null ? null : new SslRMIClientSocketFactory();
        // Stubs handed to clients name this host; the default would be the machine's primary address.
        System.setProperty("java.rmi.server.hostname", host);

        final Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.CREDENTIALS_FILTER_PATTERN, CREDENTIALS_FILTER);
        env.put("jmx.remote.rmi.server.serial.filter.pattern", SERIAL_FILTER);
        if (settings.passwordFile() != null)
        {
            env.put(JMXConnectorServer.AUTHENTICATOR, new PasswordFileAuthenticator(settings.passwordFile()));
            env.put("jmx.remote.x.access.file", settings.accessFile().toString());
        }
        if (clientSockets != null)
        {
            env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
        }
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);

        registry = LocateRegistry.createRegistry(port, clientSockets, serverSockets);
        rmiServer = new RMIJRMPServerImpl(port, clientSockets, serverSockets, env);
        connectorServer = new RMIConnectorServer(new JMXServiceURL("rmi", host, port), env, rmiServer, mbeanServer);
        connectorServer.start();
        registry.bind("jmxrmi", rmiServer.toStub());
    }

    private static SSLContext sslContext(final JmxSettings settings) throws Exception
    {
        final char[] password = Files.readAllLines(settings.keyStorePasswordFile(), StandardCharsets.UTF_8).get(0).strip().toCharArray();
        final KeyStore keyStore = KeyStore.getInstance(settings.keyStore().toFile(), password);
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static int freePort(final InetAddress address)
    {
        try (ServerSocket socket = new ServerSocket(0, 1, address))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free port on " + address, ex);
        }
    }

    /**
     * The host the connector is bound to, or null when the connector is off.
     *
     * @return the host.
     */
    public String host()
    {
        return host;
    }

    /**
     * The connector's port, 0 when the connector is off.
     *
     * @return the port.
     */
    public int port()
    {
        return port;
    }

    /**
     * The URL clients connect to, or null when the connector is off.
     *
     * @return {@code service:jmx:rmi:///jndi/rmi://host:port/jmxrmi}.
     */
    public String url()
    {
        return connectorServer == null ? null : JmxClient.url(host, port);
    }

    /**
     * Stops the connector and unregisters the beans; idempotent.
     */
    @Override
    public void close()
    {
        if (connectorServer != null)
        {
            try
            {
                connectorServer.stop();
            }
            catch (final IOException ex)
            {
                // Stopping: nothing more to do with a connector that failed to stop cleanly.
            }
            connectorServer = null;
        }
        if (registry != null)
        {
            try
            {
                UnicastRemoteObject.unexportObject(registry, true);
            }
            catch (final NoSuchObjectException ex)
            {
                // Already unexported.
            }
            registry = null;
        }
        for (final ObjectName name : registered)
        {
            try
            {
                mbeanServer.unregisterMBean(name);
            }
            catch (final Exception ex)
            {
                // Already gone.
            }
        }
        registered.clear();
    }
}
