# syntax=docker/dockerfile:1
# restic-manager agent-hub (agents' WebSockets, enrollment, command dispatch), from the jars `mvn package` made. From the repository root:
#   mvn -pl agent-hub,deploy,agent -am package -DskipTests
#   docker build -f deploy/docker/agent-hub.Dockerfile -t restic-manager/agent-hub:0.1.0 .
# JAVA_IMAGE: any image with a Java 21+ `java` on PATH, a Debian-like userland and useradd; the default is public,
# localhost/restic-manager/jre:0.1.0 (jre.Dockerfile) is built here without a registry.
# Read-only root filesystem friendly: state lives under /data (volume), the JVM and sqlite-jdbc
# write only to /tmp (mount a tmpfs there). Secrets come as files (RM_INTERNAL_TOKEN_FILE, ...).
ARG JAVA_IMAGE=eclipse-temurin:21-jre
FROM ${JAVA_IMAGE}
RUN groupadd --system --gid 10001 restic-manager \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin restic-manager \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0700 /data
COPY agent-hub/target/restic-manager-agent-hub.jar /app/restic-manager-agent-hub.jar
COPY agent-hub/target/libs/ /app/libs/
COPY deploy/target/healthcheck/ /app/healthcheck/
# the agent bundle the hub serves at /downloads/restic-manager-agent.tar.gz (install.sh fetches it): the jar, its
# libs, its Java flags and, when built on linux-x86_64, its own jlinked runtime (.dockerignore lets only these in)
COPY agent/target/ /app/agent-dist/
ENV RM_MODE=production \
    RM_HOST=0.0.0.0 \
    RM_AGENT_HUB_PORT=8081 \
    RM_DATA_DIR=/data \
    RM_AGENT_DIST=/app/agent-dist
VOLUME /data
EXPOSE 8081
WORKDIR /data
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["java", "-Xmx16m", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", "/app/healthcheck", "HealthCheck", "RM_AGENT_HUB_PORT", "8081"]
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/restic-manager-agent-hub.jar"]
