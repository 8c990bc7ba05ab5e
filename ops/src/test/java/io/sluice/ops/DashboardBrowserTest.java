package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.sluice.dashboard.DashboardServer;
import io.sluice.loadgen.FraudRules;
import io.sluice.loadgen.InjectedPattern;
import io.sluice.loadgen.Workload;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.stat.CountersFile;

/**
 * The dashboard of a real {@code sluice run} process fed by the load generator over Aeron, opened in
 * a real headless Chromium: it logs in, sees throughput and the result table update, sees the
 * injected fraud pattern in the alert feed, is refused an operation without the operator role, and
 * saves a screenshot ({@code ops/target/dashboard.png}; {@code -Dsluice.dashboard.screenshot=../docs/dashboard.png}
 * refreshes the one in the docs). Over raw HTTP: unauthenticated, wrong-role,
 * cross-origin, CSRF-less, oversized and malformed requests get clear errors. A stream that stops
 * reading has frames dropped while the pipelines take every event (counters prove it). Waits are on
 * conditions with generous deadlines, never fixed sleeps.
 */
class DashboardBrowserTest
{
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final long SEED = 42;
    private static final int RATE = 2_500;
    /**
     * The load's length. The page's live checks (totals moving, throughput above zero, the result table changing) hold
     * only while the load runs; at load average ~100 Chromium took more than 30 s to reach the last of them once.
     */
    private static final int SECONDS = 60;
    private static final Pattern DASHBOARD_LINE = Pattern.compile("dashboard at (http://127\\.0\\.0\\.1:(\\d+)/)");
    private static final String CARD_SPEND = """
          - name: card-spend
            source: cards
            schema: card_tx
            partition_key: card
            event_time: ts
            max_out_of_orderness: 1000ms
            window: {kind: tumbling, size: 60000ms, early: true}
            aggregates: [{charges: count}, {spend: sum(amount)}, {largest: max(amount)}]
            sink: card-spend
        """;

    @TempDir
    Path dir;

