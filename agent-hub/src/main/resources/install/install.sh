#!/bin/sh
# restic-manager agent installer, served by the server at /install.sh:
#
#   curl -fsSL @@RM_PUBLIC_URL@@/install.sh | sudo sh -s -- --server @@RM_PUBLIC_URL@@ --token <token> --sha256 <digest>
#
# The agent bundle is checked against its SHA-256 (from the install command, else the digest this script was
# served with) and against the server's signed checksum list (Ed25519, verified with openssl) before anything from
# it runs; a bundle with any other digest or an unsigned list is refused.
#
# Installs the agent to /opt/restic-manager-agent, enrolls this host with the one-time token and runs the
# agent as a sandboxed systemd service. On Debian/Ubuntu (amd64) it installs the agent's package from the server's
# signed APT repository instead (its keyring checked against the signed checksum list first), so that
# `apt-get install --only-upgrade restic-manager-agent` (or `restic-manager-agent update`) upgrades it later;
# --no-apt keeps to the bundle. It lists existing restic cron jobs and systemd timers with the
# command that disables each one, but never disables anything itself.
#
# The bundle carries its own Java runtime (linux-x86_64), so a host needs nothing but restic. Where that runtime
# does not run (another CPU or C library), Java 21+ is looked for in this order: $RM_JAVA (a java binary; when set
# it is used even before the bundled runtime), /opt/restic-manager-jre/bin/java, $JAVA_HOME/bin/java, java on PATH,
# /usr/lib/jvm/*, /usr/local/lib/jvm/*, /opt/java/*. sudo drops the environment: pass RM_JAVA after it
# (... | sudo RM_JAVA=/path/to/bin/java sh -s -- ...).
#
# Uninstall (stops and removes the service, the agent and its state; repositories and backed-up files stay):
#
#   curl -fsSL @@RM_PUBLIC_URL@@/install.sh | sudo sh -s -- --uninstall
set -eu

SERVER="@@RM_PUBLIC_URL@@"
TOKEN=""
SHA256="@@BUNDLE_SHA256@@"
# the server's Ed25519 release key: the bundle's checksum list (SHA256SUMS) must carry its signature
RELEASE_KEY=$(
  cat <<'KEY'
@@RELEASE_KEY_PEM@@
KEY
)
# RM_INSTALL_ROOT: install below another root (the project's tests use it; leave it unset on hosts)
ROOT=${RM_INSTALL_ROOT:-}
INSTALL_DIR=$ROOT/opt/restic-manager-agent
STATE_DIR=$ROOT/var/lib/restic-manager-agent
CONFIG="$STATE_DIR/agent.yaml"
JAR="$INSTALL_DIR/restic-manager-agent.jar"
LAUNCHER="$INSTALL_DIR/restic-manager-agent"
SERVICE=restic-manager-agent.service
UNIT_FILE="$ROOT/etc/systemd/system/$SERVICE"
# where a Java runtime for the agent alone may be put (looked at before the system's Java)
AGENT_JRE=/opt/restic-manager-jre
UNINSTALL=no
# the server's APT repository, for hosts with apt-get: its source and the keyring that verifies it
APT=auto
APT_LIST=$ROOT/etc/apt/sources.list.d/restic-manager.list
APT_KEYRING=$ROOT/etc/apt/keyrings/restic-manager.gpg
PACKAGE=restic-manager-agent

