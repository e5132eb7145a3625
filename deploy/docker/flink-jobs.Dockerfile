# Flink 2.2.1 with tapflow's three shaded job jars, for application-mode FlinkDeployments (deploy/k8s/).
# Build the jars first (./tapflow setup, or mvn -DskipTests package), then:
#   docker build -f deploy/docker/flink-jobs.Dockerfile -t tapflow/flink-jobs:0.1.0 .
FROM flink:2.2.1-java17
COPY flink-jobs/flow-aggregation/target/tapflow-flow-aggregation-0.1.0-SNAPSHOT.jar /opt/tapflow/flow-aggregation.jar
COPY flink-jobs/trace-assembly/target/tapflow-trace-assembly-0.1.0-SNAPSHOT.jar /opt/tapflow/trace-assembly.jar
COPY flink-jobs/llm-metrics/target/tapflow-llm-metrics-0.1.0-SNAPSHOT.jar /opt/tapflow/llm-metrics.jar
