#!/usr/bin/env bash
# `kaito-twin up` with the cluster twin and the fake AKS, driven by real clients (label
# clients): curl creates a GPU agent pool over ARM, the Node appears in `kubectl get nodes`
# with the real columns and gets nvidia.com/gpu, a Deployment requesting a GPU is applied and
# its pod goes Pending -> ContainerCreating -> Running (watched with `kubectl get pods -w`),
# with the scheduler's and the kubelet's events; deleting the pool removes the Node. Runs at
# --speed 200 (a ~6 min VM boot takes ~2 s). kubectl uses a fresh --cache-dir.
source "$KT_SOURCE_DIR/tests/sim/apiserver/clients/twin_env.sh"
ARM_PORT=$(free_port)
start_twin --speed 200 --arm-port "$ARM_PORT"
K() { kubectl --cache-dir "$TMP/cache" --request-timeout=20s "$@"; }
cd "$TMP"

# The banner names the ARM endpoint.
for _ in $(seq 1 100); do grep -q "kaito-twin: agent pools " twin.log && break; sleep 0.1; done
POOLS=$(sed -n 's/^kaito-twin: agent pools \([^?]*\)?.*/\1/p' twin.log | head -n1)
if [[ -n "$POOLS" && "$POOLS" == "http://127.0.0.1:$ARM_PORT/subscriptions/"* ]]; then
  pass "up prints the ARM endpoint"
else
  fail "up prints the ARM endpoint" "$(cat twin.log)"
fi
expect_ok "up prints the speed" "cluster running at speed 200x" cat twin.log

# --- an agent pool over ARM
cat >pool.json <<'JSON'
{"properties": {"vmSize": "Standard_NC24ads_A100_v4", "count": 1, "osType": "Linux",
  "mode": "User", "osDiskSizeGB": 300, "nodeLabels": {"kaito.sh/workspace": "demo"}}}
JSON
expect_ok "PUT agent pool answers 201 Creating" 'HTTP/1.1 201|"provisioningState": *"Creating"' \
  curl -s -i -X PUT "$POOLS/gpu1?api-version=2024-09-01" -H 'Content-Type: application/json' -d @pool.json
node_ready() { K get nodes --no-headers 2>/dev/null | grep -qE '^aks-gpu1-[0-9]+-vmss[0-9a-z]+ +Ready +agent +[0-9a-z]+ +v1\.'; }
eventually "the VM registers a Ready Node" node_ready
expect_ok "kubectl get nodes prints the real columns" "^NAME +STATUS +ROLES +AGE +VERSION" K get nodes
NODE=$(K get nodes -o name | grep aks-gpu1 | head -n1 | sed 's|node/||')
expect_ok "the Node carries AKS's labels" '"kubernetes.azure.com/agentpool": *"gpu1"' K get node "$NODE" -o json
expect_ok "the Node carries the pool's labels" '"kaito.sh/workspace": *"demo"' K get node "$NODE" -o json
gpus_published() { [[ "$(K get node "$NODE" -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')" == "1" ]]; }
eventually "the device plugin publishes nvidia.com/gpu" gpus_published
expect_ok "a kube-node-lease Lease exists for the node" "$NODE" K get leases -n kube-node-lease
expect_ok "GET agent pool answers Succeeded" '"provisioningState": *"Succeeded"' \
  curl -s "$POOLS/gpu1?api-version=2024-09-01"

# --- a Deployment requesting a GPU
cat >deploy.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gpu-app
spec:
  replicas: 1
  selector:
    matchLabels: {app: gpu-app}
  template:
    metadata:
      labels: {app: gpu-app}
    spec:
      containers:
      - name: app
        image: python:3.12
        command: ["python3", "-m", "http.server", "5000"]
        resources:
          limits: {nvidia.com/gpu: 1}
        readinessProbe:
          tcpSocket: {port: 5000}
          periodSeconds: 5
YAML
K get pods -w --no-headers >watch.txt 2>&1 &
WATCH_PID=$!
sleep 2  # kubectl must hold its watch before the pod exists (it prints nothing until then)
expect_ok "apply the Deployment" "deployment.apps/gpu-app created" K apply -f deploy.yaml
pod_running() { K get pods --no-headers 2>/dev/null | grep -qE '^gpu-app-[a-z0-9]+-[a-z0-9]+ +1/1 +Running'; }
eventually "the pod becomes 1/1 Running" pod_running
sleep 0.5
kill "$WATCH_PID" 2>/dev/null || true
wait "$WATCH_PID" 2>/dev/null || true
STATUSES=$(awk '{print $3}' watch.txt | uniq | tr '\n' ' ')
if [[ "$STATUSES" == *"Pending"*"ContainerCreating"*"Running"* ]]; then
  pass "kubectl get pods -w shows Pending -> ContainerCreating -> Running ($STATUSES)"
else
  fail "kubectl get pods -w shows Pending -> ContainerCreating -> Running" "$STATUSES" "$(cat watch.txt)"
fi
POD=$(K get pods -o name | grep gpu-app | head -n1 | sed 's|pod/||')
expect_ok "the pod landed on the GPU node" "$NODE" K get pod "$POD" -o jsonpath='{.spec.nodeName}'
expect_ok "describe shows the Scheduled event" "Successfully assigned default/$POD to $NODE" K describe pod "$POD"
expect_ok "describe shows the image pull" 'Successfully pulled image "python:3.12" in' K describe pod "$POD"
expect_ok "describe shows Created and Started" "Started container app" K describe pod "$POD"
expect_ok "events list the ReplicaSet's SuccessfulCreate" "SuccessfulCreate" K get events
expect_ok "the Deployment is available" "gpu-app +1/1 +1 +1" K get deployment gpu-app

# --- a second GPU pod cannot be scheduled: the one GPU is taken
K scale deployment gpu-app --replicas=2 >/dev/null
pending_message() {
  K get events --field-selector reason=FailedScheduling -o jsonpath='{.items[*].message}' 2>/dev/null |
    grep -q "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
}
eventually "the second replica is FailedScheduling: Insufficient nvidia.com/gpu" pending_message

# --- deleting the pool removes the Node
expect_ok "DELETE agent pool answers 202" "HTTP/1.1 202" curl -s -i -X DELETE "$POOLS/gpu1?api-version=2024-09-01"
node_gone() { ! K get node "$NODE" >/dev/null 2>&1; }
eventually "the Node is removed with its VM" node_gone

stop_twin
expect_ok "Ctrl-C shuts down cleanly" "shutting down" cat twin.log
finish
