#!/usr/bin/env bash
# The README's first command: builds the job jar, generates the statewide sample (about 5,000
# people, seed 42) and runs the whole pipeline (ingest -> link -> metrics) on it with Spark
# local[*] and Delta tables on the local disk under work/. Prints where the tables are.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-5000}
echo "== build"
mvn -q -B -ntp package -DskipTests
echo "== generate ($PEOPLE people)"
scripts/commonclient generate --people "$PEOPLE" --seed 42 --out work/sample
echo "== pipeline"
scripts/commonclient pipeline --config conf/sample.conf
