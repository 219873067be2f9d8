# syntax=docker/dockerfile:1
# restic-manager gateway (the only public entry), from the jars `mvn package` made. From the repository root:
#   mvn -pl gateway,deploy -am package -DskipTests
#   docker build -f deploy/docker/gateway.Dockerfile -t restic-manager/gateway:0.1.0 .
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
COPY gateway/target/restic-manager-gateway.jar /app/restic-manager-gateway.jar
COPY gateway/target/libs/ /app/libs/
COPY deploy/target/healthcheck/ /app/healthcheck/
ENV RM_MODE=production \
    RM_HOST=0.0.0.0 \
    RM_PORT=8080 \
    RM_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
WORKDIR /data
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["java", "-Xmx16m", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", "/app/healthcheck", "HealthCheck", "RM_PORT", "8080"]
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/restic-manager-gateway.jar"]
