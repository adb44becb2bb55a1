#!/usr/bin/env bash
# kubectl against `kaito-twin up`, through the Google Cloud SDK dispatcher, which runs the
# kubectl matching the server's /version: `kubectl_test.sh 32` (the built-in 1.32), `27`, `28`
# or `33` (the side-by-side kubectl.1.27 / 1.28 / 1.33). Proves the command list of issue 2:
# version, api-resources, explain, apply (created/unchanged/configured), apply --server-side,
# create (AlreadyExists), the create generators and run (protobuf bodies), get (Workspace
# columns; -o yaml|json|jsonpath|wide|name; -l; --field-selector; -A; -w), wait
# --for=condition / --for=delete, describe with events, label, annotate, patch (merge, json,
# strategic, --subresource=status), delete held by a finalizer, --cascade=foreground|orphan,
# apply -k, and every Kaito example and seed manifest passing the schema (server-side dry run);
# and GET /openapi/v2 (JSON, gnostic protobuf, 406, ETag/304), which 1.28's explain and
# client-side validation read.
MINOR=${1:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/twin_env.sh"
start_twin --version-minor "$MINOR"
# kubectl 1.27 and 1.28 read OpenAPI v2 (as gnostic protobuf) for explain and for
# apply/create's validator; the twin serves it, so they run every check with default
# validation.
K() { kubectl --cache-dir "$TMP/cache" --request-timeout=20s "$@"; }
TOKEN=$(kubectl config view --raw -o jsonpath='{.users[0].user.token}')
NS=kubectl-test
cd "$TMP"

# --- version and discovery
expect_ok "version: the dispatcher runs kubectl 1.$MINOR" "\"minor\": \"$MINOR\"" \
  bash -c "kubectl --cache-dir '$TMP/cache' version -o json | /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps({\"minor\": v[\"clientVersion\"][\"minor\"].rstrip(\"+\")}))'"
# 1.27 still prints the old version.Info struct.
expect_ok "version: server version" "Server Version: (v1\\.$MINOR\\.0|version\\.Info\\{.*GitVersion:\"v1\\.$MINOR\\.0\")" K version
expect_ok "api-resources lists workspaces with short names" "workspaces +wk,wks +kaito.sh/v1beta1 +true +Workspace" K api-resources
expect_ok "api-resources lists core kinds" "^pods +po +v1 +true +Pod" K api-resources
expect_ok "explain workspace" "KIND: *Workspace" K explain workspace
expect_ok "explain a nested field" "instanceType" K explain workspace.resource

# --- OpenAPI v2: JSON or gnostic protobuf by Accept, 406 otherwise, ETag and If-None-Match
PB_ACCEPT='application/com.github.proto-openapi.spec.v2@v1.0+protobuf'
openapi_v2() {  # openapi_v2 ACCEPT [IF-NONE-MATCH]: prints the response headers and "HTTP <code>"
  curl -sk -o "$TMP/v2.body" -D - -H "Authorization: Bearer $TOKEN" -H "Accept: $1" \
    ${2:+-H "If-None-Match: $2"} -w 'HTTP %{http_code}\n' "$TWIN_URL/openapi/v2" | tr -d '\r'
}
v2_json() {  # the JSON document's version and the Workspace definition's GVK
  openapi_v2 application/json >/dev/null
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["swagger"], d["definitions"]["sh.kaito.v1beta1.Workspace"]["x-kubernetes-group-version-kind"][0]["kind"])' <"$TMP/v2.body"
}
expect_ok "openapi/v2 serves Swagger 2.0 JSON with the Workspace definition" "^2.0 Workspace$" v2_json
expect_ok "openapi/v2 serves gnostic protobuf" '^[Cc]ontent-[Tt]ype: application/com\.github\.proto-openapi\.spec\.v2\.v1\.0\+protobuf$' \
  openapi_v2 "$PB_ACCEPT"
expect_ok "openapi/v2 refuses other media types" "^HTTP 406$" openapi_v2 text/html
ETAG=$(openapi_v2 "$PB_ACCEPT" | sed -n 's/^[Ee][Tt]ag: //p')
expect_ok "openapi/v2 with If-None-Match of its ETag is 304" "^HTTP 304$" openapi_v2 "$PB_ACCEPT" "$ETAG"