    @Test
    void shouldShowLiveResultsAndAlertsInChromiumAndRefuseWhatARoleMayNotDo() throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final Path data = dir.resolve("data");
        final String[] load = {"loadgen", "--scenario", "card", "--target", "aeron", "--channel", channel,
            "--daemon-dir", data.toString(), "--rate", String.valueOf(RATE), "--duration", String.valueOf(SECONDS), "--warm-up", "0",
            "--seed", String.valueOf(SEED)};
        final Path config = writeConfig(load);
        final Path log = dir.resolve("daemon.log");
        final Process daemon = startDaemon(config, log);
        ChromeDriver browser = null;
        try
        {
            awaitTrue(() -> DASHBOARD_LINE.matcher(read(log)).find() && read(log).contains("running:"), daemon, log, "daemon start");
            final Matcher line = DASHBOARD_LINE.matcher(read(log));
            assertThat(line.find()).isTrue();
            final String url = line.group(1);
            final int port = Integer.parseInt(line.group(2));

            refusesWhatItMust(port);

            // The browser starts and logs in before the load: what the page must show while the load runs then
            // has the load's whole length, however long Chromium takes to start on a busy machine.
            browser = Chromium.start(Files.createDirectories(dir.resolve("chromium-profile")));
            final WebDriverWait wait = new WebDriverWait(browser, DEADLINE);
            browser.get(url);
            wait.until(d -> d.getCurrentUrl().endsWith("/login"));
            browser.findElement(By.id("login-user")).sendKeys("reader");
            browser.findElement(By.id("login-password")).sendKeys("read-secret");
            browser.findElement(By.id("login-submit")).click();
            wait.until(d -> "RUNNING".equals(text(d, "state")) && "reader".equals(text(d, "user")));
            assertThat(text(browser, "role")).isEqualTo("reader");

            final RawHttp operatorLogin = login(port, "operator", "op-secret");
            final Socket stalled = openStalledStream(port, operatorLogin.cookie());

            final CompletableFuture<CliResult> loadRun = CompletableFuture.supplyAsync(
                () -> CliResult.run(concat(load, "--out", dir.resolve("report").toString())));
            // Watches, independently of the browser's pace, whether frames for the stalled stream are dropped while the load runs.
            final CompletableFuture<Boolean> droppedDuringLoad = CompletableFuture.supplyAsync(() ->
            {
                while (!loadRun.isDone())
                {
                    if (dashboardCounter(data, DashboardServer.FRAMES_DROPPED_TYPE_ID) > 0)
                    {
                        return !loadRun.isDone();
                    }
                    LockSupport.parkNanos(50_000_000); // poll interval of a wait bounded by the load's own end
                }
                return false;
            });

            // Throughput updates: the events-in total moves between frames while the load runs.
            wait.until(d -> number(text(d, "events-total")) > 0);
            final long before = number(text(browser, "events-total"));
            wait.until(d -> number(text(d, "events-total")) > before && number(text(d, "throughput-total")) > 0);

            // The result table updates: choose the windowed aggregate pipeline, rows appear and change.
            new Select(browser.findElement(By.id("results-pipeline"))).selectByValue("card-spend");
            wait.until(d -> "card-spend".equals(d.findElement(By.id("results-table")).getAttribute("data-pipeline")) &&
                !d.findElements(By.cssSelector("#results-table tbody tr")).isEmpty());
            final String firstTable = browser.findElement(By.cssSelector("#results-table tbody")).getText();
            wait.until(d -> !d.findElement(By.cssSelector("#results-table tbody")).getText().equals(firstTable));
            assertThat(browser.findElement(By.cssSelector("#results-table thead")).getText()).contains("spend", "charges");
            // The pipelines table has a column for the outputs each pipeline's suppression dropped.
            assertThat(browser.findElement(By.cssSelector("#pipelines-table thead")).getText()).contains("suppressed");

            // An operation is refused to the read-only user, with the reason on the page.
            browser.findElement(By.id("btn-checkpoint")).click();
            wait.until(d -> text(d, "op-status").contains("403"));
            assertThat(text(browser, "op-status")).contains("operator role");

            // The injected fraud pattern reaches the alert feed.
            final List<InjectedPattern> injected = Workload.create("card", SEED, (long)RATE * SECONDS).scenario().injected().stream()
                .filter(pattern -> pattern.kind().equals(FraudRules.VELOCITY)).toList();
            assertThat(injected).as("card velocity patterns injected").isNotEmpty();
            final String fraudKey = String.valueOf(injected.get(0).key());
            wait.until(d -> !d.findElements(By.cssSelector("#alert-feed li[data-key='" + fraudKey + "']")).isEmpty());
            assertThat(browser.findElement(By.cssSelector("#alert-feed li[data-key='" + fraudKey + "']")).getText())
                .contains("card-velocity", "charges", "window")
                .containsPattern("window \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"); // ISO-8601, as `sluice stat` prints

            // The operator's view while the load runs: pause buttons, a checkpoint taken from the page, the screenshot.
            screenshotAsOperator(browser, wait);

            final CliResult result = loadRun.get(DEADLINE.toSeconds() + SECONDS, TimeUnit.SECONDS);
            assertThat(droppedDuringLoad.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .as("frames for the stalled stream were dropped while the load ran").isTrue();
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
            assertThat(result.out()).contains("all processed").doesNotContain("NOT all processed");
            final long sent = (long)RATE * SECONDS;
            // Every event reached the partition threads although one stream never read a byte. The client's drain saw
            // every result, but a partition publishes its events-in counter at the end of its turn, after the results
            // it has already handed to the egress: on a busy machine the counter can still be short for a moment.
            awaitTrue(() -> sumCounters(data, 1001) >= sent, daemon, log, "the partitions' events-in counters reaching " + sent);
            assertThat(sumCounters(data, 1001)).isEqualTo(sent);
            assertThat(dashboardCounter(data, DashboardServer.FRAMES_DROPPED_TYPE_ID)).isPositive();
            // Memory for streams stays bounded: at most one frame in flight per stream.
            assertThat(dashboardCounter(data, DashboardServer.BYTES_IN_FLIGHT_TYPE_ID)).isLessThan(16L * 1024 * 1024);
            stalled.close();
        }
        catch (final RuntimeException | AssertionError ex)
        {
            if (browser != null)
            {
                Files.write(dir.resolve("failure.png"), browser.getScreenshotAs(OutputType.BYTES));
                throw new AssertionError("page at failure (" + browser.getCurrentUrl() + "):\n" +
                    browser.findElement(By.tagName("body")).getText() + "\ndaemon log:\n" + read(log), ex);
            }
            throw ex;
        }
        finally
        {
            if (browser != null)
            {
                browser.quit();
            }
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS))
            {
                daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(daemon.exitValue()).as(read(log)).isZero();
    }

