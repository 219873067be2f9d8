# syntax=docker/dockerfile:1
# restic-manager agent in a container (the compose `demo` profile's sibling agent; real hosts use the
# systemd unit in deploy/systemd/), from the jars `mvn package` made. From the repository root:
#   mvn -pl agent -am package -DskipTests
#   docker build -f deploy/docker/agent.Dockerfile -t restic-manager/agent:0.1.0 .
# JAVA_IMAGE: as for the services (see gateway.Dockerfile); it must have apt-get for restic.
# State (agent.yaml 0600, event spool, restic cache) lives under /var/lib/restic-manager-agent (volume);
# the root filesystem may be read-only with a tmpfs on /tmp.
ARG JAVA_IMAGE=eclipse-temurin:21-jre
FROM ${JAVA_IMAGE}
# restic is the backup engine the agent drives; the distribution's package is enough (0.14+ supported).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends restic ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 restic-manager \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/restic-manager-agent --no-create-home \
      --shell /usr/sbin/nologin restic-manager \
 && mkdir -p /var/lib/restic-manager-agent \
 && chown 10001:10001 /var/lib/restic-manager-agent \
 && chmod 0700 /var/lib/restic-manager-agent
COPY agent/target/restic-manager-agent.jar /app/restic-manager-agent.jar
COPY agent/target/libs/ /app/libs/
ENV HOME=/var/lib/restic-manager-agent \
    RESTIC_CACHE_DIR=/var/lib/restic-manager-agent/cache
VOLUME /var/lib/restic-manager-agent
WORKDIR /var/lib/restic-manager-agent
USER 10001:10001
# The agent listens on no port (it only dials out to the gateway's /ws/agent), so there is no /health
# to probe; its liveness is what the server shows (online/offline from heartbeats). Docker restarts it
# if the process exits (restart policy).
HEALTHCHECK NONE
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/restic-manager-agent.jar"]
CMD ["run", "--config", "/var/lib/restic-manager-agent/agent.yaml"]
