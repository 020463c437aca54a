package com.bionicpro.cdc.config;

import com.bionicpro.cdc.audit.AuditRecordSerializer;
import com.bionicpro.cdc.audit.KafkaPreflight;
import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.clickhouse.ClickHousePreflight;
import com.bionicpro.cdc.clickhouse.ClickHouseTableSpec;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.mart.MartSchema;
import com.bionicpro.cdc.replica.ReplicaRowMapper;
import com.bionicpro.cdc.source.PostgresPreflight;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the job needs from the live services, checked before the pipeline is built. Collects
 * every problem (one clear line each) and fails with all of them; on success returns the catalog
 * of captured tables that every operator works from.
 */
public final class Preflight {
    private Preflight() {}

    public static CaptureCatalog run(JobDefinition definition) {
        List<String> problems = new ArrayList<>();
        List<TableSchema> tables = new ArrayList<>();
        Map<String, Long> snapshotLsns = new HashMap<>();
        for (SourceDefinition source : definition.sources.values()) {
            PostgresPreflight postgres = new PostgresPreflight(source, problems);
            tables.addAll(postgres.run());
            snapshotLsns.put(source.id, postgres.currentLsn());
        }
        CaptureCatalog catalog = new CaptureCatalog(tables);
        if (definition.marts != null) {
            MartSchema.check(definition.marts, catalog, problems);
        }

        List<ClickHouseTableSpec> specs = new ArrayList<>();
        for (TableSchema t : tables) {
            if (t.replicaTable != null) {
                specs.add(replicaSpec(t));
            }
        }
        if (definition.marts != null && problems.isEmpty()) {
            MartSchema marts = MartSchema.of(definition.marts, catalog);
            specs.add(marts.crmDataMartSpec());
            specs.add(marts.reportsMartSpec());
        }
        ClickHousePreflight clickhouse = new ClickHousePreflight(definition.clickhouse, problems);
        Map<String, Set<String>> keyColumns = clickhouse.run(specs);

        List<String> topics = new ArrayList<>();
        for (TableSchema t : tables) {
            topics.add(AuditRecordSerializer.topic(definition.sources.get(t.source).auditTopicPrefix, t));
        }
        new KafkaPreflight(definition.kafka, problems).run(topics);

        if (!problems.isEmpty()) {
            throw new JobDefinitionException(problems);
        }
        List<TableSchema> withKeys = new ArrayList<>();
        for (TableSchema t : tables) {
            withKeys.add(t.replicaTable == null ? t : t.withReplica(t.replicaTable, replicaKey(t, keyColumns.get(t.replicaTable))));
        }
        return new CaptureCatalog(withKeys, snapshotLsns, clickhouse.presentColumns());
    }

    /** The replica of a table: its columns with their ClickHouse types, then _version and _deleted. */
    public static ClickHouseTableSpec replicaSpec(TableSchema table) {
        ClickHouseTableSpec.Builder b = ClickHouseTableSpec.of(table.replicaTable);
        table.columns.forEach(c -> b.column(c.name, c.clickHouseType()));
        List<String> names = ReplicaRowMapper.replicaColumns(table);
        return b.column(names.get(names.size() - 2), "UInt64").column(names.get(names.size() - 1), "UInt8").build();
    }

    private static int[] replicaKey(TableSchema table, Set<String> clickHouseKey) {
        if (clickHouseKey == null) {
            return table.primaryKey;
        }
        return clickHouseKey.stream().mapToInt(table::position).filter(p -> p >= 0).toArray();
    }
}
