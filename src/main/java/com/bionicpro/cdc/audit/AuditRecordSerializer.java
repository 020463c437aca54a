package com.bionicpro.cdc.audit;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.source.ChangeEvent;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Map;

/**
 * Every change to its table's audit topic {@code <prefix>.<schema>.<table>}, keyed by the primary
 * key so that Kafka's partitioner keeps each row's changes in one partition, in commit order.
 */
public class AuditRecordSerializer implements KafkaRecordSerializationSchema<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private final CaptureCatalog catalog;
    private final Map<String, String> topicPrefixBySource;

    public AuditRecordSerializer(CaptureCatalog catalog, Map<String, String> topicPrefixBySource) {
        this.catalog = catalog;
        this.topicPrefixBySource = Map.copyOf(topicPrefixBySource);
    }

    public static String topic(String prefix, TableSchema table) {
        return prefix + "." + table.schema + "." + table.table;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ChangeEvent change, KafkaSinkContext context, Long timestamp) {
        TableSchema table = catalog.require(change.tableId);
        String topic = topic(topicPrefixBySource.get(table.source), table);
        return new ProducerRecord<>(
                topic,
                null,
                change.sourceTsMs > 0 ? change.sourceTsMs : null,
                AuditEnvelope.key(table, change),
                AuditEnvelope.value(table, change));
    }
}
