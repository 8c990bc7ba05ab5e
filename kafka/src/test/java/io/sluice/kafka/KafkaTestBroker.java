package io.sluice.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real Apache Kafka 4.4 broker for tests: one KRaft node (broker + controller combined) in this JVM,
 * listening on loopback ports picked free, its log directory formatted on first start (and kept, so
 * a restart sees its data). Single-node replication settings so transactions and groups work.
 */
public final class KafkaTestBroker implements AutoCloseable
{
    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final boolean secured;
    /** A second listener {@code PROXIED}: its port, and the port it is advertised on (a proxy's), or 0. */
    private int proxiedPort;
    private int proxiedAdvertisedPort;
    private KafkaRaftServer server;

    /** The super user of a secured broker. */
    public static final String ADMIN = "admin";
    /** A user of a secured broker with no permission but those a test grants. */
    public static final String USER = "alice";

    private KafkaTestBroker(final Path directory, final int port, final int controllerPort, final boolean secured)
    {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.secured = secured;
    }

    /**
     * Starts a broker that authenticates clients with SASL/PLAIN on loopback and authorizes them with
     * KRaft's StandardAuthorizer and ACLs: {@value #ADMIN} is a super user, {@value #USER} may do only
     * what a test grants it (no ACL found means denied).
     *
     * @param directory for the broker's logs and settings.
     * @return the running broker.
     */
    public static KafkaTestBroker startSecured(final Path directory)
    {
        final int[] ports = freePorts(2);
        final KafkaTestBroker broker = new KafkaTestBroker(directory, ports[0], ports[1], true);
        broker.startServer();
        return broker;
    }