say() { printf '%s\n' "$*"; }
die() {
  printf 'restic-manager install: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<USAGE
usage: install.sh --server URL --token TOKEN --sha256 HEX
       install.sh --uninstall

  --server URL    the restic-manager server (default: $SERVER)
  --token TOKEN   a one-time enrollment token (restic-manager UI: Add host);
                  not needed when this host is already enrolled ($CONFIG exists): then the
                  agent is only upgraded
  --sha256 HEX    the SHA-256 the agent bundle must have (the UI's install command names it)
  --no-apt        install the agent bundle even where apt-get exists (default there: the
                  agent's package from the server's signed APT repository)
  --uninstall     stop the agent and remove its service, $INSTALL_DIR and
                  $STATE_DIR (config, spool, restic cache); repositories,
                  backed-up files and $AGENT_JRE are left alone, and the host stays
                  listed on the server until it is removed there

The agent runs on the Java runtime in its bundle; where that does not run on this host, Java 21+ is
taken from \$RM_JAVA, $AGENT_JRE/bin/java, \$JAVA_HOME, PATH or /usr/lib/jvm, in that order.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --server)
      [ $# -ge 2 ] || die "--server needs a URL"
      SERVER=$2
      shift 2
      ;;
    --server=*)
      SERVER=${1#--server=}
      shift
      ;;
    --token)
      [ $# -ge 2 ] || die "--token needs a value"
      TOKEN=$2
      shift 2
      ;;
    --token=*)
      TOKEN=${1#--token=}
      shift
      ;;
    --sha256)
      [ $# -ge 2 ] || die "--sha256 needs a value"
      SHA256=$2
      shift 2
      ;;
    --sha256=*)
      SHA256=${1#--sha256=}
      shift
      ;;
    --uninstall)
      UNINSTALL=yes
      shift
      ;;
    --no-apt)
      APT=no
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      die "unknown argument: $1 (see --help)"
      ;;
  esac
done

# Stops and removes everything the installer put on this host, then exits.
uninstall() {
  [ "$(uname -s)" = Linux ] || die "this uninstaller is for Linux"
  [ "$(id -u)" -eq 0 ] || die "run it as root: curl -fsSL $SERVER/install.sh | sudo sh -s -- --uninstall"
  if command -v systemctl >/dev/null 2>&1; then
    # stop first: the agent stops a running restic gracefully (no stale lock), then nothing restarts it
    systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
  fi
  if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W "$PACKAGE" >/dev/null 2>&1; then
    # installed from the server's APT repository: purge removes its files and its state
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 purge -y "$PACKAGE" >/dev/null || die "apt-get purge $PACKAGE failed"
    rm -f "$ROOT"/var/cache/apt/archives/"$PACKAGE"_*.deb
  fi
  rm -f "$APT_LIST" "$APT_KEYRING"
  rm -f "$UNIT_FILE"
  rm -rf "$UNIT_FILE.d" # drop-ins (systemctl edit) of a service that no longer exists
  if command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload || true
    systemctl reset-failed "$SERVICE" >/dev/null 2>&1 || true
  fi
  rm -rf "$INSTALL_DIR" "$STATE_DIR"
  say "The restic-manager agent is uninstalled: removed $SERVICE, $INSTALL_DIR and $STATE_DIR."
  say "Left alone: repositories, backed-up files, restic and any Java runtime (also $AGENT_JRE, if present)."
  say "The host is still listed on the server (offline, with its job history): remove it there when it is gone for good."
  exit 0
}
if [ "$UNINSTALL" = yes ]; then
  uninstall
fi

SERVER=${SERVER%/}
case "$SERVER" in
  https://* | http://127.* | http://localhost | http://localhost:* | "http://[::1]"*) ;;
  http://*) [ "${RM_AGENT_ALLOW_INSECURE_HTTP:-}" = true ] || die "--server $SERVER is plain HTTP: the agent runs as root on what the server sends, so it only talks to an https:// server (or one on this machine; RM_AGENT_ALLOW_INSECURE_HTTP=true accepts the risk on a network you control)" ;;
  *) die "--server must be an https:// URL, not: $SERVER" ;;
