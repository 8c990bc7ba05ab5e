package io.sluice.ops.jmx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;

/**
 * Checks JMX credentials against a password file in the JDK management agent's format: one
 * {@code user password} per line, {@code #} comments. The authenticated subject carries a
 * {@link JMXPrincipal} of the user, which the access file's roles apply to.
 *
 * <p>Credentials must be a {@code String[2]}; the connector's serialization filter already refuses
 * anything that is not made of Strings before this runs. Passwords are compared in constant time.
 * The file is read once, at start.
 *
 * <p>Threading: immutable; called from RMI threads.
 */
final class PasswordFileAuthenticator implements JMXAuthenticator
{
    private final Map<String, byte[]> passwords;

    PasswordFileAuthenticator(final Path file)
    {
        final Map<String, byte[]> users = new HashMap<>();
        try
        {
            for (final String raw : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] parts = line.split("\\s+", 2);
                if (parts.length == 2)
                {
                    users.put(parts[0], parts[1].getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read JMX password file " + file, ex);
        }
        this.passwords = Collections.unmodifiableMap(users);
    }

    @Override
    public Subject authenticate(final Object credentials)
    {
        if (!(credentials instanceof String[]) || ((String[])credentials).length != 2)
        {
            throw new SecurityException("authentication required: credentials must be {user, password}");
        }
        final String user = ((String[])credentials)[0];
        final String password = ((String[])credentials)[1];
        final byte[] expected = user == null ? null : passwords.get(user);
        final byte[] given = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
        // Compare even for unknown users, so timing does not tell which users exist.
        final boolean match = MessageDigest.isEqual(expected == null ? new byte[given.length + 1] : expected, given);
        if (expected == null || !match)
        {
            throw new SecurityException("authentication failed: unknown user or wrong password");
        }
        return new Subject(true, Collections.singleton(new JMXPrincipal(user)), Collections.emptySet(), Collections.emptySet());
    }
}
