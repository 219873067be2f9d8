# syntax=docker/dockerfile:1
# restic-manager agent-hub (agents' WebSockets, enrollment, command dispatch). Build from the repository root (BuildKit):
#   docker build -f deploy/docker/agent-hub.Dockerfile -t restic-manager/agent-hub:0.1.0 .
# Read-only root filesystem friendly: state lives under /data (volume), the JVM and sqlite-jdbc
# write only to /tmp (mount a tmpfs there). Secrets come as files (RM_INTERNAL_TOKEN_FILE, ...).

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
# agent-hub.Dockerfile.dockerignore keeps target/, data and .mvn/jvm.config (a JDK 23+ flag) out.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -pl agent-hub,agent -am package -DskipTests \
 && javac --release 21 -d /healthcheck deploy/docker/HealthCheck.java \
 && mkdir -p /agent-dist \
 && cp -R agent/target/restic-manager-agent.jar agent/target/libs agent/target/agent.jvm /agent-dist/ \
 && if [ -d agent/target/runtime ]; then cp -R agent/target/runtime /agent-dist/; fi

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 restic-manager \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin restic-manager \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0700 /data
COPY --from=build /src/agent-hub/target/restic-manager-agent-hub.jar /app/restic-manager-agent-hub.jar
COPY --from=build /src/agent-hub/target/libs/ /app/libs/
COPY --from=build /healthcheck/ /app/healthcheck/
# the agent bundle the hub serves at /downloads/restic-manager-agent.tar.gz (install.sh fetches it): the jar, its
# libs, its Java flags and, when built on linux-x86_64, its own jlinked runtime
COPY --from=build /agent-dist/ /app/agent-dist/
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