esac
if [ "$APT" = auto ]; then
  # a package where the host has APT and this is no test install below another root
  if [ -z "$ROOT" ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 &&
    [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
    APT=yes
  else
    APT=no
  fi
fi
SHA256=$(printf '%s' "$SHA256" | tr 'A-F' 'a-f')
case "$SHA256" in
  '' | *[!0-9a-f]*) die "no valid --sha256 for the agent bundle: copy the whole install command from the restic-manager UI (Add host)" ;;
esac
[ ${#SHA256} -eq 64 ] || die "--sha256 must be 64 hex digits"

[ "$(uname -s)" = Linux ] || die "this installer is for Linux (on Windows use install.ps1)"
[ "$(id -u)" -eq 0 ] || die "run it as root: curl -fsSL $SERVER/install.sh | sudo sh -s -- --server $SERVER --token <token>"

case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) die "unsupported CPU architecture $(uname -m): the agent runs on amd64 and arm64" ;;
esac

for tool in systemctl curl tar gzip sha256sum openssl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not installed"
done

# Prints how to install a package on this distribution: $1 = java | restic
install_hint() {
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$1" = java ]; then
      say "  apt-get update && apt-get install -y openjdk-21-jre-headless"
      say "  (Debian 12 has no Java 21 package: add https://packages.adoptium.net and apt-get install -y temurin-21-jre,"
      say "   or unpack a Java 21+ runtime to /opt/restic-manager-jre, or name one with RM_JAVA=/path/to/bin/java)"
    else
      say "  apt-get update && apt-get install -y restic"
    fi
  elif command -v dnf >/dev/null 2>&1; then
    if [ "$1" = java ]; then
      say "  dnf install -y java-21-openjdk-headless"
    else
      say "  dnf install -y restic    (RHEL/Rocky/Alma: dnf install -y epel-release first)"
    fi
  elif command -v yum >/dev/null 2>&1; then
    if [ "$1" = java ]; then
      say "  yum install -y java-21-openjdk-headless"
    else
      say "  yum install -y epel-release && yum install -y restic"
    fi
  elif command -v zypper >/dev/null 2>&1; then
    if [ "$1" = java ]; then say "  zypper install -y java-21-openjdk-headless"; else say "  zypper install -y restic"; fi
  elif command -v apk >/dev/null 2>&1; then
    if [ "$1" = java ]; then say "  apk add openjdk21-jre-headless"; else say "  apk add restic"; fi
  elif command -v pacman >/dev/null 2>&1; then
    if [ "$1" = java ]; then say "  pacman -S --noconfirm jre21-openjdk-headless"; else say "  pacman -S --noconfirm restic"; fi
  else
    if [ "$1" = java ]; then
      say "  a Java 21+ runtime, e.g. Eclipse Temurin from https://adoptium.net"
    else
      say "  restic from https://github.com/restic/restic/releases (a single binary: put it in /usr/local/bin)"
    fi
  fi
}

# Major version of a java binary, or nothing.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

if command -v restic >/dev/null 2>&1; then
  say "restic: $(command -v restic) ($(restic version 2>/dev/null | head -n 1))"
else
  say "WARNING: restic is not installed; the agent installs anyway, but backups fail until it is:" >&2
  install_hint restic >&2
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# Downloads the server's checksum list to $TMP/SHA256SUMS and checks its signature with the release key (Ed25519):
# what is installed is checked against it.
fetch_signed_sums() {
  curl -fsSL "$SERVER/downloads/SHA256SUMS" -o "$TMP/SHA256SUMS" || die "cannot download $SERVER/downloads/SHA256SUMS"
  curl -fsSL "$SERVER/downloads/SHA256SUMS.sig" -o "$TMP/SHA256SUMS.sig" ||
    die "cannot download $SERVER/downloads/SHA256SUMS.sig"
  printf '%s\n' "$RELEASE_KEY" >"$TMP/release-key.pem"
  openssl pkeyutl -verify -pubin -inkey "$TMP/release-key.pem" -rawin -in "$TMP/SHA256SUMS" \
    -sigfile "$TMP/SHA256SUMS.sig" >/dev/null 2>&1 ||
    die "the server's checksum list is not signed by this server's release key: refusing to install it"
}

WAS_ACTIVE=no
if systemctl is-active --quiet "$SERVICE" 2>/dev/null; then
  WAS_ACTIVE=yes
fi

if [ "$APT" = yes ]; then
  fetch_signed_sums
  grep -qx "$SHA256  restic-manager-agent.tar.gz" "$TMP/SHA256SUMS" ||
    die "the signed checksum list does not name the agent build $SHA256 of the install command: refusing to install it (has the server been upgraded since the command was made? then make a new one)"
  say "Adding the server's APT repository ($SERVER/downloads/apt) ..."
  curl -fsSL "$SERVER/downloads/apt/restic-manager.gpg" -o "$TMP/keyring.gpg" ||
    die "cannot download $SERVER/downloads/apt/restic-manager.gpg"
  KEYRING_SHA=$(sha256sum "$TMP/keyring.gpg" | cut -d' ' -f1)
  grep -qx "$KEYRING_SHA  apt/restic-manager.gpg" "$TMP/SHA256SUMS" ||
    die "the APT repository's keyring (SHA-256 $KEYRING_SHA) is not the one in the signed checksum list: refusing to trust it"
  say "Keyring: SHA-256 $KEYRING_SHA, named in the list signed by the server's release key (Ed25519): verified"
  mkdir -p "$(dirname "$APT_KEYRING")"
  install -m 0644 "$TMP/keyring.gpg" "$APT_KEYRING"
  printf 'deb [arch=amd64 signed-by=%s] %s/downloads/apt stable main\n' "$APT_KEYRING" "$SERVER" >"$APT_LIST"
  chmod 0644 "$APT_LIST"
  if [ -f "$UNIT_FILE" ] && ! dpkg-query -S "$UNIT_FILE" >/dev/null 2>&1; then
    # a bundle install's unit and files: the package's take their place (the state in $STATE_DIR stays)
    rm -f "$UNIT_FILE"
    rm -rf "$INSTALL_DIR"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if command -v restic >/dev/null 2>&1; then
    # only this repository's index: the host's other sources are not the installer's business
    apt-get update -o Dir::Etc::sourcelist="$APT_LIST" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >"$TMP/apt.log" 2>&1 ||
      die "apt-get update of the server's repository failed (signature or checksum not valid?):
$(tail -n 15 "$TMP/apt.log")"
  else
    # restic comes with the package (Depends: restic): the distribution's indexes must be current too
    apt-get update >"$TMP/apt.log" 2>&1 || die "apt-get update failed:
$(tail -n 15 "$TMP/apt.log")"
  fi
  say "Installing $PACKAGE with apt-get (verified by APT against the repository's signed Release) ..."
  apt-get -o DPkg::Lock::Timeout=120 install -y "$PACKAGE" >"$TMP/apt.log" 2>&1 || die "apt-get install $PACKAGE failed:
$(tail -n 15 "$TMP/apt.log")"
  say "Installed $PACKAGE $(dpkg-query -W -f='${Version}' "$PACKAGE"); upgrade with: restic-manager-agent update"
else
  say "Downloading the agent ($ARCH) from $SERVER ..."
  curl -fsSL "$SERVER/downloads/restic-manager-agent.tar.gz" -o "$TMP/agent.tar.gz" ||
    die "cannot download $SERVER/downloads/restic-manager-agent.tar.gz"
  ACTUAL=$(sha256sum "$TMP/agent.tar.gz" | cut -d' ' -f1)
  [ "$ACTUAL" = "$SHA256" ] || die "the downloaded agent bundle has SHA-256 $ACTUAL, not the expected $SHA256: refusing to install it (was it altered on the way, or has the server been upgraded since the command was made? then make a new one)"
  say "Bundle: SHA-256 $ACTUAL verified"
  fetch_signed_sums
  grep -qx "$ACTUAL  restic-manager-agent.tar.gz" "$TMP/SHA256SUMS" ||
    die "the signed checksum list does not name this bundle (SHA-256 $ACTUAL): refusing to install it"
  say "Bundle: signed by the server's release key (Ed25519), signature verified"
  mkdir -p "$TMP/agent"
  tar -xzf "$TMP/agent.tar.gz" -C "$TMP/agent" || die "the downloaded agent bundle is not a valid tar.gz"
  [ -f "$TMP/agent/restic-manager-agent.jar" ] || die "the downloaded bundle has no restic-manager-agent.jar"
  [ -f "$TMP/agent/agent.jvm" ] || die "the downloaded bundle has no agent.jvm (the agent's Java flags)"

  BUNDLED=no
  if [ -n "${RM_JAVA:-}" ]; then
    # named explicitly: use exactly this one, or stop (a silent fallback would hide the typo)
    [ -x "$RM_JAVA" ] || die "RM_JAVA=$RM_JAVA is not an executable java binary"
    major=$(java_major "$RM_JAVA")
    case "$major" in
      '' | *[!0-9]*) die "RM_JAVA=$RM_JAVA does not run as Java" ;;
    esac
    [ "$major" -ge 21 ] || die "RM_JAVA=$RM_JAVA is Java $major; the agent needs Java 21 or newer"
  fi
  JAVA=""
  # the runtime in the bundle comes first (it is what the agent was built and tested with); it does not run on a
  # host of another architecture or C library, and then a Java 21+ of the host's own is used
  for candidate in "${RM_JAVA:-}" "$TMP/agent/runtime/bin/java" "$AGENT_JRE/bin/java" "${JAVA_HOME:+$JAVA_HOME/bin/java}" \
    "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java /usr/local/lib/jvm/*/bin/java /opt/java/*/bin/java; do
    if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then continue; fi
    major=$(java_major "$candidate")
    case "$major" in
      '' | *[!0-9]*) continue ;;
    esac
    if [ "$major" -ge 21 ]; then
      if [ "$candidate" = "$TMP/agent/runtime/bin/java" ] && [ -z "${RM_JAVA:-}" ]; then
        BUNDLED=yes
        JAVA="$INSTALL_DIR/runtime/bin/java"
      else
        JAVA=$(readlink -f "$candidate")
      fi
      break
    fi
  done
  if [ -z "$JAVA" ]; then
    say "The agent needs Java 21 or newer: the bundle's own runtime does not run on this host ($ARCH), and no other" >&2
    say "was found. Install one:" >&2
    install_hint java >&2
    say "then run this installer again." >&2
    exit 1
  fi
  if [ "$BUNDLED" = yes ]; then
    say "Java:   $JAVA (bundled with the agent, version $major)"
  else
    say "Java:   $JAVA (version $major)"
  fi

  mkdir -p "$INSTALL_DIR"
  rm -rf "$INSTALL_DIR/libs" # libraries of a previous version
  rm -rf "$INSTALL_DIR/runtime" # the runtime of a previous version
  cp "$TMP/agent/restic-manager-agent.jar" "$JAR"
  cp "$TMP/agent/agent.jvm" "$INSTALL_DIR/agent.jvm"
  if [ "$BUNDLED" = yes ]; then
    cp -R "$TMP/agent/runtime" "$INSTALL_DIR/runtime"
  fi
  if [ -d "$TMP/agent/libs" ]; then
    cp -R "$TMP/agent/libs" "$INSTALL_DIR/libs"
  fi
  cat >"$LAUNCHER" <<LAUNCH
