# The tapflow host collector: eBPF programs (CO-RE, built against the build host's BTF-generated vmlinux.h) and the
# Java agent with its JNI shim over libbpf. Built from this repository:
#   docker build -f deploy/docker/collector.Dockerfile -t tapflow/collector:0.1.0 .
# Run with the host's PID namespace, /sys/kernel/btf, tracefs and CAP_BPF + CAP_PERFMON (docker-compose.yml and
# deploy/k8s/collector-daemonset.yaml show how).

FROM debian:bookworm-20251117 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven clang llvm libbpf-dev bpftool make gcc \
      libelf-dev zlib1g-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl collector-agent -am package

FROM debian:bookworm-20251117
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless libbpf1 libelf1 zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/collector-agent/target/tapflow-collector-agent-*-all.jar /opt/tapflow/collector.jar
ENTRYPOINT ["java", "-Xmx512m", "-jar", "/opt/tapflow/collector.jar"]
