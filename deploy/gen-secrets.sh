#!/bin/sh
# Creates the secrets every restic-manager server stack needs, in the format the services read:
#   DIR/internal-token  the service-to-service token (RM_INTERNAL_TOKEN_FILE)
#   DIR/secret.key      "<key id>:<base64 32-byte AES-256 key>" (RM_SECRET_KEY_FILE); sealing key for
#                       repository passwords and hooks: LOSING IT MAKES THEM UNREADABLE, back it up.
#   DIR/release.key     "<key id>:<base64 32-byte Ed25519 seed>" (RM_RELEASE_KEY_FILE, agent-hub): signs the agent
#                       bundle hosts download; rotate by appending a line (the last one signs).
# An existing file is never overwritten (re-running is safe; a new key would orphan every sealed secret).
# The directory is 0700 and the files 0444: only you can reach them on this host, while the containers'
# non-root user (uid 10001) can read the bind-mounted files.
# Usage: deploy/gen-secrets.sh DIR     (compose: compose/secrets, Kubernetes: deploy/k8s/secrets)
set -eu

if [ "$#" -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

random_b64() {
    head -c 32 /dev/urandom | base64 | tr -d '\n'
}

write_once() {
    file=$1
    value=$2
    if [ -e "$file" ]; then
        echo "kept     $file (already exists)"
        return 0
    fi
    rm -f "$file.tmp"
    printf '%s\n' "$value" > "$file.tmp"
    chmod 0444 "$file.tmp"
    mv "$file.tmp" "$file"
    echo "created  $file"
}

write_once "$dir/internal-token" "rmi_$(random_b64 | tr '+/' '-_' | tr -d '=')"
write_once "$dir/secret.key" "k1:$(random_b64)"
write_once "$dir/release.key" "r1:$(random_b64)"
