# syntax=docker/dockerfile:1
# rclone from Debian's package, for the compose `demo` profile's append-only restic REST backend where the
# rclone/rclone image cannot be pulled:
#   docker build --build-arg DEBIAN_IMAGE=localhost/debian-min:12 -f deploy/docker/rclone.Dockerfile \
#     -t localhost/restic-manager/rclone:1.60 .    then RM_RCLONE_IMAGE=localhost/restic-manager/rclone:1.60
# Same entrypoint as rclone/rclone (the compose command is rclone's arguments); repositories in /repos.
ARG DEBIAN_IMAGE=debian:12-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rclone ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /repos \
 && chown 10001:10001 /repos \
 && chmod 0700 /repos
ENV HOME=/repos
VOLUME /repos
EXPOSE 8000
USER 10001:10001
# the REST backend has no health endpoint; restic's own errors show when it is down
HEALTHCHECK NONE
ENTRYPOINT ["rclone"]