# --- apply / create
# Manifests go through apply, which sends JSON; the generators (`kubectl create namespace|
# configmap|...`) send protobuf bodies, covered below.
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$NS" | K apply -f - >/dev/null
cat >ws.yaml <<YAML
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: workspace-phi-3-mini
  namespace: $NS
  labels:
    app: phi-3
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: phi-3
inference:
  preset:
    name: phi-3-mini-4k-instruct
YAML
sed 's/Standard_NC24ads_A100_v4/Standard_NC48ads_A100_v4/' ws.yaml >ws2.yaml
expect_ok "apply creates" "workspace.kaito.sh/workspace-phi-3-mini created" K apply -f ws.yaml
expect_ok "apply again is unchanged" "workspace.kaito.sh/workspace-phi-3-mini unchanged" K apply -f ws.yaml
expect_ok "apply a change is configured" "workspace.kaito.sh/workspace-phi-3-mini configured" K apply -f ws2.yaml
expect_ok "the change is stored" "Standard_NC48ads_A100_v4" K get workspace workspace-phi-3-mini -n "$NS" -o jsonpath='{.resource.instanceType}'
expect_fail "create of an existing object is AlreadyExists" 'AlreadyExists.*already exists' K create -f ws.yaml
sed 's/workspace-phi-3-mini/workspace-ssa/' ws.yaml >ssa.yaml
expect_ok "apply --server-side creates" "workspace.kaito.sh/workspace-ssa serverside-applied" K apply --server-side -f ssa.yaml
expect_ok "apply --server-side again" "serverside-applied" K apply --server-side -f ssa.yaml
expect_ok "server-side apply records the manager" '"manager": *"kubectl"' K get workspace workspace-ssa -n "$NS" -o json --show-managed-fields

