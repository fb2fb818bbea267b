#!/usr/bin/env bash
# Keysmith's performance benchmark: builds once, then runs the load generator, which starts moto,
# plays Slack, and runs each bot in its own JVM. Prints one markdown table and writes it to
# bench/results.md. Takes a few minutes on 2 cores. An optional argument scales the request
# counts (bench/run.sh 0.2 for a quick look). `bench/run.sh bursts` runs only the two bursts
# (Slack's rate limits, IAM throttling), into bench/out/bursts.md. `bench/run.sh replicas` runs
# only the 1,000 concurrent approvals, on one replica with SQLite and then spread over two replicas
# sharing a PostgreSQL database (the tests' throwaway server, from this machine's PostgreSQL
# binaries), into bench/out/replicas.md (`bench/run.sh 0.1 replicas` for a quick look). The load
# generator's source is src/bench/java; it uses the test helpers and compiles with the tests, into
# target/test-classes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v moto_server >/dev/null 2>&1 && ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  echo 'moto is missing: pip install "moto[server]"' >&2
  exit 1
fi

echo "Building..." >&2
./mvnw -q -DskipTests package
./mvnw -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null

mkdir -p bench/out
echo "Running (logs in bench/out/)..." >&2
exec java -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  dev.keysmith.bench.Bench "$@" 2> >(tee bench/out/bench.log >&2)
