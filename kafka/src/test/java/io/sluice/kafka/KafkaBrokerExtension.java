package io.sluice.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka 4.4 broker ({@link KafkaTestBroker}) for the tests of one class: started in a fresh
 * directory before the first test, stopped and deleted after the last.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final KafkaBrokerExtension broker = new KafkaBrokerExtension();
 * ...
 * broker.createTopics(3, "in", "out");
 * new KafkaSourceContext().bootstrapServers(broker.bootstrap())...
 * </pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback
{
    private Path directory;
    private KafkaTestBroker broker;

    @Override
    public void beforeAll(final ExtensionContext context) throws IOException
    {
        directory = Files.createTempDirectory("sluice-kafka-broker-");
        broker = KafkaTestBroker.start(directory);
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        try
        {
            if (broker != null)
            {
                broker.close();
            }
        }
        finally
        {
            broker = null;
            delete(directory);
        }
    }

    /**
     * The running broker.
     *
     * @return the broker.
     * @throws IllegalStateException outside the class's tests.
     */
    public KafkaTestBroker broker()
    {
        if (broker == null)
        {
            throw new IllegalStateException("the Kafka test broker runs only during the tests of the class that registers it");
        }
        return broker;
    }

    /**
     * Bootstrap servers of the broker.
     *
     * @return host:port.
     */
    public String bootstrap()
    {
        return broker().bootstrap();
    }

    /**
     * Creates topics and waits until every one is visible with its partitions.
     *
     * @param partitions of each topic.
     * @param names      of the topics.
     */
    public void createTopics(final int partitions, final String... names)
    {
        broker().createTopics(partitions, names);
    }

    private static void delete(final Path directory)
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete the test broker's directory " + directory, ex);
        }
    }
}
