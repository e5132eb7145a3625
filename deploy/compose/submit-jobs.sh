#!/usr/bin/env bash
# Creates tapflow's ClickHouse tables, then runs each job on the session cluster unless it is already running.
# The options files are read by the job's main() here, in the client (the stock `flink run`).
set -euo pipefail
rest=http://jobmanager:8081
jar() { ls /opt/tapflow/jars/"$1"/tapflow-"$1"-*.jar 2>/dev/null | head -1; }

flow_jar="$(jar flow-aggregation)"
[[ -n "$flow_jar" ]] || { echo "no job jars under flink-jobs/*/target: run ./tapflow setup first" >&2; exit 2; }
echo "creating tables"
java -cp "$flow_jar" io.tapflow.schema.clickhouse.ClickHouseMigrate --url http://clickhouse:8123 --database tapflow

running="$(curl -fsS "$rest/jobs/overview" | tr '{' '\n')"
for job in flow-aggregation trace-assembly llm-metrics; do
  if grep "\"name\":\"tapflow $job\"" <<<"$running" | grep -qE '"state":"(RUNNING|CREATED|RESTARTING|INITIALIZING)"'; then
    echo "$job is already running"
    continue
  fi
  extra=()
  [[ "$job" == llm-metrics ]] && extra=(--llm.tenant-hash-secret "$TAPFLOW_TENANT_HASH_SECRET")
  echo "submitting $job"
  /opt/flink/bin/flink run -m jobmanager:8081 -d "$(jar "$job")" --config "/opt/tapflow/conf/$job.yaml" "${extra[@]}"
done
