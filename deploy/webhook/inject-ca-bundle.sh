#!/usr/bin/env bash
# Writes the webhook CA into the webhook configurations.
#   deploy/webhook/inject-ca-bundle.sh CA.pem [OUT_DIR]
# Reads the PEM CA that signed the webhook server certificate (the one in --webhook-cert-dir),
# and writes validating-webhook.yaml and mutating-webhook.yaml with CA_BUNDLE_PLACEHOLDER
# replaced by its base64 encoding into OUT_DIR (default: a fresh temporary directory, printed).
set -euo pipefail
ca="${1:?usage: inject-ca-bundle.sh CA.pem [OUT_DIR]}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${2:-$(mktemp -d)}"
grep -q "BEGIN CERTIFICATE" "$ca" || { echo "$ca is not a PEM certificate" >&2; exit 1; }
bundle="$(base64 -w0 < "$ca")"
mkdir -p "$out"
for f in service.yaml validating-webhook.yaml mutating-webhook.yaml kustomization.yaml; do
  sed "s|CA_BUNDLE_PLACEHOLDER|${bundle}|" "$here/$f" > "$out/$f"
done
echo "$out"
