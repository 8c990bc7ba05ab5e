package io.sluice.ops.daemon;

import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.Agent;

/**
 * Agents added to a running agent as components start (the figures of each Kafka ingress), run in
 * the order added. Unlike Agrona's {@code DynamicCompositeAgent}, an add takes effect at once and
 * needs no hand-shake with the running thread; nothing is ever removed.
 *
 * <p>Threading: {@link #add} on the control thread; {@link #doWork} on the agent's thread.
 */
final class AddedAgents implements Agent
{
    private final String roleName;
    private final CopyOnWriteArrayList<Agent> agents = new CopyOnWriteArrayList<>();

    AddedAgents(final String roleName)
    {
        this.roleName = roleName;
    }

    /**
     * Adds an agent; its first duty cycle is the running agent's next one.
     *
     * @param agent to run.
     */
    void add(final Agent agent)
    {
        agents.add(agent);
    }

    @Override
    public int doWork() throws Exception
    {
        int work = 0;
        for (final Agent agent : agents)
        {
            work += agent.doWork();
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