    /**
     * Client settings to authenticate as a user of a secured broker.
     *
     * @param user {@value #ADMIN} or {@value #USER}.
     * @return the properties, for {@code clientProperties} of a source or sink or a client's configuration.
     */
    public static Map<String, String> clientProperties(final String user)
    {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user +
                "\" password=\"" + user + "-secret\";");
    }

    /**
     * Formats (first time) and starts a broker, waiting until it answers an admin request.
     *
     * @param directory for the broker's logs and settings.
     * @return the running broker.
     */
    public static KafkaTestBroker start(final Path directory)
    {
        final int[] ports = freePorts(2);
        final KafkaTestBroker broker = new KafkaTestBroker(directory, ports[0], ports[1], false);
        broker.startServer();
        return broker;
    }

    /**
     * Starts a broker on a given port (a test that starts its client first, on {@link #unreachable()}'s port).
     *
     * @param directory for the broker's logs and settings.
     * @param port      of the broker's listener.
     * @return the running broker.
     */
    public static KafkaTestBroker start(final Path directory, final int port)
    {
        int controllerPort = freePort();
        while (controllerPort == port)
        {
            controllerPort = freePort();
        }
        final KafkaTestBroker broker = new KafkaTestBroker(directory, port, controllerPort, false);
        broker.startServer();
        return broker;
    }

    /**
     * Starts a broker with a second listener, {@code PROXIED}, advertised on {@code advertisedPort}: clients
     * that bootstrap there (through a proxy forwarding to {@code proxiedPort}) reach the broker only through
     * that proxy, since a broker's metadata names the endpoints of the listener a client connected to.
     *
     * @param directory      for the broker's logs and settings.
     * @param proxiedPort    of the second listener.
     * @param advertisedPort the proxy's port, advertised for the second listener.
     * @return the running broker.
     */
    public static KafkaTestBroker startProxied(final Path directory, final int proxiedPort, final int advertisedPort)
    {
        int[] ports = freePorts(2);
        while (ports[0] == proxiedPort || ports[1] == proxiedPort || ports[0] == advertisedPort || ports[1] == advertisedPort)
        {
            ports = freePorts(2);
        }
        final KafkaTestBroker broker = new KafkaTestBroker(directory, ports[0], ports[1], false);
        broker.proxiedPort = proxiedPort;
        broker.proxiedAdvertisedPort = advertisedPort;
        broker.startServer();
        return broker;
    }

    /** Bootstrap servers of the broker. */
    public String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    /** A port nothing listens on, for unreachable-broker tests. */
    public static String unreachable()
    {
        return "127.0.0.1:" + freePort();
    }

    private void startServer()
    {
        final Properties props = properties();
        final Path logs = directory.resolve("logs");
        try
        {
            Files.createDirectories(directory);
            final Path file = directory.resolve("server.properties");
            try (var out = Files.newBufferedWriter(file))
            {
                props.store(out, "sluice test broker");
            }
            if (!Files.exists(logs.resolve("meta.properties")))
            {
                final int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()},
                    new PrintStream(java.io.OutputStream.nullOutputStream()));
                if (rc != 0)
                {
                    throw new IllegalStateException("formatting the Kafka log directory " + logs + " failed: " + rc);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        server.startup();
        awaitReady();
    }

    private Properties properties()
    {
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", directory.resolve("logs").toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "3");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The broker heartbeats to its own controller (every 2 s); by default a broker not heard of for 9 s is fenced,
        // and with its only broker fenced the controller refuses topic creation ("All brokers are currently fenced")
        // and moves partition leadership away. Under a load of 40-60 on two cores, with the clients' and the tests' GC
        // in the same JVM, a heartbeat took longer (section 46): only a broker silent for a minute is fenced here.
        props.put("broker.session.timeout.ms", "60000");
        props.put("num.partitions", "1");
        // Outputs carry their event time as the Kafka timestamp (1970 in the tests): without this, time retention
        // deletes them at the first retention check, 5 minutes after start.
        props.put("log.retention.ms", "-1");
        if (proxiedPort != 0)
        {
            props.put("listeners", props.get("listeners") + ",PROXIED://127.0.0.1:" + proxiedPort);
            props.put("advertised.listeners", props.get("advertised.listeners") + ",PROXIED://127.0.0.1:" + proxiedAdvertisedPort);
            props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ",PROXIED:PLAINTEXT");
        }
        if (secured)
        {
            props.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
            props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
            props.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\"" + ADMIN +
                "-secret\" user_" + ADMIN + "=\"" + ADMIN + "-secret\" user_" + USER + "=\"" + USER + "-secret\";");
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // The controller listener is PLAINTEXT on loopback: the broker registers with the controller as ANONYMOUS.
            props.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
            props.put("allow.everyone.if.no.acl.found", "false");
        }
        return props;
    }

    private void awaitReady()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = admin())
        {
            while (true)
            {
                try
                {
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    return;
                }
                catch (final ExecutionException | java.util.concurrent.TimeoutException ex)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException("Kafka broker on " + bootstrap() + " did not become ready", ex);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            }
        }
    }

    /** An admin client for the broker; close it. */
    public Admin admin()
    {
        final Map<String, Object> config = new java.util.HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
        if (secured)
        {
            config.putAll(clientProperties(ADMIN));
        }
        return Admin.create(config);
    }

    /**
     * Revokes an operation {@link #allow} granted {@value #USER} on a resource, and waits until the broker
     * no longer lists the grant.
     *
     * @param type      of the resource (topic, group, transactional id).
     * @param name      of the resource, or its prefix.
     * @param pattern   LITERAL or PREFIXED.
     * @param operation no longer allowed.
     */
    public void revoke(final org.apache.kafka.common.resource.ResourceType type, final String name,
        final org.apache.kafka.common.resource.PatternType pattern, final org.apache.kafka.common.acl.AclOperation operation)
    {
        final org.apache.kafka.common.acl.AclBinding binding = binding(type, name, pattern, operation);
        try (Admin admin = admin())
        {
            admin.deleteAcls(List.of(binding.toFilter())).all().get(60, TimeUnit.SECONDS);
            awaitDescribed(admin, binding, false);
        }
        catch (final InterruptedException | ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalStateException("cannot revoke " + operation + " on " + type + " " + name, ex);
        }
    }

    /**
     * Grants {@value #USER} an operation on a resource (a secured broker's ACLs), and waits for the grant.
     *
     * @param type      of the resource (topic, group, transactional id).
     * @param name      of the resource, or its prefix.
     * @param pattern   LITERAL or PREFIXED.
     * @param operation allowed.
     */
    public void allow(final org.apache.kafka.common.resource.ResourceType type, final String name,
        final org.apache.kafka.common.resource.PatternType pattern, final org.apache.kafka.common.acl.AclOperation operation)
    {
        final org.apache.kafka.common.acl.AclBinding binding = binding(type, name, pattern, operation);
        try (Admin admin = admin())
        {
            admin.createAcls(List.of(binding)).all().get(60, TimeUnit.SECONDS);
            // The controller has it; the broker's authorizer has it once the broker describes it (metadata propagates).
            awaitDescribed(admin, binding, true);
        }
        catch (final InterruptedException | ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalStateException("cannot grant " + operation + " on " + type + " " + name, ex);
        }
    }

    private static org.apache.kafka.common.acl.AclBinding binding(final org.apache.kafka.common.resource.ResourceType type,
        final String name, final org.apache.kafka.common.resource.PatternType pattern, final org.apache.kafka.common.acl.AclOperation operation)
    {
        return new org.apache.kafka.common.acl.AclBinding(
            new org.apache.kafka.common.resource.ResourcePattern(type, name, pattern),
            new org.apache.kafka.common.acl.AccessControlEntry("User:" + USER, "*", operation,
                org.apache.kafka.common.acl.AclPermissionType.ALLOW));
    }

    /** Waits until the broker describes the binding ({@code present}) or no longer does. */
    private static void awaitDescribed(final Admin admin, final org.apache.kafka.common.acl.AclBinding binding, final boolean present)
    {
        KafkaTestSupport.await((present ? "the broker applying " : "the broker dropping ") + binding, () ->
        {
            try
            {
                return admin.describeAcls(binding.toFilter()).values().get(60, TimeUnit.SECONDS).contains(binding) == present;
            }
            catch (final InterruptedException | ExecutionException | java.util.concurrent.TimeoutException ex)
            {
                throw new IllegalStateException("cannot describe " + binding, ex);
            }
        });
    }

    /**
     * Creates topics and waits until every one is visible with its partitions.
     *
     * @param partitions of each topic.
     * @param names      of the topics.
     */
    public void createTopics(final int partitions, final String... names)
    {
        try (Admin admin = admin())
        {
            final Collection<NewTopic> topics = java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short)1)).toList();
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!visible(admin, partitions, names))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("topics " + List.of(names) + " did not become ready");
                }
                Thread.sleep(50);
            }
        }
        catch (final InterruptedException | ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalStateException("cannot create topics " + List.of(names), ex);
        }
    }

    /** Whether the topics are described with all their partitions led; false while metadata propagates. */
    private static boolean visible(final Admin admin, final int partitions, final String... names)
        throws InterruptedException, java.util.concurrent.TimeoutException, ExecutionException
    {
        try
        {
            return admin.describeTopics(List.of(names)).allTopicNames().get(60, TimeUnit.SECONDS).values().stream()
                .allMatch(d -> d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null));
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            {
                return false;
            }
            throw ex;
        }
    }

    /** How long a client should wait for anything here, generous for a loaded machine. */
    static Duration patience()
    {
        return Duration.ofSeconds(120);
    }

    /**
     * Stops the broker cleanly, keeping its data, ports and settings for {@link #restart()}: clients find no
     * broker on its address meanwhile.
     */
    public void stop()
    {
        close();
    }

    /** Starts the stopped broker again on the same ports with the same data, waiting until it answers. */
    public void restart()
    {
        if (server != null)
        {
            throw new IllegalStateException("the Kafka test broker on " + bootstrap() + " runs already");
        }
        startServer();
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /**
     * Distinct free loopback ports: every socket is held until all are bound, so two calls in a row cannot
     * hand out the same port for the broker's listener and its controller.
     */
    private static int[] freePorts(final int count)
    {
        final ServerSocket[] sockets = new ServerSocket[count];
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                if (socket != null)
                {
                    try
                    {
                        socket.close();
                    }
                    catch (final IOException ignore)
                    {
                        // a port that did not close stays out of use: nothing to do
                    }
                }
            }
        }
    }

    /**
     * Distinct free loopback ports (see {@link #freePorts}).
     *
     * @param count of ports.
     * @return the ports.
     */
    public static int[] ports(final int count)
    {
        return freePorts(count);
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
