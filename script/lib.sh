# shellcheck shell=bash
# Shared helpers for script/*: locate a JDK >= 21, Maven, and install missing tools.

rm_java_major() { # $1 = path to a java binary; prints its major version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if new enough, else the newest under the usual JDK folders,
# else `java` on PATH. Exits with install instructions when there is none.
rm_find_jdk() {
  local candidate major best="" best_major=0 too_old=""
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    if [ -z "$candidate" ] || [ ! -x "$candidate/bin/java" ] || [ ! -x "$candidate/bin/javac" ]; then continue; fi
    major=$(rm_java_major "$candidate/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -lt 21 ] && [[ "$too_old" != *": $candidate"$'\n'* ]]; then
      too_old="$too_old  JDK $major: $candidate"$'\n'
    fi
    if [ "$candidate" = "${JAVA_HOME:-}" ] && [ "$major" -ge 21 ]; then best=$candidate; best_major=$major; break; fi
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(rm_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then best=$candidate; best_major=$major; fi
  fi
  if [ -z "$best" ]; then
    if [ -n "$too_old" ]; then
      printf 'Found only JDKs older than 21:\n%s' "$too_old" >&2
    fi
    cat >&2 <<'MSG'
restic-manager needs a JDK 21 or newer (Helidon 4), and none was found
(looked at $JAVA_HOME, /usr/lib/jvm/*, /opt/java/*, ~/.sdkman and `javac` on PATH).
Install one, for example:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install -y openjdk-21-jdk
  Debian 12 / any Linux:     Eclipse Temurin 21+ from https://adoptium.net (apt repo packages.adoptium.net:
                             sudo apt-get install -y temurin-21-jdk)
  macOS:                     brew install --cask temurin@21
then run this command again (or set JAVA_HOME to it).
MSG
    exit 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}

rm_is_root() { [ "$(id -u)" = "0" ]; }

rm_apt_updated=""
# Installs Debian packages when a command is missing and we can (root + apt-get).
# Usage: rm_need COMMAND PACKAGE [PACKAGE...]
rm_need() {
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if rm_is_root && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing $* (for $cmd)" >&2
    if [ -z "$rm_apt_updated" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
      rm_apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
  command -v "$cmd" >/dev/null 2>&1
}

rm_find_maven() {
  if ! rm_need mvn maven; then
    echo "Maven 3.8+ is needed: sudo apt-get install -y maven (or https://maven.apache.org)" >&2
    exit 1
  fi
}

# Rootful podman for the compose stack test (ComposeStackTest): podman with runc and netavark/aardvark-dns (service
# names resolve on compose networks), and /etc/containers/containers.conf for machines like CI's, where raising
# ulimits is refused and crun refuses the hybrid cgroup layout. An existing containers.conf is never touched.
rm_need_podman() {
  rm_need podman podman runc netavark aardvark-dns || return 1
  local conf=/etc/containers/containers.conf
  if [ -e "$conf" ]; then
    echo "==> $conf exists: left as it is (the compose test wants runtime=runc, cgroup_manager=cgroupfs, 1024 ulimits)" >&2
  elif rm_is_root; then
    mkdir -p /etc/containers
    cat > "$conf" <<'CONF'
# written by restic-manager's script/test (only when absent): what rootful podman needs on machines where
# raising ulimits is refused and crun refuses the hybrid cgroup layout
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
    echo "==> wrote $conf (podman: runc, cgroupfs, 1024 ulimits)" >&2
  fi
}
