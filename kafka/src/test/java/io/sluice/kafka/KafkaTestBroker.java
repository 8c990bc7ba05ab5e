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
    private KafkaRaftServer server;

    private KafkaTestBroker(final Path directory, final int port, final int controllerPort)
    {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats (first time) and starts a broker, waiting until it answers an admin request.
     *
     * @param directory for the broker's logs and settings.
     * @return the running broker.
     */
    public static KafkaTestBroker start(final Path directory)
    {
        final KafkaTestBroker broker = new KafkaTestBroker(directory, freePort(), freePort());
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
        final KafkaTestBroker broker = new KafkaTestBroker(directory, port, freePort());
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
        props.put("num.partitions", "1");
        // Outputs carry their event time as the Kafka timestamp (1970 in the tests): without this, time retention
        // deletes them at the first retention check, 5 minutes after start.
        props.put("log.retention.ms", "-1");
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
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
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
