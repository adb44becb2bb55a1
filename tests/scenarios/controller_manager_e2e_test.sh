#!/usr/bin/env bash
# The user's quick start with real clients (label clients): `kaito-twin up --no-controllers`
# at --speed 200 plus a separate `kaito-controller-manager` process (HTTP Kubernetes client,
# ARM client to the twin's fake AKS, its own HTTPS webhook registered through a
# ValidatingWebhookConfiguration). Real kubectl applies the three examples at once: the Phi-3
# quick start, Phi-3 with an adapter, and QLoRA tuning. `kubectl get workspace` reaches True in
# RESOURCEREADY, INFERENCEREADY and WORKSPACEREADY for the inference workspaces; the Service's
# clusterIPs[0] is printed; the tuning Job runs (about 3 virtual hours, ~1 min here) to
# WorkspaceSucceeded; the webhook refuses adapter strength under vLLM; `kubectl delete
# workspace` removes the NodeClaims, the agent pools and the Nodes.
source "$KT_SOURCE_DIR/tests/sim/apiserver/clients/twin_env.sh"
MANAGER=$KT_BUILD_DIR/bin/kaito-controller-manager
MANAGER_PID=""
stop_manager() {
  if [[ -n "$MANAGER_PID" ]] && kill -0 "$MANAGER_PID" 2>/dev/null; then
    kill -TERM "$MANAGER_PID" 2>/dev/null || true
    wait "$MANAGER_PID" 2>/dev/null || true
  fi
  MANAGER_PID=""
}
on_exit() {
  local rc=$?
  stop_manager
  if [[ $rc -ne 0 || $FAILURES -ne 0 ]]; then
    echo "--- kaito-controller-manager log (last 40 lines)"; tail -n 40 "$TMP/manager.log" 2>/dev/null || true
  fi
  (exit $rc)
  cleanup
}
trap on_exit EXIT

ARM_PORT=$(free_port)
start_twin --speed 200 --arm-port "$ARM_PORT"
K() { kubectl --cache-dir "$TMP/cache" --request-timeout=20s "$@"; }
cd "$TMP"
for _ in $(seq 1 100); do grep -q "kaito-twin: ARM endpoint " twin.log && break; sleep 0.1; done
ARM=$(sed -n 's/^kaito-twin: ARM endpoint \(.*\)$/\1/p' twin.log | head -n1)
POOLS=$(sed -n 's/^kaito-twin: agent pools \([^?]*\)?.*/\1/p' twin.log | head -n1)
[[ -n "$ARM" ]] && pass "up prints the ARM endpoint" || fail "up prints the ARM endpoint" "$(cat twin.log)"
expect_ok "up leaves the controllers out" "controllers not running" cat twin.log

WEBHOOK_PORT=$(free_port)
"$MANAGER" --kubeconfig "$KUBECONFIG" --cloud-endpoint "$ARM" --speed 200 \
  --metrics-bind-address 127.0.0.1:0 --health-probe-bind-address 127.0.0.1:0 \
  --webhook-port "$WEBHOOK_PORT" --webhook-cert-dir "$TMP/certs" --webhook-self-register \
  >"$TMP/manager.log" 2>&1 &
MANAGER_PID=$!
webhook_registered() { K get validatingwebhookconfigurations validation.workspace.kaito.sh >/dev/null 2>&1; }
eventually "the manager registers its webhook" webhook_registered
echo "# manager up after ${SECONDS}s"
expect_ok "the manager installs Kaito's default ConfigMaps" "inference-params-template" \
  K get configmaps -n kaito-workspace

sed '/annotations:/,/kaito.sh\/runtime/d' "$KT_SOURCE_DIR/examples/inference/kaito_workspace_phi_3_with_adapters.yaml" >strength.yaml
expect_fail "the manager's webhook refuses adapter strength under vLLM" \
  'denied the request: validation failed: .*vLLM does not support adapter strength' K apply -f strength.yaml

expect_ok "kubectl apply -f the Phi-3 example" "workspace.kaito.sh/workspace-phi-3-mini created" \
  K apply -f "$KT_SOURCE_DIR/examples/inference/kaito_workspace_phi_3.yaml"
expect_ok "kubectl apply -f the adapters example" "workspace.kaito.sh/workspace-phi-3-mini-adapter created" \
  K apply -f "$KT_SOURCE_DIR/examples/inference/kaito_workspace_phi_3_with_adapters.yaml"
expect_ok "kubectl apply -f the tuning example" "workspace.kaito.sh/workspace-tuning-phi-3 created" \
  K apply -f "$KT_SOURCE_DIR/examples/tuning/kaito_workspace_tuning_phi_3.yaml"