# --- create generators: kubectl sends application/vnd.kubernetes.protobuf bodies
GEN=kubectl-gen
expect_ok "create namespace" "namespace/$GEN created" K create namespace "$GEN"
expect_ok "the created namespace is Active" "^Active$" K get namespace "$GEN" -o jsonpath='{.status.phase}'
expect_ok "create configmap --from-literal" "configmap/gen-cm created" K create configmap gen-cm -n "$GEN" --from-literal=greeting=hello --from-literal=empty=
expect_ok "the configmap keeps its data" "^hello,$" K get configmap gen-cm -n "$GEN" -o jsonpath='{.data.greeting},{.data.empty}'
expect_ok "create secret generic --from-literal" "secret/gen-secret created" K create secret generic gen-secret -n "$GEN" --from-literal=token=s3cr3t
expect_ok "the secret value round-trips base64" "^czNjcjN0$" K get secret gen-secret -n "$GEN" -o jsonpath='{.data.token}'
expect_ok "the secret decodes to the literal" "^s3cr3t$" bash -c "kubectl --cache-dir '$TMP/cache' get secret gen-secret -n '$GEN' -o jsonpath='{.data.token}' | base64 -d"
expect_ok "create serviceaccount" "serviceaccount/gen-sa created" K create serviceaccount gen-sa -n "$GEN"
expect_ok "create deployment --image --replicas" "deployment.apps/gen-web created" K create deployment gen-web -n "$GEN" --image=nginx --replicas=2
expect_ok "the deployment has its replicas and image" "^2 nginx$" K get deployment gen-web -n "$GEN" -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}'
expect_ok "create job -- command" "job.batch/gen-job created" K create job gen-job -n "$GEN" --image=busybox -- echo hi
expect_ok "the job keeps its command and restart policy" "^echo hi Never$" K get job gen-job -n "$GEN" -o jsonpath='{.spec.template.spec.containers[0].command[*]} {.spec.template.spec.restartPolicy}'
expect_ok "create service clusterip --tcp" "service/gen-svc created" K create service clusterip gen-svc -n "$GEN" --tcp=80:8080
expect_ok "the service maps port to targetPort" "^80 8080 TCP$" K get service gen-svc -n "$GEN" -o jsonpath='{.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol}'
expect_ok "expose a deployment" "service/gen-web exposed" K expose deployment gen-web -n "$GEN" --port=80 --target-port=8080
expect_ok "the exposed service selects the deployment's pods" "^gen-web 8080$" K get service gen-web -n "$GEN" -o jsonpath='{.spec.selector.app} {.spec.ports[0].targetPort}'
expect_ok "create role" "role.rbac.authorization.k8s.io/gen-role created" K create role gen-role -n "$GEN" --verb=get,list --resource=pods
expect_ok "the role keeps its rules" "^get list pods$" K get role gen-role -n "$GEN" -o jsonpath='{.rules[0].verbs[*]} {.rules[0].resources[*]}'
expect_ok "create rolebinding" "rolebinding.rbac.authorization.k8s.io/gen-rb created" K create rolebinding gen-rb -n "$GEN" --role=gen-role --user=alice
expect_ok "the rolebinding references role and user" "^Role gen-role User alice$" K get rolebinding gen-rb -n "$GEN" -o jsonpath='{.roleRef.kind} {.roleRef.name} {.subjects[0].kind} {.subjects[0].name}'
expect_ok "create priorityclass" "priorityclass.scheduling.k8s.io/gen-pc created" K create priorityclass gen-pc --value=1000
expect_ok "create poddisruptionbudget" "poddisruptionbudget.policy/gen-pdb created" K create poddisruptionbudget gen-pdb -n "$GEN" --selector=app=gen-web --min-available=1
expect_ok "create quota" "resourcequota/gen-quota created" K create quota gen-quota -n "$GEN" --hard=pods=10,cpu=2
expect_ok "create ingress" "ingress.networking.k8s.io/gen-ing created" K create ingress gen-ing -n "$GEN" --rule="gen.example.com/=gen-svc:80"
expect_ok "create cronjob" "cronjob.batch/gen-cron created" K create cronjob gen-cron -n "$GEN" --image=busybox --schedule="*/5 * * * *" -- echo hi
expect_ok "the cronjob gets kube's defaults" "^Allow 3 1 busybox$" K get cronjob gen-cron -n "$GEN" -o jsonpath='{.spec.concurrencyPolicy} {.spec.successfulJobsHistoryLimit} {.spec.failedJobsHistoryLimit} {.spec.jobTemplate.spec.template.spec.containers[0].image}'
cronjob_yaml() {  # IMAGE: a CronJob manifest for client-side apply (strategic merge patches)
  printf 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: gen-cron2, namespace: %s}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: main, image: %s, command: [sleep, "5"]}]\n' "$GEN" "$1"
}
cronjob_yaml busybox:1.36 >cron1.yaml
cronjob_yaml busybox:1.37 >cron2.yaml
expect_ok "apply a CronJob" "cronjob.batch/gen-cron2 created" K apply -f cron1.yaml
expect_ok "apply it again with a new image" "cronjob.batch/gen-cron2 configured" K apply -f cron2.yaml
expect_ok "the patch merged the container by name (its command kept)" "^main=busybox:1.37 sleep 5$" K get cronjob gen-cron2 -n "$GEN" -o jsonpath='{range .spec.jobTemplate.spec.template.spec.containers[*]}{.name}={.image} {.command[*]}{end}'
expect_ok "get cronjob prints kubectl's columns" "^gen-cron +\*/5 \* \* \* \* +<none> +False +0 +<none> +" K get cronjob gen-cron -n "$GEN" --no-headers
expect_ok "get priorityclass prints value and preemption policy" "^gen-pc +1000 +false +[0-9a-z]+ +PreemptLowerPriority$" K get priorityclass gen-pc --no-headers
expect_ok "get pdb prints min available" "^gen-pdb +1 +N/A +0 +" K get pdb gen-pdb -n "$GEN" --no-headers
expect_ok "run --labels --env" "pod/gen-pod created" K run gen-pod -n "$GEN" --image=nginx --labels=a=b --env=X=1
expect_ok "the pod has its label and env" "^b X=1$" K get pod gen-pod -n "$GEN" -o jsonpath='{.metadata.labels.a} {.spec.containers[0].env[0].name}={.spec.containers[0].env[0].value}'
# Raw protobuf bodies: a kind without a schema is 415 naming it; a body without the magic is 400.
raw_post() {  # raw_post BYTES (printf format): POSTs them as protobuf; prints the body, then "HTTP <code>"
  printf "$1" | curl -sk -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/vnd.kubernetes.protobuf' \
    --data-binary @- -w '\nHTTP %{http_code}\n' "$TWIN_URL/api/v1/namespaces/$GEN/configmaps"
}
WIDGET='k8s\000\012\014\012\002v1\022\006Widget\022\000'
expect_ok "protobuf of a kind the twin has no schema for is 415" "^HTTP 415$" raw_post "$WIDGET"
expect_ok "the 415 names the kind" "protobuf is not supported for /v1, Kind=Widget; send application/json" raw_post "$WIDGET"
expect_ok "a protobuf body without the k8s magic is 400" "^HTTP 400$" raw_post 'k9s\000\022\000'

