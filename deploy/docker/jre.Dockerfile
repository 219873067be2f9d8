# syntax=docker/dockerfile:1
# A Java base image made without any registry: Debian 12 plus the services' jlinked runtime
# (deploy/target/server-runtime, linked by `mvn package` on linux-x86_64). For hosts that cannot pull
# eclipse-temurin; the service and agent images take it with --build-arg JAVA_IMAGE=localhost/restic-manager/jre:0.1.0.
# DEBIAN_IMAGE may be a local import of a debootstrap root (compose/README.md, "Podman without a registry"):
#   docker build --build-arg DEBIAN_IMAGE=localhost/debian-min:12 -f deploy/docker/jre.Dockerfile \
#     -t localhost/restic-manager/jre:0.1.0 .
# A base for the other images: it runs nothing itself, so it sets no user, entrypoint or health check.
ARG DEBIAN_IMAGE=debian:12-slim
FROM ${DEBIAN_IMAGE}
COPY deploy/target/server-runtime/ /opt/java/
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
