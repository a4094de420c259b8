#!/usr/bin/env bash
# Submits a commonclient command to a Spark cluster with spark-submit semantics.
#
#   scripts/submit.sh --master URL [--deploy-mode client|cluster] [--config FILE]
#                     [--driver-memory 2g] [--executor-memory 4g] [--executor-cores N]
#                     [--total-executor-cores N] [--num-executors N] [--conf k=v]... [--name NAME]
#                     [--] COMMAND [COMMAND OPTIONS...]
#
#   scripts/submit.sh --master spark://127.0.0.1:7077 --config conf/sample.conf pipeline
#   scripts/submit.sh --master yarn --deploy-mode cluster --config conf/prod.conf \
#       --driver-memory 4g --executor-memory 8g --num-executors 20 pipeline
#   scripts/submit.sh --master k8s://https://api.example:6443 --deploy-mode cluster \
#       --conf spark.kubernetes.container.image=REGISTRY/commonclient:0.1.0 --config /opt/cc/prod.conf pipeline
#
# --master defaults to $CC_MASTER, else the URL of scripts/local-cluster.sh if it runs.
# --config is passed to the command (made absolute; in YARN/Kubernetes cluster mode the file is
# shipped with --files and given to the driver by name, so it must be self-contained: no includes).
# Everything after the options (or after --) goes to the command.
#
# Which spark-submit: with SPARK_HOME set (a Spark 4.1 distribution, e.g. on a YARN edge node),
# $SPARK_HOME/bin/spark-submit, plus --packages $CC_PACKAGES (default Delta 4.4.0 for Spark 4.1;
# set CC_PACKAGES= when the cluster already has Delta). Without SPARK_HOME:
# org.apache.spark.deploy.SparkSubmit run with java on the class path Maven resolved
# (jobs/target/local-classpath.txt, or CC_CLASSPATH). In that client mode the driver is that java
# process, so --driver-memory becomes its -Xmx, and CC_DRIVER_JAVA_OPTS its other JVM options.
#
# The job jar is jobs/target/commonclient-jobs.jar (or CC_JOB_JAR): the suite and its small
# dependencies; Spark and Delta come from the cluster. Exit code: the command's (see README).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=${CC_JOB_JAR:-$ROOT/jobs/target/commonclient-jobs.jar}
MAIN=org.commonclient.jobs.CommonClient

MASTER=${CC_MASTER:-}
DEPLOY_MODE=client
CONFIG=""
DRIVER_MEMORY=""
SUBMIT_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) MASTER=$2; shift 2 ;;
    --deploy-mode) DEPLOY_MODE=$2; shift 2 ;;
    --config|-c) CONFIG=$2; shift 2 ;;
    --driver-memory) DRIVER_MEMORY=$2; shift 2 ;;
    --executor-memory|--executor-cores|--total-executor-cores|--num-executors|--conf|--name|--jars|--files|--queue|--driver-cores|--packages|--properties-file)
      SUBMIT_ARGS+=("$1" "$2"); shift 2 ;;
    --) shift; break ;;
    -*) echo "submit.sh: unknown option $1 (options after the command name go to the command)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "submit.sh: no command given (e.g. pipeline, ingest, link, metrics)" >&2; exit 2
fi
if [ -z "$MASTER" ] && [ -f "${CC_CLUSTER_DIR:-$ROOT/work/cluster}/master.url" ]; then
  MASTER=$(cat "${CC_CLUSTER_DIR:-$ROOT/work/cluster}/master.url")
fi
if [ -z "$MASTER" ]; then
  echo "submit.sh: no --master (and no CC_MASTER, no running scripts/local-cluster.sh)" >&2; exit 2
fi
if [ ! -f "$JAR" ]; then
  echo "submit.sh: $JAR is missing: run 'mvn -q -B -DskipTests package' first" >&2; exit 2
fi

