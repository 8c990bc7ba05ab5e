package io.sluice.engine.runtime;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The JIT's work in hand, as HotSpot's diagnostic command {@code Compiler.queue} lists it (what {@code jcmd <pid>
 * Compiler.queue} prints): the compilations running now and those queued for C1 and C2. The engine's JIT warm-up reads
 * it to go on until the code it warmed is compiled ({@link EngineWarmUp#settle}). The listing looks like:
 * <pre>
 *   Current compiles:
 *   C2 CompilerThread0   496       4       java.lang.StringConcatHelper::mix (27 bytes)
 *
 *   C1 compile queue:
 *   Empty
 *
 *   C2 compile queue:
 *    503       4       java.lang.StringConcatHelper::newString (67 bytes)
 * </pre>
 * Every line that is not a heading, {@code Empty} or blank is one compilation. Read through the platform MBean server
 * (the {@code com.sun.management:type=DiagnosticCommand} MBean's {@code compilerQueue} operation); a JVM without it
 * reads as {@link #UNREADABLE}. Each read allocates the listing: for the launching thread, never a hot path.
 */
final class CompileQueue
{
    /** {@link #tasks()} of a JVM whose compile queues cannot be read. */
    static final int UNREADABLE = -1;
    private static final String MBEAN = "com.sun.management:type=DiagnosticCommand";
    private static final String OPERATION = "compilerQueue";
    private static final String[] SIGNATURE = {String[].class.getName()};

    private final MBeanServer server;
    private final ObjectName name;

    private CompileQueue(final MBeanServer server, final ObjectName name)
    {
        this.server = server;
        this.name = name;
    }

    /**
     * @return the compile queues of this JVM.
     */
    static CompileQueue ofThisJvm()
    {
        try
        {
            return new CompileQueue(ManagementFactory.getPlatformMBeanServer(), new ObjectName(MBEAN));
        }
        catch (final JMException | RuntimeException ex)
        {
            return new CompileQueue(null, null);
        }
    }

    /**
     * @return compilations running or queued now, or {@link #UNREADABLE}.
     */
    int tasks()
    {
        if (server == null)
        {
            return UNREADABLE;
        }
        try
        {
            return countTasks((String)server.invoke(name, OPERATION, new Object[] {null}, SIGNATURE));
        }
        catch (final JMException | RuntimeException ex)
        {
            return UNREADABLE;
        }
    }

    /**
     * @param listing as {@code Compiler.queue} prints it.
     * @return the compilations it lists, running and queued.
     */
    static int countTasks(final String listing)
    {
        int tasks = 0;
        for (final String line : listing.split("\n"))
        {
            final String text = line.trim();
            if (!text.isEmpty() && !"Empty".equals(text) && !text.endsWith(":"))
            {
                tasks++;
            }
        }
        return tasks;
    }
}
