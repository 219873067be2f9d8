# syntax=docker/dockerfile:1
# Caddy from Debian's package, for the compose `tls` profile where the caddy:2.8 image cannot be pulled:
#   docker build --build-arg DEBIAN_IMAGE=localhost/debian-min:12 -f deploy/docker/caddy.Dockerfile \
#     -t localhost/restic-manager/caddy:2.6 .      then RM_CADDY_IMAGE=localhost/restic-manager/caddy:2.6
# It runs as uid 10001 with no capability at all: compose lets the container bind 80/443 unprivileged
# (net.ipv4.ip_unprivileged_port_start). Certificates and the local CA live in /data (volume), as in caddy:2.
ARG DEBIAN_IMAGE=debian:12-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends caddy ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /config /etc/caddy \
 && chown 10001:10001 /data /config \
 && chmod 0700 /data /config
ENV XDG_DATA_HOME=/data \
    XDG_CONFIG_HOME=/config
VOLUME /data /config
EXPOSE 80 443
USER 10001:10001
# Caddy serves the gateway, which has its own check; Caddy has no /health of its own.
HEALTHCHECK NONE
ENTRYPOINT ["caddy"]
CMD ["run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
