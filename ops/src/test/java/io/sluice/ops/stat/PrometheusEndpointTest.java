package io.sluice.ops.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.counters.SluiceCounters;

/**
 * A client that sends half a request and then nothing holds the Prometheus endpoint for at most its
 * request deadline: scrapes after it are answered. The timeout is a hang guard, not a measurement.
 */
class PrometheusEndpointTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerScrapesWhileAClientHoldsAHalfSentRequest() throws Exception
    {
        final CountersFile file = CountersFile.create(dir, CountersFile.DEFAULT_VALUES_LENGTH, CountersFile.DEFAULT_ERROR_LOG_LENGTH, 1, 0);
        final CountersManager manager = file.newCountersManager();
        final AtomicCounter counter = SluiceCounters.allocate(manager, SluiceCounters.EVENTS_IN_TYPE_ID, "events-in: t/0", 0,
            0, SluiceCounters.NONE, SluiceCounters.NONE, null);
        counter.set(42);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, file.newCountersReader());
            Socket stuck = new Socket(InetAddress.getLoopbackAddress(), endpoint.port()))
        {
            final OutputStream out = stuck.getOutputStream();
            out.write("GET /metr".getBytes(StandardCharsets.US_ASCII)); // and never the rest
            out.flush();

            final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                .timeout(Duration.ofSeconds(60)).build();
            final HttpResponse<String> response = assertTimeoutPreemptively(Duration.ofSeconds(90),
                () -> client.send(request, HttpResponse.BodyHandlers.ofString()));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("sluice_events_in_total{partition=\"0\",topic=\"0\"} 42.0");
            // The stuck client was dropped without an answer.
            stuck.setSoTimeout(30_000);
            assertThat(stuck.getInputStream().read()).isEqualTo(-1);
        }
    }

    /**
     * A scrape the collector cannot build (here two counters with the same key) is answered with a 500
     * naming the reason, and the endpoint keeps serving: once the cause is gone the next scrape is a 200.
     * Before, the exception ended the endpoint's thread and every later scrape hung.
     */
    @Test
    void shouldAnswerAFailedScrapeWithAnErrorAndKeepServing() throws Exception
    {
        final CountersFile file = CountersFile.create(dir, CountersFile.DEFAULT_VALUES_LENGTH, CountersFile.DEFAULT_ERROR_LOG_LENGTH, 1, 0);
        final CountersManager manager = file.newCountersManager();
        final int none = SluiceCounters.NONE;
        SluiceCounters.allocate(manager, SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID, "checkpoints-completed", none, none, none, none, null)
            .set(3);
        final AtomicCounter duplicate = SluiceCounters.allocate(manager, SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID, "checkpoints-completed",
            none, none, none, none, null);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, file.newCountersReader()))
        {
            final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                .timeout(Duration.ofSeconds(60)).build();
            for (int i = 0; i < 2; i++)
            {
                final HttpResponse<String> failed = assertTimeoutPreemptively(Duration.ofSeconds(90),
                    () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
                assertThat(failed.statusCode()).isEqualTo(500);
                assertThat(failed.body()).contains("scrape failed").contains("sluice_checkpoints_completed");
            }
            duplicate.close();
            final HttpResponse<String> served = assertTimeoutPreemptively(Duration.ofSeconds(90),
                () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).contains("sluice_checkpoints_completed_total 3.0");
        }
    }
}