# The seed's columns are v1alpha1's printer columns (kubectl's default is v1beta1's).
ready() {
  K get workspaces.v1alpha1.kaito.sh workspace-phi-3-mini --no-headers 2>/dev/null |
    grep -qE '^workspace-phi-3-mini +Standard_NC6s_v3 +True +True +True +'
}
ok=0
for _ in $(seq 1 600); do if ready; then ok=1; break; fi; sleep 0.2; done
if [[ $ok -eq 1 ]]; then pass "kubectl get workspace shows True in every readiness column (${SECONDS}s)"; else
  fail "kubectl get workspace shows True in every readiness column" "$(K get workspace -o yaml 2>&1 | tail -40)"; fi
expect_ok "kubectl get workspace prints the seed's columns" \
  "^NAME +INSTANCE +RESOURCEREADY +INFERENCEREADY +WORKSPACEREADY +AGE" K get workspaces.v1alpha1.kaito.sh
expect_ok "the Service has a cluster IP" '^127\.[0-9]+\.[0-9]+\.[0-9]+$' \
  K get svc workspace-phi-3-mini -o 'jsonpath={.spec.clusterIPs[0]}'
expect_ok "a NodeClaim was provisioned" "^ws[0-9a-f]+ " K get nodeclaims --no-headers
adapter_ready() {
  K get workspaces.v1alpha1.kaito.sh workspace-phi-3-mini-adapter --no-headers 2>/dev/null |
    grep -qE '^workspace-phi-3-mini-adapter +Standard_NC6s_v3 +True +True +True +'
}
ok=0
for _ in $(seq 1 600); do if adapter_ready; then ok=1; break; fi; sleep 0.2; done
if [[ $ok -eq 1 ]]; then pass "the adapters workspace shows True in every readiness column (${SECONDS}s)"; else
  fail "the adapters workspace shows True in every readiness column" "$(K get workspace workspace-phi-3-mini-adapter -o yaml 2>&1 | tail -40)"; fi
expect_ok "the adapter's puller is an init container of the inference Deployment" "phi-3-adapter" \
  K get deployment workspace-phi-3-mini-adapter -o 'jsonpath={.spec.template.spec.initContainers[*].name}'
cond() { K get workspace "$1" -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}" 2>/dev/null; }
wait_cond() {  # workspace condition seconds
  for _ in $(seq 1 $(($3 * 5))); do [[ "$(cond "$1" "$2")" == True ]] && return 0; sleep 0.2; done
  return 1
}
if wait_cond workspace-tuning-phi-3 JobStarted 120; then pass "the tuning Job starts (${SECONDS}s)"; else
  fail "the tuning Job starts" "$(K get workspace workspace-tuning-phi-3 -o yaml 2>&1 | tail -40)"; fi
if wait_cond workspace-tuning-phi-3 WorkspaceSucceeded 180; then pass "the tuning workspace reaches WorkspaceSucceeded (${SECONDS}s)"; else
  fail "the tuning workspace reaches WorkspaceSucceeded" "$(K get workspace workspace-tuning-phi-3 -o yaml 2>&1 | tail -40)" "$(K get pods -o wide 2>&1)"; fi
expect_ok "the tuning Job completed" "^1$" K get job workspace-tuning-phi-3 -o 'jsonpath={.status.succeeded}'
expect_ok "kubectl get workspace shows the tuning workspace ready" \
  '^workspace-tuning-phi-3 +Standard_NC6s_v3 +True +True +' K get workspaces.v1alpha1.kaito.sh workspace-tuning-phi-3 --no-headers
expect_ok "an agent pool exists in the fake AKS" '"provisioningState": *"Succeeded"' \
  curl -s "$POOLS?api-version=2024-09-01"

expect_ok "kubectl delete workspace" 'deleted' K delete workspace workspace-phi-3-mini \
  workspace-phi-3-mini-adapter workspace-tuning-phi-3 --wait=false
gone() {
  [[ -z "$(K get workspaces --no-headers 2>/dev/null)" ]] &&
    [[ -z "$(K get nodeclaims --no-headers 2>/dev/null)" ]] &&
    ! K get nodes --no-headers 2>/dev/null | grep -q '^aks-ws' &&
    ! curl -s "$POOLS?api-version=2024-09-01" | grep -q '"name"'
}
ok=0
for _ in $(seq 1 600); do if gone; then ok=1; break; fi; sleep 0.2; done
if [[ $ok -eq 1 ]]; then pass "delete removes the NodeClaims, the agent pools and the Nodes (${SECONDS}s)"; else
  fail "delete removes the NodeClaims, the agent pools and the Nodes" "$(K get nodeclaims,nodes 2>&1)" "$(curl -s "$POOLS?api-version=2024-09-01")"; fi
finish
