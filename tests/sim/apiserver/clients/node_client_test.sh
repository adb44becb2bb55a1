#!/usr/bin/env bash
# Runs node_client_test.js (@kubernetes/client-node) against `kaito-twin up`.
source "$(dirname "$0")/twin_env.sh"
if [[ ! -d "${NODE_PATH:-}/@kubernetes/client-node" ]]; then
  echo "# skip: @kubernetes/client-node not installed (scripts/setup.sh --with-clients)"; exit 0
fi
start_twin
node "$(dirname "$0")/node_client_test.js"
