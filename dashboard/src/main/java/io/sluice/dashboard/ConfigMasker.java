package io.sluice.dashboard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in configuration text before it is shown: the value of every key whose name says
 * password, secret, token, credential or passphrase, and the user information of URLs
 * ({@code scheme://user:password@host}), also in comments. The daemon's own secrets live in files that are never read
 * for display; this guards against secrets written into the configuration itself.
 */
public final class ConfigMasker
{
    /** What a masked value reads. */
    public static final String MASK = "'*****'";

    private static final Pattern SECRET_KEY = Pattern.compile(
        "(?im)^(\\s*(?:#\\s*)?-?\\s*[\\w.-]*(?:password|passwd|secret|token|credential|passphrase|api_key|apikey)[\\w.-]*\\s*:\\s*)(?!\\s*$)([^#\\n]*)");
    private static final Pattern INLINE_SECRET = Pattern.compile(
        "(?i)([{,]\\s*[\\w.-]*(?:password|passwd|secret|token|credential|passphrase|api_key|apikey)[\\w.-]*\\s*:\\s*)([^,}\\n]+)");
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s:]+):([^/@\\s]+)@");

    private ConfigMasker()
    {
    }

    /**
     * Masks the secrets of a configuration text.
     *
     * @param text YAML (or any {@code key: value} text).
     * @return the text with secret values replaced by {@value #MASK}.
     */
    public static String mask(final String text)
    {
        String masked = SECRET_KEY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        masked = INLINE_SECRET.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        return URL_USER_INFO.matcher(masked).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + ":*****@"));
    }
}
