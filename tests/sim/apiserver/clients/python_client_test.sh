#!/usr/bin/env bash
# Runs python_client_test.py (Debian's python3-kubernetes) against `kaito-twin up`.
source "$(dirname "$0")/twin_env.sh"
start_twin
"${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/python_client_test.py"