# --- get
expect_ok "get prints the Workspace columns" "NAME +INSTANCE +RESOURCEREADY +INFERENCEREADY +JOBSTARTED +WORKSPACESUCCEEDED +AGE" K get workspace -n "$NS"
expect_ok "get by short name" "workspace-phi-3-mini +Standard_NC48ads_A100_v4" K get wk -n "$NS"
expect_ok "get -o yaml" "kind: Workspace" K get workspace workspace-phi-3-mini -n "$NS" -o yaml
expect_ok "get -o json" '"apiVersion": "kaito.sh/v1beta1"' K get workspace workspace-phi-3-mini -n "$NS" -o json
expect_ok "get -o wide" "NAME +INSTANCE" K get workspace -n "$NS" -o wide
expect_ok "get -o name" "^workspace.kaito.sh/workspace-phi-3-mini$" K get workspace -n "$NS" -o name -l app=phi-3 --field-selector metadata.name=workspace-phi-3-mini
expect_ok "get -l filters" "No resources found" K get workspace -n "$NS" -l app=nothing
expect_ok "get --field-selector" "workspace-ssa" K get workspace -n "$NS" --field-selector metadata.name=workspace-ssa
expect_fail "an unsupported field selector is refused" "not a known field selector|field label not supported" K get workspace -n "$NS" --field-selector spec.x=1
expect_ok "get -A shows namespaces" "NAMESPACE +NAME +INSTANCE.*" K get workspaces -A
expect_ok "get -A has the row" "$NS +workspace-phi-3-mini" K get workspaces -A
expect_ok "get nodes" "No resources found|NAME" K get nodes
expect_ok "get namespaces" "kube-system +Active" K get namespaces
expect_fail "get of a missing object is NotFound" 'NotFound.*workspaces.kaito.sh "nope" not found' K get workspace nope -n "$NS"

# get -w: a row for the existing object, then one per change.
K get workspace workspace-phi-3-mini -n "$NS" -w >watch.out 2>&1 &
WATCH=$!
eventually "get -w prints the current row" grep -q workspace-phi-3-mini watch.out
K label workspace workspace-phi-3-mini -n "$NS" watched=yes >/dev/null
eventually "get -w prints a row per change" bash -c "[ \$(grep -c workspace-phi-3-mini watch.out) -ge 2 ]"
kill $WATCH 2>/dev/null || true; wait $WATCH 2>/dev/null || true

# --- patch, label, annotate
expect_ok "label" "workspace.kaito.sh/workspace-phi-3-mini labeled" K label workspace workspace-phi-3-mini -n "$NS" tier=gpu
# 1.27 reports "annotate" rather than "annotated" (its own wording).
expect_ok "annotate" "workspace.kaito.sh/workspace-phi-3-mini annotated?" K annotate workspace workspace-phi-3-mini -n "$NS" note=hello
expect_ok "patch --type=merge" "patched" K patch workspace workspace-phi-3-mini -n "$NS" --type=merge -p '{"inference":{"preset":{"name":"phi-3-mini-128k-instruct"}}}'
expect_ok "patch --type=json" "patched" K patch workspace workspace-phi-3-mini -n "$NS" --type=json -p '[{"op":"replace","path":"/resource/instanceType","value":"Standard_NC24ads_A100_v4"}]'
expect_ok "patched values are stored" "phi-3-mini-128k-instruct Standard_NC24ads_A100_v4" K get workspace workspace-phi-3-mini -n "$NS" -o jsonpath='{.inference.preset.name} {.resource.instanceType}'
expect_fail "strategic merge patch of a custom resource is refused" "not supported|UnsupportedMediaType|unknown format" K patch workspace workspace-phi-3-mini -n "$NS" -p '{"resource":{"count":2}}'
cat >deploy.yaml <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "app:1"}
      - {name: sidecar, image: "sidecar:1"}