#!/bin/sh
# Written by the restic-manager installer: the Java it found, and the agent jar.
exec "$JAVA" @"$INSTALL_DIR/agent.jvm" -jar "$JAR" "\$@"
LAUNCH
  chown -R root:root "$INSTALL_DIR"
  chmod -R u=rwX,go=rX "$INSTALL_DIR"
  chmod 0755 "$LAUNCHER"
fi

mkdir -p "$STATE_DIR"
chmod 0700 "$STATE_DIR"
if [ -f "$CONFIG" ]; then
  say "This host is already enrolled ($CONFIG exists): upgrading the agent only."
  say "(To enroll it again, remove $CONFIG and run the installer with a new token.)"
else
  [ -n "$TOKEN" ] || die "--token is required (create one in the restic-manager UI: Add host)"
  say "Enrolling this host with $SERVER ..."
  "$LAUNCHER" enroll --server "$SERVER" --token "$TOKEN" --config "$CONFIG" ||
    die "enrollment failed: tokens are single-use and expire; create a new one and run this again"
  chmod 0600 "$CONFIG"
fi

if [ "$APT" = no ]; then
  mkdir -p "$(dirname "$UNIT_FILE")"
  cat >"$UNIT_FILE" <<'UNIT'
@@SERVICE_UNIT@@
UNIT
  chmod 0644 "$UNIT_FILE"
