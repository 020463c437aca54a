package com.bionicpro.cdc.audit;

import com.bionicpro.cdc.config.JobDefinition.KafkaDefinition;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks the Kafka cluster before the job is built: reachable, credentials accepted, transactions
 * long enough for the sink, and every audit topic present (created when missing).
 */
public final class KafkaPreflight {
    private static final long TIMEOUT_SECONDS = 15;

    private final KafkaDefinition kafka;
    private final List<String> problems;

    public KafkaPreflight(KafkaDefinition kafka, List<String> problems) {
        this.kafka = kafka;
        this.problems = problems;
    }

    public static Properties clientProperties(KafkaDefinition kafka) {
        Properties props = new Properties();
        props.putAll(kafka.properties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
        return props;
    }

    public void run(Collection<String> topics) {
        Properties props = clientProperties(kafka);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(props)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            checkTransactionTimeout(admin, nodes);
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, kafka.topicPartitions, kafka.topicReplicationFactor));
                }
            }
            for (Map.Entry<String, ?> created : admin.createTopics(missing).values().entrySet()) {
                try {
                    ((org.apache.kafka.common.KafkaFuture<?>) created.getValue()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        problems.add("kafka: cannot create audit topic " + created.getKey() + ": " + e.getCause().getMessage());
                    }
                }
            }
        } catch (TimeoutException e) {
            unreachable();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                unreachable(); // the admin client's own deadline passed first
            } else if (e.getCause() instanceof AuthenticationException) {
                problems.add("kafka: the brokers at " + kafka.bootstrapServers + " rejected the credentials: "
                        + e.getCause().getMessage());
            } else {
                problems.add("kafka: " + kafka.bootstrapServers + " failed: " + e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("kafka: interrupted during the checks");
        } catch (RuntimeException e) {
            problems.add("kafka: invalid client configuration: " + e.getMessage());
        }
    }

    private void unreachable() {
        problems.add("kafka: the brokers at " + kafka.bootstrapServers + " are unreachable (no answer in "
                + TIMEOUT_SECONDS + " s)");
    }

    /** Flink's transactions must fit in the broker's transaction.max.timeout.ms, or every one is refused. */
    private void checkTransactionTimeout(Admin admin, Collection<Node> nodes)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (nodes.isEmpty()) {
            return;
        }
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
        Config config = admin.describeConfigs(List.of(broker)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(broker);
        ConfigEntry max = config == null ? null : config.get("transaction.max.timeout.ms");
        if (max != null && max.value() != null && Long.parseLong(max.value()) < kafka.transactionTimeout.toMillis()) {
            problems.add("kafka: the brokers allow transactions of at most " + max.value() + " ms "
                    + "(transaction.max.timeout.ms) but kafka.transactionTimeout is " + kafka.transactionTimeout.toMillis()
                    + " ms; lower kafka.transactionTimeout or raise the broker setting");
        }
    }
}
