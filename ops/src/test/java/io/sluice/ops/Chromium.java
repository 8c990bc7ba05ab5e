package io.sluice.ops;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (packages {@code chromium} and
 * {@code chromium-driver}, which {@code .ci/run} installs). Without them a test fails with a message
 * saying what to install; nothing is downloaded and nothing is skipped.
 */
final class Chromium
{
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium()
    {
    }

    /**
     * Starts a headless browser with a fresh profile and no background networking.
     *
     * @param profile an empty directory for the profile.
     * @return the driver; quit it.
     */
    static ChromeDriver start(final Path profile)
    {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER))
        {
            throw new AssertionError("the dashboard browser tests need Debian's Chromium and ChromeDriver at " + BROWSER + " and " +
                DRIVER + ": apt-get install chromium chromium-driver (.ci/run installs them)");
        }
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1440,2150", "--force-device-scale-factor=1");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER.toString()))
            .usingAnyFreePort()
            .build();
        return new ChromeDriver(service, options);
    }
}
