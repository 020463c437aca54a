package com.bionicpro.cdc.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed and resolved job definition (jobs/bionicpro.yaml). Immutable. */
public final class JobDefinition implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String name;
    public final int parallelism;
    public final Duration checkpointInterval;
    /** Sources by id, in definition order. */
    public final Map<String, SourceDefinition> sources;
    public final KafkaDefinition kafka;
    public final ClickHouseDefinition clickhouse;
    /** Null when the job maintains no marts. */
    public final MartsDefinition marts;

    public JobDefinition(
            String name,
            int parallelism,
            Duration checkpointInterval,
            Map<String, SourceDefinition> sources,
            KafkaDefinition kafka,
            ClickHouseDefinition clickhouse,
            MartsDefinition marts) {
        this.name = name;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.kafka = kafka;
        this.clickhouse = clickhouse;
        this.marts = marts;
    }

    /** One PostgreSQL database captured through one replication slot. */
    public static final class SourceDefinition implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String id;
        public final String host;
        public final int port;
        public final String database;
        public final String username;
        public final Secret password;
        public final String slot;
        public final String publication;
        /** schema.table of the table the heartbeat writes, or null for no heartbeat query. */
        public final String heartbeatTable;
        public final Duration heartbeatInterval;
        public final Duration pollInterval;
        public final int snapshotChunkSize;
        public final int snapshotFetchSize;
        public final String auditTopicPrefix;
        public final List<TableDefinition> tables;

        public SourceDefinition(
                String id,
                String host,
                int port,
                String database,
                String username,
                Secret password,
                String slot,
                String publication,
                String heartbeatTable,
                Duration heartbeatInterval,
                Duration pollInterval,
                int snapshotChunkSize,
                int snapshotFetchSize,
                String auditTopicPrefix,
                List<TableDefinition> tables) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.database = database;
            this.username = username;
            this.password = password;
            this.slot = slot;
            this.publication = publication;
            this.heartbeatTable = heartbeatTable;
            this.heartbeatInterval = heartbeatInterval;
            this.pollInterval = pollInterval;
            this.snapshotChunkSize = snapshotChunkSize;
            this.snapshotFetchSize = snapshotFetchSize;
            this.auditTopicPrefix = auditTopicPrefix;
            this.tables = List.copyOf(tables);
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    /** A captured table and its ClickHouse replica (null: audit log only). */
    public static final class TableDefinition implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String schema;
        public final String table;
        public final String replica;

        public TableDefinition(String schema, String table, String replica) {
            this.schema = schema;
            this.table = table;
            this.replica = replica;
        }

        public String qualifiedName() {
            return schema + "." + table;
        }
    }

    public static final class KafkaDefinition implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String bootstrapServers;
        public final String transactionalIdPrefix;
        public final int topicPartitions;
        public final short topicReplicationFactor;
        public final Duration transactionTimeout;
        /** Extra client properties (security, compression); values may reference secrets. */
        public final Map<String, String> properties;

        public KafkaDefinition(
                String bootstrapServers,
                String transactionalIdPrefix,
                int topicPartitions,
                short topicReplicationFactor,
                Duration transactionTimeout,
                Map<String, String> properties) {
            this.bootstrapServers = bootstrapServers;
            this.transactionalIdPrefix = transactionalIdPrefix;
            this.topicPartitions = topicPartitions;
            this.topicReplicationFactor = topicReplicationFactor;
            this.transactionTimeout = transactionTimeout;
            this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        }
    }

    public static final class ClickHouseDefinition implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String url;
        public final String database;
        public final String username;
        public final Secret password;
        public final Duration requestTimeout;

        public ClickHouseDefinition(
                String url, String database, String username, Secret password, Duration requestTimeout) {
            this.url = url;
            this.database = database;
            this.username = username;
            this.password = password;
            this.requestTimeout = requestTimeout;
        }
    }

    /** The CRM join and the daily reports, computed from three captured tables. */
    public static final class MartsDefinition implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Catalog ids, e.g. crm.public.users. */
        public final String usersTable;
        public final String prosthesesTable;
        public final String telemetryTable;
        public final String crmDataMart;
        public final String reportsMart;
        /** Days of telemetry the report state keeps; older rows are not counted. */
        public final int reportRetentionDays;
        /** How many changed days fire per checkpoint at most (the rest wait and coalesce). */
        public final int windowsPerCheckpoint;

        public MartsDefinition(
                String usersTable,
                String prosthesesTable,
                String telemetryTable,
                String crmDataMart,
                String reportsMart,
                int reportRetentionDays,
                int windowsPerCheckpoint) {
            this.usersTable = usersTable;
            this.prosthesesTable = prosthesesTable;
            this.telemetryTable = telemetryTable;
            this.crmDataMart = crmDataMart;
            this.reportsMart = reportsMart;
            this.reportRetentionDays = reportRetentionDays;
            this.windowsPerCheckpoint = windowsPerCheckpoint;
        }
    }
}
