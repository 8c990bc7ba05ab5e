package io.sluice.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Who holds a transaction open on a Kafka partition, as the brokers tell it, for {@link HangingTransactionWatch}'s report:
 * the partition leader's active producer whose open transaction starts at the stuck offset (producer id and epoch,
 * {@code describeProducers}), its transactional id ({@code listTransactions}), and what its transaction coordinator
 * holds for that id now (state, epoch and partitions, {@code describeTransactions}). That tells another producer
 * writing the topic from the sink's own producer, and for the latter whether the coordinator still counts the
 * partition in an open transaction or has ended the transaction without the partition's marker (the case seen once
 * under load, docs/kafka.md "Not yet done").
 */
final class TransactionHolder
{
    private TransactionHolder()
    {
    }

    /**
     * Describes the holder of the transaction open at {@code offset}.
     *
     * @param admin           of the sink.
     * @param partition       the stuck Kafka partition.
     * @param offset          its last stable offset, where the open transaction starts.
     * @param ownIdPrefix     the sink's transactional id prefix, its ids being {@code <prefix>-<p>}.
     * @param timeoutMillis   per request.
     * @return e.g. {@code held by producer id 7, epoch 4, transactional id 'sluice.x-1' (this sink's); its coordinator
     *         holds it CompleteCommit at epoch 5 with partitions []}, or why the holder could not be described.
     */
    static String describe(final Admin admin, final TopicPartition partition, final long offset, final String ownIdPrefix, final long timeoutMillis)
    {
        try
        {
            final List<ProducerState> active = admin.describeProducers(List.of(partition)).partitionResult(partition)
                .get(timeoutMillis, TimeUnit.MILLISECONDS).activeProducers();
            final ProducerState holder = active.stream()
                .filter(p -> p.currentTransactionStartOffset().isPresent() && p.currentTransactionStartOffset().getAsLong() == offset)
                .findFirst().orElse(null);
            if (holder == null)
            {
                return "no active producer of the partition has a transaction starting there now";
            }
            final String producer = "held by producer id " + holder.producerId() + ", epoch " + holder.producerEpoch();
            final Collection<TransactionListing> listed = admin.listTransactions(new ListTransactionsOptions()
                .filterProducerIds(List.of(holder.producerId()))).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (listed.isEmpty())
            {
                return producer + ", whose transactional id no coordinator lists";
            }
            final String id = listed.iterator().next().transactionalId();
            final String whose = id.startsWith(ownIdPrefix + "-") ? "this sink's" : "not this sink's";
            final Map<String, TransactionDescription> described = admin.describeTransactions(List.of(id)).all()
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
            final TransactionDescription now = described.get(id);
            return producer + ", transactional id '" + id + "' (" + whose + "); its coordinator holds it " + now.state() + " at epoch " +
                now.producerEpoch() + " with partitions " + now.topicPartitions();
        }
        catch (final ExecutionException | TimeoutException | KafkaException ex)
        {
            return "the holder could not be described: " + (ex instanceof ExecutionException ? ex.getCause() : ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "the holder was not described (interrupted)";
        }
    }
}
