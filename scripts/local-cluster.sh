#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 built from the jars Maven resolved (no Spark download):
# one master and CC_WORKERS workers (default 2, 1 core and 1g each), for trying scripts/submit.sh
# and for the cluster integration tests.
#
#   scripts/local-cluster.sh start     # prints the master URL (also in $CC_CLUSTER_DIR/master.url)
#   scripts/local-cluster.sh status    # pids, liveness, workers registered
#   scripts/local-cluster.sh stop      # workers first, then the master (TERM, then KILL after 15 s)
#
# Environment (all optional):
#   CC_CLUSTER_DIR      work dir: pid files, logs, worker dirs, the SPARK_HOME it builds (work/cluster)
#   CC_CLASSPATH        class path of Spark + Delta jars (default: jobs/target/local-classpath.txt,
#                       written by `mvn package`); the commonclient jars in it are skipped
#   CC_MASTER_PORT      master RPC port (7077); CC_MASTER_UI_PORT master web UI (8080); worker i
#                       gets web UI port CC_MASTER_UI_PORT + i
#   CC_WORKERS, CC_WORKER_CORES, CC_WORKER_MEMORY   (2, 1, 1g)
#   CC_DAEMON_MEMORY    heap of the master and worker JVMs (256m)
#
# The SPARK_HOME it builds ($CC_CLUSTER_DIR/spark-home) holds symbolic links to the jars in the
# local Maven repository, a RELEASE file (makes Spark's launcher use SPARK_HOME/jars for the
# executors it starts) and conf/log4j2.properties. Everything listens on 127.0.0.1 only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${CC_CLUSTER_DIR:-$ROOT/work/cluster}
MASTER_PORT=${CC_MASTER_PORT:-7077}
UI_PORT=${CC_MASTER_UI_PORT:-8080}
WORKERS=${CC_WORKERS:-2}
CORES=${CC_WORKER_CORES:-1}
MEMORY=${CC_WORKER_MEMORY:-1g}
DAEMON_MEMORY=${CC_DAEMON_MEMORY:-256m}
SPARK_HOME_DIR="$DIR/spark-home"
MASTER_URL="spark://127.0.0.1:$MASTER_PORT"

alive() { # pid file -> 0 if that process runs and is a Spark daemon we started
  local f=$1 pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q "org.apache.spark.deploy" "/proc/$pid/cmdline" 2>/dev/null
}

build_spark_home() {
  local cp
  if [ -n "${CC_CLASSPATH:-}" ]; then
    cp=$CC_CLASSPATH
  else
    local cp_file="$ROOT/jobs/target/local-classpath.txt"
    if [ ! -f "$cp_file" ]; then
      echo "local-cluster: $cp_file is missing: run 'mvn -q -B -DskipTests package' first (or set CC_CLASSPATH)" >&2
      exit 2
    fi
    cp=$(cat "$cp_file")
  fi
  rm -rf "$SPARK_HOME_DIR/jars"
  mkdir -p "$SPARK_HOME_DIR/jars" "$SPARK_HOME_DIR/conf"
  local n=0 jar
  IFS=':' read -r -a entries <<< "$cp"
  for jar in "${entries[@]}"; do
    case "$jar" in
      *.jar) ;;
      *) continue ;;                      # class folders belong to the application
    esac
    case "$(basename "$jar")" in
      commonclient-*|junit-*|opentest4j-*|apiguardian-*|hadoop-client-minicluster-*) continue ;;
    esac
    [ -f "$jar" ] || continue
    ln -sf "$jar" "$SPARK_HOME_DIR/jars/$(basename "$jar")"
    n=$((n + 1))
  done
  echo "Spark (jars from the local Maven repository, $n jars)" > "$SPARK_HOME_DIR/RELEASE"
  # quiet executors and drivers; the daemons' registration lines (INFO) are how start() waits
  cat "$ROOT/scripts/log4j2.properties" > "$SPARK_HOME_DIR/conf/log4j2.properties"
  printf '%s\n' "logger.deploy.name = org.apache.spark.deploy" "logger.deploy.level = info" \
    >> "$SPARK_HOME_DIR/conf/log4j2.properties"
}

start() {
  mkdir -p "$DIR"
  export SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost
  if ! alive "$DIR/master.pid"; then
    build_spark_home
    local log="$DIR/master.log"
    nohup java -Xmx"$DAEMON_MEMORY" -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" \
      -Dspark.master.rest.enabled=false \
      org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$UI_PORT" \
      > "$log" 2>&1 < /dev/null &
    echo $! > "$DIR/master.pid"
  fi
  local i
  for i in $(seq 1 "$WORKERS"); do
    if ! alive "$DIR/worker-$i.pid"; then
      [ -d "$SPARK_HOME/jars" ] || build_spark_home
      mkdir -p "$DIR/worker-$i"
      nohup java -Xmx"$DAEMON_MEMORY" -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" \
        org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$CORES" --memory "$MEMORY" \
        --webui-port $((UI_PORT + i)) --work-dir "$DIR/worker-$i" "$MASTER_URL" \
        > "$DIR/worker-$i.log" 2>&1 < /dev/null &
      echo $! > "$DIR/worker-$i.pid"
    fi
  done
  # ready when every worker has registered
  local waited=0
  while true; do
    local ok=0
    for i in $(seq 1 "$WORKERS"); do
      if grep -q "Successfully registered with master" "$DIR/worker-$i.log" 2>/dev/null && alive "$DIR/worker-$i.pid"; then
        ok=$((ok + 1))
      fi
    done
    [ "$ok" -eq "$WORKERS" ] && break
    if ! alive "$DIR/master.pid"; then
      echo "local-cluster: the master died; see $DIR/master.log" >&2; tail -20 "$DIR/master.log" >&2; exit 1
    fi
    if [ "$waited" -ge 90 ]; then
      echo "local-cluster: only $ok of $WORKERS workers registered after 90 s; logs in $DIR" >&2; exit 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  echo "$MASTER_URL" > "$DIR/master.url"
  echo "$MASTER_URL"
}

stop_one() {
  local f=$1 pid i
  if alive "$f"; then
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop() {
  local f
  for f in "$DIR"/worker-*.pid; do
    [ -e "$f" ] && stop_one "$f"
  done
  stop_one "$DIR/master.pid"
  rm -f "$DIR/master.url"
  echo "stopped"
}

status() {
  local f name up=0
  for f in "$DIR"/master.pid "$DIR"/worker-*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if alive "$f"; then echo "$name running (pid $(cat "$f"))"; up=$((up + 1)); else echo "$name not running"; fi
  done
  if alive "$DIR/master.pid"; then
    echo "master $MASTER_URL, web UI http://127.0.0.1:$UI_PORT"
    if command -v curl > /dev/null; then
      curl -s "http://127.0.0.1:$UI_PORT/json/" | grep -E '"(aliveworkers|cores|coresused|status)"' || true
    fi
    return 0
  fi
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