    private void screenshotAsOperator(final ChromeDriver browser, final WebDriverWait wait) throws IOException
    {
        browser.findElement(By.id("btn-logout")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/login"));
        browser.findElement(By.id("login-user")).sendKeys("operator");
        browser.findElement(By.id("login-password")).sendKeys("op-secret");
        browser.findElement(By.id("login-submit")).click();
        wait.until(d -> "operator".equals(text(d, "user")) && !d.findElements(By.cssSelector(".pause-btn")).isEmpty());
        new Select(browser.findElement(By.id("results-pipeline"))).selectByValue("card-spend");
        wait.until(d -> "card-spend".equals(d.findElement(By.id("results-table")).getAttribute("data-pipeline")) &&
            !d.findElements(By.cssSelector("#alert-feed li")).isEmpty() && frames(d) >= 8);
        browser.findElement(By.id("btn-checkpoint")).click();
        wait.until(d -> text(d, "op-status").contains("complete"));
        wait.until(d -> !"none".equals(text(d, "checkpoint-age")) && "toast".equals(d.findElement(By.id("op-status")).getAttribute("class")));
        // The build's own directory by default, so a test run leaves the working tree clean;
        // -Dsluice.dashboard.screenshot=../docs/dashboard.png refreshes the picture in the docs.
        final Path screenshot = Path.of(System.getProperty("sluice.dashboard.screenshot", "target/dashboard.png"));
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
    }

    private static void refusesWhatItMust(final int port) throws IOException
    {
        assertThat(RawHttp.exchange(port, "GET", "/api/session", "", null).status()).isEqualTo(401);
        final RawHttp page = RawHttp.exchange(port, "GET", "/", "", null);
        assertThat(page.status()).isEqualTo(303);
        assertThat(page.header("Location")).isEqualTo("/login");
        assertThat(RawHttp.exchange(port, "GET", "/events", "", null).status()).isEqualTo(401);
        final RawHttp wrong = RawHttp.exchange(port, "POST", "/login", form(), "user=operator&password=nope");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("Unknown user or wrong password");

        final RawHttp reader = login(port, "reader", "read-secret");
        final String readerCsrf = csrf(port, reader.cookie());
        final RawHttp readOnly = RawHttp.exchange(port, "POST", "/api/checkpoint",
            "Cookie: " + reader.cookie() + "\r\nX-Sluice-CSRF: " + readerCsrf + "\r\n", "");
        assertThat(readOnly.status()).as(readOnly.toString()).isEqualTo(403);
        assertThat(readOnly.body()).contains("requires the operator role", "reader");

        final RawHttp operator = login(port, "operator", "op-secret");
        final String cookie = "Cookie: " + operator.cookie() + "\r\n";
        final String csrf = "X-Sluice-CSRF: " + csrf(port, operator.cookie()) + "\r\n";
        final RawHttp noToken = RawHttp.exchange(port, "POST", "/api/pause", cookie + form(), "pipeline=card-spend");
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.body()).contains("CSRF");
        final RawHttp crossOrigin = RawHttp.exchange(port, "POST", "/api/pause", cookie + csrf + form() + "Origin: http://evil.example\r\n",
            "pipeline=card-spend");
        assertThat(crossOrigin.status()).isEqualTo(403);
        assertThat(crossOrigin.body()).contains("cross-origin");
        final RawHttp oversized = RawHttp.exchange(port, "POST", "/api/pause", cookie + csrf + form(), "pipeline=" + "x".repeat(5000));
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(oversized.body()).contains("larger than 4096 bytes");
        final RawHttp malformed = RawHttp.exchange(port, "POST", "/api/pause", cookie + csrf + form(), "pipeline=%zz");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body()).contains("malformed form encoding");
        final RawHttp unknown = RawHttp.exchange(port, "POST", "/api/pause", cookie + csrf + form(), "pipeline=nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no pipeline 'nope'", "card-spend");
        final RawHttp replay = RawHttp.exchange(port, "POST", "/api/replay", cookie + csrf + form(), "pipeline=card-spend&from_offset=x");
        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains("from_offset must be a whole number");
        final RawHttp getOperation = RawHttp.exchange(port, "GET", "/api/checkpoint", cookie, null);
        assertThat(getOperation.status()).isEqualTo(405);
        assertThat(getOperation.header("Allow")).isEqualTo("POST");
        assertThat(RawHttp.exchange(port, "GET", "/events?top=abc", cookie, null).body()).contains("top must be a whole number");
        assertThat(RawHttp.exchange(port, "GET", "/nowhere", cookie, null).status()).isEqualTo(404);
        final RawHttp hugeHeader = RawHttp.exchange(port, "GET", "/api/session", "X-Big: " + "y".repeat(20_000) + "\r\n", null);
        assertThat(hugeHeader.status()).isEqualTo(431);
        final RawHttp rebinding = RawHttp.send(port, "GET /api/session HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n" +
            cookie + "\r\n");
        assertThat(rebinding.status()).isEqualTo(421);
        assertThat(RawHttp.send(port, "GARBAGE\r\n\r\n").status()).isEqualTo(400);
        final RawHttp config = RawHttp.exchange(port, "GET", "/api/config", cookie, null);
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.body()).contains("dashboard").doesNotContain("op-secret", "read-secret");

        // The operator may: pause and resume are accepted with the token.
        assertThat(RawHttp.exchange(port, "POST", "/api/pause", cookie + csrf + form(), "pipeline=card-spend").status()).isEqualTo(200);
        assertThat(RawHttp.exchange(port, "POST", "/api/resume", cookie + csrf + form(), "pipeline=card-spend").status()).isEqualTo(200);
    }

    private static String form()
    {
        return "Content-Type: application/x-www-form-urlencoded\r\n";
    }

    private static RawHttp login(final int port, final String user, final String password) throws IOException
    {
        final RawHttp response = RawHttp.exchange(port, "POST", "/login", form(), "user=" + user + "&password=" + password);
        assertThat(response.status()).as(response.toString()).isEqualTo(303);
        assertThat(response.header("Set-Cookie")).contains("HttpOnly", "SameSite=Strict");
        return response;
    }

    private static String csrf(final int port, final String cookie) throws IOException
    {
        final RawHttp session = RawHttp.exchange(port, "GET", "/api/session", "Cookie: " + cookie + "\r\n", null);
        assertThat(session.status()).isEqualTo(200);
        final Matcher token = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(session.body());
        assertThat(token.find()).as(session.body()).isTrue();
        return token.group(1);
    }

    /** An event stream whose reader never reads: a tiny receive window, so the server's writes back up. */
    private static Socket openStalledStream(final int port, final String cookie) throws IOException
    {
        final Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.getOutputStream().write(("GET /events?pipeline=card-spend&top=500 HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nCookie: " + cookie +
            "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private Path writeConfig(final String[] load) throws IOException
    {
        final CliResult printed = CliResult.run(concat(load, "--print-config"));
        assertThat(printed.exitCode()).as(printed.toString()).isEqualTo(ExitCodes.OK);
        final Path passwords = dir.resolve("jmx.password");
        Files.writeString(passwords, "operator op-secret\nreader read-secret\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("jmx.access"), "operator readwrite\nreader readonly\n");
        Files.setPosixFilePermissions(dir.resolve("jmx.access"), PosixFilePermissions.fromString("rw-------"));
        final String text = printed.out()
            .replace("sinks:\n", CARD_SPEND + "sinks:\n  card-spend: {type: journal, topic: card-spend}\n") +
            "jmx:\n  password_file: jmx.password\n  access_file: jmx.access\n" +
            "dashboard:\n  enabled: true\n  port: 0\n  refresh: 250ms\n  alerts: [card-velocity]\n";
        final Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, text);
        return config;
    }

    private static long dashboardCounter(final Path data, final int typeId)
    {
        return sumCounters(data, typeId);
    }

    private static long sumCounters(final Path data, final int typeId)
    {
        try (CountersFile file = CountersFile.openForReading(data))
        {
            final CountersReader reader = file.newCountersReader();
            final long[] sum = new long[1];
            reader.forEach((counterId, type, key, label) ->
            {
                if (type == typeId)
                {
                    sum[0] += reader.getCounterValue(counterId);
                }
            });
            return sum[0];
        }
    }

    private static int frames(final WebDriver driver)
    {
        final String frames = driver.findElement(By.tagName("body")).getAttribute("data-frames");
        return frames == null ? 0 : Integer.parseInt(frames);
    }

    private static String text(final WebDriver driver, final String id)
    {
        final WebElement element = driver.findElement(By.id(id));
        return element.getAttribute("textContent").trim();
    }

    private static long number(final String text)
    {
        final String digits = text.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    private static void awaitTrue(final BooleanSupplier condition, final Process daemon, final Path log, final String what) throws IOException
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean())
        {
            assertThat(daemon.isAlive()).as("daemon exited:\n" + read(log)).isTrue();
            assertThat(System.nanoTime() - deadline).as(what + " did not happen within " + DEADLINE + ":\n" + read(log)).isNegative();
            LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
    }

    private static Process startDaemon(final Path config, final Path log) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        final String surefire = System.getProperty("surefire.test.class.path");
        command.add(surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
        command.addAll(List.of("io.sluice.ops.SluiceMain", "run", "--config", config.toString()));
        command.removeIf(String::isEmpty);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String[] concat(final String[] first, final String... rest)
    {
        final String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    private static String read(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "(cannot read " + log + ": " + ex + ")";
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