YAML
expect_ok "create a deployment" "deployment.apps/web created" K apply -f deploy.yaml
expect_ok "strategic merge patch merges containers by name" "patched" K patch deployment web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2"}]}}}}'
expect_ok "both containers remain, one updated" "app:2 sidecar:1" K get deployment web -n "$NS" -o jsonpath='{.spec.template.spec.containers[*].image}'
expect_ok "scale uses the scale subresource" "scaled" K scale deployment web -n "$NS" --replicas=3
expect_ok "status patch" "patched" K patch workspace workspace-phi-3-mini -n "$NS" --subresource=status --type=merge \
  -p '{"status":{"conditions":[{"type":"WorkspaceSucceeded","status":"True","reason":"ok","message":"done","lastTransitionTime":"2026-01-01T00:00:00Z"},{"type":"ResourceReady","status":"True","reason":"ok","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}'
expect_ok "jsonpath on conditions" "True" K get workspace workspace-phi-3-mini -n "$NS" -o jsonpath='{.status.conditions[?(@.type=="WorkspaceSucceeded")].status}'
expect_ok "the table shows condition columns" "workspace-phi-3-mini +Standard_NC24ads_A100_v4 +True +True" K get workspace workspace-phi-3-mini -n "$NS"
expect_ok "wait --for=condition" "condition met" K wait --for=condition=WorkspaceSucceeded workspace/workspace-phi-3-mini -n "$NS" --timeout=20s

# --- describe with events
UID_WS=$(K get workspace workspace-phi-3-mini -n "$NS" -o jsonpath='{.metadata.uid}')
cat >event.yaml <<YAML
apiVersion: v1
kind: Event
metadata: {name: ws-event, namespace: $NS}
involvedObject: {apiVersion: kaito.sh/v1beta1, kind: Workspace, name: workspace-phi-3-mini, namespace: $NS, uid: "$UID_WS"}
reason: ProvisioningStarted
message: creating a GPU node
type: Normal
source: {component: workspace-controller}
firstTimestamp: "2026-01-01T00:00:00Z"
lastTimestamp: "2026-01-01T00:00:00Z"
count: 1
YAML
K apply -f event.yaml >/dev/null
expect_ok "describe shows the object" "Instance Type: +Standard_NC24ads_A100_v4" K describe workspace workspace-phi-3-mini -n "$NS"
expect_ok "describe shows its events" "ProvisioningStarted +.*creating a GPU node" K describe workspace workspace-phi-3-mini -n "$NS"

# --- delete: finalizers, wait --for=delete, cascading
K patch workspace workspace-ssa -n "$NS" --type=merge -p '{"metadata":{"finalizers":["kaito.sh/hold"]}}' >/dev/null
expect_ok "delete --wait=false of a held object" 'workspace.kaito.sh "workspace-ssa" deleted' K delete workspace workspace-ssa -n "$NS" --wait=false
expect_ok "the finalizer holds it, with a deletionTimestamp" "[0-9]{4}-[0-9]{2}-[0-9]{2}T" K get workspace workspace-ssa -n "$NS" -o jsonpath='{.metadata.deletionTimestamp}'
K wait --for=delete workspace/workspace-ssa -n "$NS" --timeout=20s >wait.out 2>&1 &
WAIT=$!
K patch workspace workspace-ssa -n "$NS" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null
# kubectl prints "condition met" when it saw the deletion; when the object was already gone by
# the time it looked (a race with the patch above), it exits 0 without output.
if wait $WAIT && { grep -q "condition met" wait.out || [[ ! -s wait.out ]]; }; then pass "wait --for=delete sees it go"; else fail "wait --for=delete sees it go" "$(cat wait.out)"; fi
expect_fail "deleting a missing object is NotFound" 'NotFound.*"workspace-ssa" not found' K delete workspace workspace-ssa -n "$NS"

