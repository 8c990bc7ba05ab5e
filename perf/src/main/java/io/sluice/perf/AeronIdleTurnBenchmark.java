package io.sluice.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

/**
 * The Aeron part of an idle turn of the daemon's network duty (ns/turn), as {@code NetLatencyMain}'s daemon has it:
 * four subscriptions (ingress and egress, IPC and UDP) polled every turn, on one Aeron client whose conductor the
 * duty invokes once ({@code clients=1}, the daemon's shared client since section 67), or on a client per item, four
 * conductors invoked ({@code clients=4}, before). The driver runs on a thread of its own (SHARED), as the daemon's
 * outside the low-latency profile; nothing is published, so every poll and invocation is idle.
 *
 * <pre>{@code
 *   java -jar perf/target/benchmarks.jar AeronIdleTurnBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class AeronIdleTurnBenchmark
{
    private static final int SUBSCRIPTIONS = 4;
    private static final FragmentHandler NOTHING = (buffer, offset, length, header) -> { };

    /** Aeron clients the four subscriptions are spread over. */
    @Param({"1", "4"})
    public int clients;

    private Path directory;
    private MediaDriver driver;
    private Aeron[] aerons;
    private AgentInvoker[] conductors;
    private Subscription[] subscriptions;

    /**
     * Launches the driver, connects the clients in conductor-invoker mode and adds the subscriptions.
     *
     * @throws IOException if the driver's directory cannot be made.
     */
    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        directory = Files.createTempDirectory("sluice-aeron-idle");
        driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(directory.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED).termBufferSparseFile(true).publicationTermBufferLength(256 * 1024)
            .ipcTermBufferLength(256 * 1024).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        aerons = new Aeron[clients];
        conductors = new AgentInvoker[clients];
        for (int i = 0; i < clients; i++)
        {
            aerons[i] = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()).useConductorAgentInvoker(true));
            conductors[i] = aerons[i].conductorAgentInvoker();
        }
        subscriptions = new Subscription[SUBSCRIPTIONS];
        for (int i = 0; i < SUBSCRIPTIONS; i++)
        {
            final String channel = i % 2 == 0 ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:0";
            subscriptions[i] = aerons[i % clients].addSubscription(channel, 1001 + i / 2);
        }
    }

    /**
     * One idle turn: every client's conductor invoked, every subscription polled.
     *
     * @return the work done (0), so the calls are not dead code.
     */
    @Benchmark
    public int idleTurn()
    {
        int work = 0;
        for (final AgentInvoker conductor : conductors)
        {
            work += conductor.invoke();
        }
        for (final Subscription subscription : subscriptions)
        {
            work += subscription.poll(NOTHING, 64);
        }
        return work;
    }

    /**
     * Closes the clients, then the driver.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietCloseAll(aerons);
        CloseHelper.quietClose(driver);
        PerfFiles.deleteRecursively(directory);
    }
}