COMMAND=("$1"); shift
CONFIG_ARGS=()
if [ -n "$CONFIG" ]; then
  if [ "$DEPLOY_MODE" = cluster ] && { [[ "$MASTER" == yarn* ]] || [[ "$MASTER" == k8s://* ]]; }; then
    if [ -f "$CONFIG" ]; then
      SUBMIT_ARGS+=(--files "$CONFIG"); CONFIG_ARGS=(--config "$(basename "$CONFIG")")
    else
      CONFIG_ARGS=(--config "$CONFIG")   # a path inside the image / on the nodes
    fi
  else
    [ -f "$CONFIG" ] || { echo "submit.sh: config file $CONFIG does not exist" >&2; exit 2; }
    CONFIG_ARGS=(--config "$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")")
  fi
fi
case "$MASTER" in
  *127.0.0.1*|*localhost*|local*)
    export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
    SUBMIT_ARGS+=(--conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1) ;;
esac
SUBMIT_ARGS+=(--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension
              --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog)

if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  PKG_ARGS=()
  PACKAGES=${CC_PACKAGES-io.delta:delta-spark_4.1_2.13:4.4.0}
  [ -n "$PACKAGES" ] && PKG_ARGS=(--packages "$PACKAGES")
  DRV=()
  [ -n "$DRIVER_MEMORY" ] && DRV+=(--driver-memory "$DRIVER_MEMORY")
  # the driver JVM compiles Spark's huge generated methods too (pom.xml spark.jvm.tuning)
  TUNING=$(sed -n 's:.*<spark.jvm.tuning>\(.*\)</spark.jvm.tuning>.*:\1:p' "$ROOT/pom.xml")
  DRV+=(--driver-java-options "$TUNING ${CC_DRIVER_JAVA_OPTS:-}")
  exec "$SPARK_HOME/bin/spark-submit" --master "$MASTER" --deploy-mode "$DEPLOY_MODE" --class "$MAIN" \
    "${PKG_ARGS[@]}" "${DRV[@]}" "${SUBMIT_ARGS[@]}" "$JAR" "${COMMAND[@]}" "${CONFIG_ARGS[@]}" "$@"
fi

# No Spark distribution: SparkSubmit from the Maven class path.
if [ -n "${CC_CLASSPATH:-}" ]; then
  CP=$CC_CLASSPATH
else
  CP_FILE="$ROOT/jobs/target/local-classpath.txt"
  [ -f "$CP_FILE" ] || { echo "submit.sh: $CP_FILE is missing: run 'mvn -q -B -DskipTests package' first" >&2; exit 2; }
  CP=$(cat "$CP_FILE")
fi
OPENS=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$ROOT/pom.xml")
TUNING=$(sed -n 's:.*<spark.jvm.tuning>\(.*\)</spark.jvm.tuning>.*:\1:p' "$ROOT/pom.xml")
if [ "$DEPLOY_MODE" = cluster ]; then
  # the cluster starts the driver: its memory is a submit option, this JVM only submits
  [ -n "$DRIVER_MEMORY" ] && SUBMIT_ARGS+=(--driver-memory "$DRIVER_MEMORY")
  [ -n "${CC_DRIVER_JAVA_OPTS:-}" ] && SUBMIT_ARGS+=(--conf "spark.driver.extraJavaOptions=$CC_DRIVER_JAVA_OPTS")
  SUBMIT_ARGS+=(--conf spark.standalone.submit.waitAppCompletion=true)
  JVM_MEMORY=512m
else
  JVM_MEMORY=${DRIVER_MEMORY:-2g}
fi
# shellcheck disable=SC2086
exec java -Xmx"$JVM_MEMORY" $TUNING $OPENS ${CC_DRIVER_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile="${CC_LOG4J:-$ROOT/scripts/log4j2.properties}" \
  -cp "$CP" org.apache.spark.deploy.SparkSubmit \
  --master "$MASTER" --deploy-mode "$DEPLOY_MODE" --class "$MAIN" "${SUBMIT_ARGS[@]}" \
  "$JAR" "${COMMAND[@]}" "${CONFIG_ARGS[@]}" "$@"