owner() {  # owner NAME: a ConfigMap without owners
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata: {k: v}\n' "$1" "$NS" | K apply -f - >/dev/null
}
owner_uid() { K get configmap "$1" -n "$NS" -o jsonpath='{.metadata.uid}'; }
dependent() {  # dependent NAME OWNER
  cat <<YAML | K apply -f - >/dev/null
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  namespace: $NS
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: $2, uid: "$(owner_uid "$2")", blockOwnerDeletion: true}]
data: {k: v}
YAML
}
owner fg-owner
dependent fg-dep fg-owner
expect_ok "delete --cascade=foreground" 'configmap "fg-owner" deleted' K delete configmap fg-owner -n "$NS" --cascade=foreground
expect_fail "foreground: the dependent went first" "NotFound" K get configmap fg-dep -n "$NS"
owner or-owner
dependent or-dep or-owner
expect_ok "delete --cascade=orphan" 'configmap "or-owner" deleted' K delete configmap or-owner -n "$NS" --cascade=orphan
eventually "orphan: the dependent stays without its owner reference" \
  bash -c "[ -z \"\$(kubectl --cache-dir '$TMP/cache' get configmap or-dep -n '$NS' -o jsonpath='{.metadata.ownerReferences}')\" ]"
owner bg-owner
dependent bg-dep bg-owner
expect_ok "delete (background cascade)" 'configmap "bg-owner" deleted' K delete configmap bg-owner -n "$NS"
eventually "background: the dependent is collected" bash -c "! kubectl --cache-dir '$TMP/cache' get configmap bg-dep -n '$NS' 2>/dev/null"

# --- kustomize
mkdir -p kust
cat >kust/kustomization.yaml <<YAML
namespace: kust
resources: [namespace.yaml, config.yaml, workspace.yaml]
commonLabels: {team: kaito}
YAML
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kust}\n' >kust/namespace.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n' >kust/config.yaml
sed -e '/namespace:/d' ws.yaml >kust/workspace.yaml
expect_ok "apply -k creates the kustomization" "workspace.kaito.sh/workspace-phi-3-mini created" K apply -k kust
expect_ok "apply -k applied the common labels" "kaito" K get workspace workspace-phi-3-mini -n kust -o jsonpath='{.metadata.labels.team}'

# --- every Kaito example and seed manifest passes the schema
EXAMPLES=$(find "$KT_SHARED_DIR/reference/kaito" -path '*examples*' \( -name '*.yaml' -o -name '*.yml' \) 2>/dev/null | sort || true)
if [[ -z "$EXAMPLES" ]]; then
  echo "# skip: no Kaito examples under $KT_SHARED_DIR/reference/kaito"
else
  n=0; bad=()
  for f in $EXAMPLES; do
    n=$((n + 1))
    K apply --dry-run=server -n "$NS" -f "$f" >"$TMP/ex.out" 2>&1 || bad+=("$f: $(tail -n 3 "$TMP/ex.out")")
  done
  if [[ ${#bad[@]} -eq 0 ]]; then pass "all $n Kaito examples pass the schema"; else fail "Kaito examples pass the schema (${#bad[@]} of $n failed)" "${bad[@]}"; fi
fi
if ls "$KT_SHARED_DIR"/seed/* >/dev/null 2>&1; then
  mkdir -p seed
  /usr/bin/python3 "$HERE/extract_manifests.py" seed "$KT_SHARED_DIR"/seed/*
  n=0; bad=()
  for f in seed/*.yaml; do
    [[ -e "$f" ]] || continue
    n=$((n + 1))
    K apply --dry-run=server -n "$NS" -f "$f" >"$TMP/ex.out" 2>&1 || bad+=("$f: $(tail -n 3 "$TMP/ex.out")")
  done
  if [[ ${#bad[@]} -eq 0 ]]; then pass "all $n manifests of the seed document pass the schema"; else fail "seed manifests pass the schema (${#bad[@]} of $n failed)" "${bad[@]}"; fi
else
  echo "# skip: no seed document under $KT_SHARED_DIR/seed"
fi

# --- namespace deletion
expect_ok "delete a namespace" 'namespace "kust" deleted' K delete namespace kust
expect_fail "the namespace and its contents are gone" "NotFound" K get namespace kust
finish
