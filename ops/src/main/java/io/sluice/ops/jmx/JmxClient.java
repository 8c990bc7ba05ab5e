package io.sluice.ops.jmx;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/**
 * A JMX client for the daemon's connector, as {@code sluice ctl} and tests use it: typed MXBean
 * proxies over one connection.
 *
 * <p>Threading: one thread at a time.
 */
public final class JmxClient implements AutoCloseable
{
    private final JMXConnector connector;
    private final MBeanServerConnection connection;

    private JmxClient(final JMXConnector connector) throws IOException
    {
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
    }

    /**
     * The service URL of a daemon's connector.
     *
     * @param host of the connector.
     * @param port of its registry.
     * @return the URL.
     */
    public static String url(final String host, final int port)
    {
        final String h = host.contains(":") ? "[" + host + "]" : host;
        return "service:jmx:rmi:///jndi/rmi://" + h + ":" + port + "/jmxrmi";
    }

    /**
     * Connects.
     *
     * @param host     of the connector.
     * @param port     of its registry.
     * @param user     or null without authentication.
     * @param password of the user.
     * @param tls      whether registry and connector use TLS (trust store from javax.net.ssl.trustStore).
     * @return the connected client.
     * @throws IOException if the connection fails.
     * @throws SecurityException if authentication fails.
     */
    public static JmxClient connect(final String host, final int port, final String user, final String password, final boolean tls)
        throws IOException
    {
        final Map<String, Object> env = new HashMap<>();
        if (user != null)
        {
            env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        }
        if (tls)
        {
            env.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
        }
        return new JmxClient(JMXConnectorFactory.connect(new JMXServiceURL(url(host, port)), env));
    }

    /**
     * The raw connection.
     *
     * @return the connection.
     */
    public MBeanServerConnection connection()
    {
        return connection;
    }

    /**
     * The engine bean.
     *
     * @return a proxy.
     */
    public EngineMXBean engine()
    {
        return JMX.newMXBeanProxy(connection, ObjectNames.engine(), EngineMXBean.class);
    }

    /**
     * The daemon's ingress and egress components (their counters, the state of the network endpoints).
     *
     * @return a proxy.
     */
    public ComponentsMXBean components()
    {
        return JMX.newMXBeanProxy(connection, ObjectNames.components(), ComponentsMXBean.class);
    }

    /**
     * The scale-out bean of a {@code scale_out} daemon.
     *
     * @return a proxy, or null when the daemon runs every partition itself.
     * @throws IOException if the connection fails.
     */
    public ScaleOutMXBean scaleOut() throws IOException
    {
        return connection.isRegistered(ObjectNames.scaleOut()) ?
            JMX.newMXBeanProxy(connection, ObjectNames.scaleOut(), ScaleOutMXBean.class) : null;
    }

    /**
     * The Kafka ingress beans of a daemon that runs every partition in its own engine.
     *
     * @return proxies, ordered by source topic; empty when there is none.
     * @throws IOException if the connection fails.
     */
    public java.util.List<KafkaIngressMXBean> kafkaIngress() throws IOException
    {
        final java.util.List<KafkaIngressMXBean> beans = new java.util.ArrayList<>();
        for (final javax.management.ObjectName name : new java.util.TreeSet<>(connection.queryNames(ObjectNames.all("KafkaIngress"), null)))
        {
            beans.add(JMX.newMXBeanProxy(connection, name, KafkaIngressMXBean.class));
        }
        return beans;
    }

    /**
     * A pipeline bean.
     *
     * @param pipeline name.
     * @return a proxy.
     */
    public PipelineMXBean pipeline(final String pipeline)
    {
        return JMX.newMXBeanProxy(connection, ObjectNames.pipeline(pipeline), PipelineMXBean.class);
    }

    /**
     * A partition bean.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @return a proxy.
     */
    public PartitionMXBean partition(final String topic, final int partition)
    {
        return JMX.newMXBeanProxy(connection, ObjectNames.partition(topic, partition), PartitionMXBean.class);
    }

    @Override
    public void close() throws IOException
    {
        connector.close();
    }
}