fi
systemctl daemon-reload
if [ "$WAS_ACTIVE" = yes ]; then
  systemctl restart "$SERVICE"
else
  systemctl enable --now "$SERVICE"
fi
say "The agent is running: systemctl status $SERVICE, logs: journalctl -u $SERVICE"

# --- existing restic schedules: report, never change ---------------------------------------------------
FOUND=0
report() { # $1 = where, $2 = the entry, $3 = command that disables it
  if [ "$FOUND" -eq 0 ]; then
    say ""
    say "Existing restic schedules on this host (restic-manager now schedules backups; to avoid running"
    say "them twice, disable these once the same backups are set up in restic-manager):"
  fi
  FOUND=1
  say ""
  say "  $1:"
  say "      $2"
  say "    disable with:  $3"
}

# Reports each line of $1 that mentions restic and is not commented out; $2 = where, $3 = disable command.
scan() {
  grep -v '^[[:space:]]*#' "$1" 2>/dev/null | grep 'restic' >"$TMP/lines" || true
  while IFS= read -r line; do
    report "$2" "$line" "$3"
  done <"$TMP/lines"
}

COMMENT_OUT="sed -e '/^[[:space:]]*#/b' -e '/restic/s/^/#/'"

if command -v crontab >/dev/null 2>&1 && crontab -l -u root >"$TMP/root.cron" 2>/dev/null; then
  scan "$TMP/root.cron" "root's crontab" "crontab -u root -l | $COMMENT_OUT | crontab -u root -"
