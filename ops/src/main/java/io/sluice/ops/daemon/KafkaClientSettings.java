package io.sluice.ops.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.engine.config.ConfigLimits;
import io.sluice.kafka.KafkaClientProperties;

/**
 * Kafka client settings written in the configuration file ({@code kafka.client_properties} for every
 * Kafka client of the daemon, {@code client_properties} of one Kafka ingress or sink): security
 * settings such as {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}.
 *
 * <pre>{@code
 * kafka:
 *   client_properties:
 *     security.protocol: SASL_SSL
 *     sasl.mechanism: PLAIN
 *     sasl.jaas.config: ${file:/etc/sluice/kafka-jaas.conf}     # a secret: from a file ...
 *     ssl.truststore.location: /etc/sluice/truststore.p12
 *     ssl.truststore.password: ${env:SLUICE_TRUSTSTORE_PASSWORD} # ... or an environment variable
 * }</pre>
 *
 * <p>A value may contain {@code ${env:NAME}} (the environment variable's value) and {@code ${file:PATH}}
 * (the file's content without its trailing line break; a relative path is resolved against the
 * configuration file's directory; a file every user may read is refused). A key Kafka treats as a
 * password ({@link KafkaClientProperties#isSecret}) must take its value that way: written in clear it
 * is refused. Keys Sluice sets itself, or that no Kafka client knows, are refused
 * ({@link KafkaClientProperties#refusal}). Every error names the key and its line, never a value.
 *
 * <p>Threading: the control thread, while the configuration loads.
 */
final class KafkaClientSettings
{
    /** The key of these settings in a Kafka ingress or sink item, and in the top-level {@code kafka} section. */
    static final String KEY = "client_properties";

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    private KafkaClientSettings()
    {
    }

    /**
     * Reads the client properties under a key, resolving the secrets they reference.
     *
     * @param parent the section holding the key.
     * @param env    the environment ({@code System::getenv}; a test passes its own).
     * @return the properties, in file order; empty when the key is absent or after an error.
     */
    static Map<String, String> read(final ConfigSection parent, final UnaryOperator<String> env)
    {
        final Map<String, String> properties = new LinkedHashMap<>();
        if (!parent.has(KEY))
        {
            return properties;
        }
        final ConfigSection section = parent.section(KEY);
        for (final String key : section.keys())
        {
            final String refusal = KafkaClientProperties.refusal(key);
            if (refusal != null)
            {
                section.error(key, refusal);
                continue;
            }
            final String written = section.string(key, null);
            if (written == null)
            {
                continue;
            }
            final String value = resolve(section, key, written, env);
            if (value != null)
            {
                properties.put(key, value);
            }
        }
        return properties;
    }

    /** The value with its references replaced, or null after an error (reported without the value). */
    private static String resolve(final ConfigSection section, final String key, final String written, final UnaryOperator<String> env)
    {
        final Matcher matcher = REFERENCE.matcher(written);
        final StringBuilder value = new StringBuilder();
        boolean referenced = false;
        while (matcher.find())
        {
            referenced = true;
            final String name = matcher.group(2);
            final String replacement = "env".equals(matcher.group(1)) ? environment(section, key, name, env) : file(section, key, name);
            if (replacement == null)
            {
                return null;
            }
            matcher.appendReplacement(value, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(value);
        if (!referenced && KafkaClientProperties.isSecret(key))
        {
            section.error(key, "holds a secret, which must not be written in the configuration file in clear: write " +
                "${env:NAME} (an environment variable of the daemon) or ${file:PATH} (a file only the daemon's user reads) instead");
            return null;
        }
        return value.toString();
    }

    private static String environment(final ConfigSection section, final String key, final String name, final UnaryOperator<String> env)
    {
        final String value = name.isEmpty() ? null : env.apply(name);
        if (value == null)
        {
            section.error(key, "names the environment variable '" + ConfigLimits.value(name) + "', which the daemon's environment does not set");
        }
        return value;
    }

    private static String file(final ConfigSection section, final String key, final String name)
    {
        final Path file;
        try
        {
            file = section.resolve(name);
        }
        catch (final RuntimeException ex)
        {
            section.error(key, "names '" + ConfigLimits.value(name) + "', which is not a valid path");
            return null;
        }
        try
        {
            if (worldReadable(file))
            {
                section.error(key, "names the file " + file + ", which every user of the machine may read: make it readable by " +
                    "the daemon's user only (chmod 600) or its group (chmod 640)");
                return null;
            }
            final String content = Files.readString(file, StandardCharsets.UTF_8);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2) :
                content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        }
        catch (final IOException | RuntimeException ex)
        {
            section.error(key, "names the file " + file + ", which cannot be read (" + ex.getClass().getSimpleName() + ")");
            return null;
        }
    }

    private static boolean worldReadable(final Path file) throws IOException
    {
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.OTHERS_READ);
        }
        catch (final UnsupportedOperationException ex)
        {
            return false; // not a POSIX file system: its access control lists are the operator's
        }
    }

    /**
     * Adds the daemon-wide properties to an item's, where the item does not set the key itself.
     *
     * @param item     the item's properties (live, as the connector context keeps them).
     * @param defaults the {@code kafka.client_properties} of the file.
     */
    static void addDefaults(final java.util.Properties item, final Map<String, String> defaults)
    {
        defaults.forEach(item::putIfAbsent);
    }
}
