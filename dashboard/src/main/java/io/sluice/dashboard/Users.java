package io.sluice.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * The dashboard's users: the daemon's JMX password file ({@code user password} per line, {@code #}
 * comments) and access file ({@code user readonly|readwrite ...}), read once at start, so one set of
 * users and roles guards JMX and the dashboard alike. Passwords are compared in constant time, also
 * for unknown users.
 *
 * <p>Threading: immutable; called from server threads.
 */
final class Users
{
    /** What a user may do. */
    enum Role
    {
        /** Sees everything, runs nothing ({@code readonly}). */
        READER,
        /** Also checkpoints, pauses, resumes and replays ({@code readwrite}). */
        OPERATOR
    }

    private final Map<String, byte[]> passwords;
    private final Map<String, Role> roles;

    private Users(final Map<String, byte[]> passwords, final Map<String, Role> roles)
    {
        this.passwords = passwords;
        this.roles = roles;
    }

    /**
     * Reads the files.
     *
     * @param passwordFile JDK-format password file.
     * @param accessFile   JDK-format access file.
     * @return the users.
     * @throws UncheckedIOException if a file cannot be read.
     */
    static Users load(final Path passwordFile, final Path accessFile)
    {
        final Map<String, byte[]> passwords = new HashMap<>();
        final Map<String, Role> roles = new HashMap<>();
        for (final String[] parts : lines(passwordFile))
        {
            passwords.put(parts[0], parts[1].getBytes(StandardCharsets.UTF_8));
        }
        for (final String[] parts : lines(accessFile))
        {
            final String access = parts[1].split("\\s+")[0];
            roles.put(parts[0], "readwrite".equals(access) ? Role.OPERATOR : Role.READER);
        }
        return new Users(Map.copyOf(passwords), Map.copyOf(roles));
    }

    private static Iterable<String[]> lines(final Path file)
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> line.split("\\s+", 2))
                .filter(parts -> parts.length == 2)
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    /**
     * Checks a user's password.
     *
     * @param user     name.
     * @param password given.
     * @return the user's role, or null if the user is unknown, the password wrong or the user has no role.
     */
    Role authenticate(final String user, final String password)
    {
        final byte[] expected = user == null ? null : passwords.get(user);
        final byte[] given = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
        final boolean match = MessageDigest.isEqual(expected == null ? new byte[given.length + 1] : expected, given);
        return expected != null && match ? roles.get(user) : null;
    }
}
