package io.sluice.engine.runtime;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import com.lmax.disruptor.RingBuffer;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.exec.SymbolKeyNames;
import io.sluice.journal.Journal;
import io.sluice.journal.Topic;

/**
 * Turns the plan of a source group ({@link SourceGroups}) into its running parts, at launch: one
 * ring of pre-allocated slots (one off-heap block), one {@link PartitionProcessor} and one
 * {@link PartitionAgent} per partition, placed on a processing thread by {@link ProcessingThreads}, the
 * journal topics, and the counters, which it adds to the engine's lists so the engine can close them.
 */
final class GroupBuilder
{
    private final EngineContext context;
    private final Journal journal;
    private final DistinctErrorLog errorLog;
    private final List<EngineCounters.PartitionCounters> partitionCounters;
    private final List<EngineCounters.InstanceCounters> instanceCounters;
    private final ProcessingThreads threads;

    GroupBuilder(
        final EngineContext context,
        final Journal journal,
        final DistinctErrorLog errorLog,
        final List<EngineCounters.PartitionCounters> partitionCounters,
        final List<EngineCounters.InstanceCounters> instanceCounters,
        final ProcessingThreads threads)
    {
        this.threads = threads;
        this.context = context;
        this.journal = journal;
        this.errorLog = errorLog;
        this.partitionCounters = partitionCounters;
        this.instanceCounters = instanceCounters;
    }

    /**
     * Builds one group: its journal topic (and dead-letter topic when a stage needs one), and for
     * every partition, around its pipeline instances ({@link PartitionPreparation}), their counters, the processor, the ring and the
     * agent that drives it on its processing thread. Nothing is started.
     *
     * @param plan       of the group.
     * @param topicId    of the group's journal topic in the counters' keys.
     * @param firstStage stage latency id of the group's first pipeline (its pipeline id in the counters' keys is
     *                   {@code firstStage - StageLatencyListener.FIRST_PIPELINE}).
     * @param prepared   the partitions' instances, built (and restored) beside the journal's open, joined.
     * @return the group's runtime.
     */
    GroupRuntime build(final SourceGroups.Plan plan, final int topicId, final int firstStage, final PartitionPreparation prepared)
    {
        final String name = plan.name();
        final List<Pipeline> pipelines = plan.pipelines();
        boolean deadLetters = false;
        for (final Pipeline pipeline : pipelines)
        {
            deadLetters |= pipeline.usesPolicy(ErrorPolicy.DEAD_LETTER);
        }
        for (final SourceGroups.Binding binding : plan.sources())
        {
            if (binding.source().schema().length() > context.maxEventLength())
            {
                throw new EngineException("events of schema '" + binding.source().schema().name() + "' are " +
                    binding.source().schema().length() + " bytes, more than the engine's maxEventLength " + context.maxEventLength());
            }
        }
        final int partitions = context.partitions();
        final Topic topic = journal.createTopic(name, partitions);
        final Topic deadLetterTopic = deadLetters ? journal.createTopic(name + Engine.DEAD_LETTER_SUFFIX, partitions) : null;
        final PartitionRuntime[] runtimes = new PartitionRuntime[partitions];
        for (int p = 0; p < partitions; p++)
        {
            final PartitionStageErrors stageErrors = prepared.stageErrors(name, p);
            stageErrors.deadLetters(deadLetterTopic == null ? null : deadLetterTopic.partition(p).writer(), context.deadLetterListener());
            final PipelineInstance[] instances = prepared.instances(name, p);
            final EngineCounters.InstanceCounters[] counters = new EngineCounters.InstanceCounters[pipelines.size()];
            for (int i = 0; i < instances.length; i++)
            {
                counters[i] = new EngineCounters.InstanceCounters(context.countersManager(), name, topicId, p, pipelines.get(i).name(),
                    firstStage - StageLatencyListener.FIRST_PIPELINE + i);
                instanceCounters.add(counters[i]);
            }
            final EngineCounters.PartitionCounters pc = new EngineCounters.PartitionCounters(context.countersManager(), name, topicId, p);
            partitionCounters.add(pc);
            final PartitionProcessor handler = new PartitionProcessor(name, p, topic.partition(p),
                new PartitionDispatcher(instances, plan.inputs()).keyNames(p, keyNames(plan)), stageErrors, pc, counters, context, firstStage);
            runtimes[p] = newPartitionRuntime(handler, name + "/" + p);
        }
        return new GroupRuntime(name, plan.sources(), topic, runtimes, plan.needsTicks());
    }

    /**
     * The key name registry of each source of the group (by source index), or null when no source's
     * topic has one.
     */
    private SymbolKeyNames[] keyNames(final SourceGroups.Plan plan)
    {
        final List<SourceGroups.Binding> sources = plan.sources();
        final SymbolKeyNames[] bySource = new SymbolKeyNames[sources.size()];
        boolean any = false;
        for (int s = 0; s < bySource.length; s++)
        {
            bySource[s] = context.keyNames().get(sources.get(s).source().topic());
            any |= bySource[s] != null;
        }
        return any ? bySource : null;
    }

    private PartitionRuntime newPartitionRuntime(final PartitionProcessor handler, final String label)
    {
        final int slotLength = RingSlot.stride(context.maxEventLength());
        // Long arithmetic: EngineContext.conclude() bounds the product, this re-checks it rather than wrap.
        final long blockLength = (long)slotLength * context.ringSize();
        if (blockLength > EngineContext.MAX_RING_BYTES)
        {
            throw new EngineException("a ring of " + context.ringSize() + " slots of " + slotLength + " bytes is " + blockLength +
                " bytes, more than " + EngineContext.MAX_RING_BYTES);
        }
        final UnsafeBuffer block = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect((int)blockLength));
        final int[] index = {0};
        final int thread = threads.nextThread();
        final RingBuffer<RingSlot> ring = RingBuffer.createMultiProducer(
            () -> new RingSlot(block, index[0]++, context.maxEventLength()), context.ringSize(), threads.ringWaitStrategy(thread));
        final PartitionAgent agent = new PartitionAgent(ring, handler, errorLog, context.partitionBatchLimit(), context.turnCpuListener());
        threads.add(thread, agent, label);
        handler.ringBuffer(ring, new RingSlots(block, context.ringSize(), context.maxEventLength()));
        return new PartitionRuntime(ring, handler, agent, thread);
    }
}
