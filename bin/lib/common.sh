# Shared by bin/stack, bin/flink, bin/setup, bin/test, bin/demo. Source it; it sets no traps.
# Every location and port can be overridden from the environment (see README "Local stack").

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
# Runtime jars (Flink, Kafka) are shared by every stack directory of this checkout.
STACK_LIB="${STACK_LIB:-$REPO_DIR/.stack-lib}"

STACK_HOST=127.0.0.1
STACK_PG_PORT="${STACK_PG_PORT:-15432}"
STACK_KAFKA_PORT="${STACK_KAFKA_PORT:-19092}"
STACK_KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-19093}"
STACK_CH_HTTP_PORT="${STACK_CH_HTTP_PORT:-18123}"
STACK_CH_TCP_PORT="${STACK_CH_TCP_PORT:-19000}"
STACK_FLINK_REST_PORT="${STACK_FLINK_REST_PORT:-18081}"
STACK_FLINK_RPC_PORT="${STACK_FLINK_RPC_PORT:-16123}"
STACK_ZK_PORT="${STACK_ZK_PORT:-12181}"

FLINK_VERSION=1.20.5
FLINK_PROMETHEUS_VERSION=1.20.3 # 1.20.5 of this plugin is not on Maven Central; same minor, same API
KAFKA_VERSION=3.9.1

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# port_in_use PORT: true when something listens on 127.0.0.1:PORT (or on every address).
port_in_use() {
  (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null
}

# free_port: an ephemeral port nobody listens on right now.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 12000) + 20000 )) # below the kernel's ephemeral range (32768..)
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

# wait_until DEADLINE_SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it succeeds.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }

rss_mb() {
  local kb
  kb=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  echo $(( ${kb:-0} / 1024 ))
}

# Sum of the RSS of a process and all its descendants (PostgreSQL forks one per backend).
tree_rss_mb() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" 2>/dev/null); do
    total=$(( total + $(rss_mb "$p") ))
  done
  echo "$total"
}

pg_bin_dir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

java_add_opens() {
  # The module flags Flink's own config.yaml sets in env.java.opts.all for Java 17.
  echo "--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"
}

# The stack's endpoints and secret files, written by `bin/stack up`.
load_stack_env() {
  [ -f "$STACK_DIR/stack.env" ] || die "no local stack at $STACK_DIR: run bin/stack up"
  # shellcheck disable=SC1091
  . "$STACK_DIR/stack.env"
}

JOB_JAR="$REPO_DIR/target/bionicpro-cdc.jar"

# ensure_jar: builds the job jar when it is missing or older than the sources.
ensure_jar() {
  if [ ! -f "$JOB_JAR" ] || [ -n "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" "$REPO_DIR/db-init/clickhouse/queries" \
        -newer "$JOB_JAR" -type f 2>/dev/null | head -1)" ]; then
    log "building $JOB_JAR (mvn package, tests skipped)"
    (cd "$REPO_DIR" && mvn -B -q -DskipTests package) || die "the build failed"
  fi
}

# export_job_env: the local stack's endpoints and secrets in the variables jobs/bionicpro.yaml reads.
export_job_env() {
  load_stack_env
  export PG_HOST PG_PORT KAFKA_BOOTSTRAP CLICKHOUSE_URL CLICKHOUSE_USER
  export CDC_PG_USER="$PG_CDC_USER"
  CDC_PG_PASSWORD="$(cat "$PG_CDC_PASSWORD_FILE")"
  CLICKHOUSE_PASSWORD="$(cat "$CLICKHOUSE_PASSWORD_FILE")"
  APP_PG_PASSWORD="$(cat "$PG_ADMIN_PASSWORD_FILE")"
  export CDC_PG_PASSWORD CLICKHOUSE_PASSWORD APP_PG_PASSWORD
  export APP_PG_USER=postgres
}

# run_cli COMMAND ARGS...: the operator commands (verify, report, slots, load, live) of the job jar.
run_cli() {
  ensure_jar
  # shellcheck disable=SC2046
  exec java $(java_add_opens) -Dlog4j2.level=WARN -cp "$JOB_JAR:$STACK_LIB/flink/*" com.bionicpro.cdc.tools.Cli "$@"
}