fi
for spool in "$ROOT"/var/spool/cron/crontabs/* "$ROOT"/var/spool/cron/*; do
  [ -f "$spool" ] || continue
  user=$(basename "$spool")
  [ "$user" != root ] || continue
  scan "$spool" "crontab of $user" "crontab -u $user -l | $COMMENT_OUT | crontab -u $user -"
done
for file in "$ROOT"/etc/crontab "$ROOT"/etc/cron.d/*; do
  [ -f "$file" ] || continue
  scan "$file" "$file" "sed -i -e '/^[[:space:]]*#/b' -e '/restic/s/^/#/' $file"
done
for file in "$ROOT"/etc/cron.hourly/* "$ROOT"/etc/cron.daily/* "$ROOT"/etc/cron.weekly/* "$ROOT"/etc/cron.monthly/*; do
  if [ ! -f "$file" ] || [ ! -x "$file" ]; then continue; fi
  if grep -v '^[[:space:]]*#' "$file" 2>/dev/null | grep -q 'restic'; then
    report "$file (run by cron)" "$(grep -v '^[[:space:]]*#' "$file" | grep -m 1 'restic' || true)" "chmod -x $file"
  fi
done
systemctl list-timers --all --no-legend --plain 2>/dev/null |
  awk '{for (i = 1; i <= NF; i++) if ($i ~ /\.timer$/) print $i}' | sort -u >"$TMP/timers" || true
while IFS= read -r timer; do
  [ -n "$timer" ] || continue
  unit=$(systemctl show -p Unit --value "$timer" 2>/dev/null || true)
  [ -n "$unit" ] || continue
  if systemctl cat "$unit" 2>/dev/null | grep -v '^[[:space:]]*#' | grep -q 'restic'; then
    report "systemd timer $timer (starts $unit)" \
      "$(systemctl cat "$unit" 2>/dev/null | grep -m 1 '^ExecStart' || true)" "systemctl disable --now $timer"
  fi
done <"$TMP/timers"
if [ "$FOUND" -eq 0 ]; then
  say "No other restic cron jobs or systemd timers found."
fi
