// ToTable produces the meta.k8s.io/v1 Table kubectl prints: the real columns of each built-in
// kind with cells computed like kube-apiserver's printers (pod STATUS rules, node ROLES,
// service PORT(S), ...), CRD additionalPrinterColumns evaluated by JSONPath with typed cells,
// ages formatted by the server, and row objects per includeObject.
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::T0;
using testing::Y;
namespace res = api::resources;

class TableTest : public ::testing::Test {
 protected:
  Json Table(const api::GroupVersionResource& gvr, const Json& obj,
             std::string_view include = "Metadata") {
    const ResourceType* t = r_.Find(gvr);
    EXPECT_NE(t, nullptr) << gvr.GroupResource();
    return r_.ToTable(*t, {&obj}, now_, include);
  }
  std::vector<std::string> Columns(const Json& table) {
    std::vector<std::string> out;
    for (const Json& c : table["columnDefinitions"]) out.push_back(c["name"]);
    return out;
  }
  Json Cells(const api::GroupVersionResource& gvr, const Json& obj) {
    return Table(gvr, obj)["rows"][0]["cells"];
  }
  Json Pod(const char* status_yaml, const char* extra_spec = "{}") {
    Json p = Y(R"(
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: default, creationTimestamp: "2025-12-31T23:55:00Z"}
spec:
  nodeName: gpu-node-1
  containers: [{name: app, image: nginx}, {name: side, image: busybox}]
)");
    Json extra = Y(extra_spec);
    for (const auto& [k, v] : extra.items()) p["spec"][k] = v;
    p["status"] = Y(status_yaml);
    return p;
  }

  TypeRegistry r_;
  Time now_ = T0();
};

TEST_F(TableTest, TableEnvelopeAndNameColumn) {
  Json t = Table(res::kConfigMaps, J(R"({"metadata":{"name":"cm","creationTimestamp":"2025-12-31T23:59:52Z"},"data":{"a":"1","b":"2"}})"));
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Data", "Age"}));
  EXPECT_EQ(t["columnDefinitions"][0]["format"], "name");
  EXPECT_EQ(t["rows"][0]["cells"], J(R"(["cm", 2, "8s"])"));
}

TEST_F(TableTest, RowObjectIsPartialMetadataByDefaultAndFullOnRequest) {
  Json cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"ns","labels":{"a":"b"}},"data":{"k":"v"}})");
  Json meta = Table(res::kConfigMaps, cm)["rows"][0]["object"];
  EXPECT_EQ(meta["kind"], "PartialObjectMetadata");
  EXPECT_EQ(meta["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(meta["metadata"]["namespace"], "ns");
  EXPECT_FALSE(meta.contains("data"));
  EXPECT_EQ(Table(res::kConfigMaps, cm, "Object")["rows"][0]["object"], cm);
  EXPECT_FALSE(Table(res::kConfigMaps, cm, "None")["rows"][0].contains("object"));
}

TEST_F(TableTest, PodColumnsMatchKubectl) {
  Json t = Table(res::kPods, Pod("{phase: Pending}"));
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age",
                                                  "IP", "Node", "Nominated Node",
                                                  "Readiness Gates"}));
  for (int i = 5; i < 9; ++i) EXPECT_EQ(t["columnDefinitions"][i]["priority"], 1);
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["web-0","0/2","Pending","0","5m","<none>","gpu-node-1","<none>","<none>"])"));
}

TEST_F(TableTest, PodRunningAndReady) {
  Json cells = Cells(res::kPods, Pod(R"(
phase: Running
podIP: 10.244.0.5
podIPs: [{ip: 10.244.0.5}]
conditions: [{type: Ready, status: "True"}]
containerStatuses:
- {name: app, ready: true, restartCount: 0, state: {running: {startedAt: "2025-12-31T23:56:00Z"}}}
- {name: side, ready: true, restartCount: 0, state: {running: {startedAt: "2025-12-31T23:56:00Z"}}}
)"));
  EXPECT_EQ(cells[1], "2/2");
  EXPECT_EQ(cells[2], "Running");
  EXPECT_EQ(cells[5], "10.244.0.5");
}

TEST_F(TableTest, PodWaitingReasonShowsContainerCreating) {
  Json cells = Cells(res::kPods, Pod(R"(
phase: Pending
containerStatuses:
- {name: app, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}
- {name: side, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}
)"));
  EXPECT_EQ(cells[2], "ContainerCreating");
  EXPECT_EQ(cells[1], "0/2");
}

TEST_F(TableTest, PodCrashLoopShowsRestartsWithLastRestartAge) {
  Json cells = Cells(res::kPods, Pod(R"(
phase: Running
containerStatuses:
- name: app
  ready: false
  restartCount: 4
  state: {waiting: {reason: CrashLoopBackOff}}
  lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: "2025-12-31T23:59:30Z"}}
- {name: side, ready: true, restartCount: 0, state: {running: {}}}
)"));
  EXPECT_EQ(cells[2], "CrashLoopBackOff");
  EXPECT_EQ(cells[3], "4 (30s ago)");
  EXPECT_EQ(cells[1], "1/2");
}

TEST_F(TableTest, PodOomKilledAndExitCodes) {
  EXPECT_EQ(Cells(res::kPods, Pod(R"(
phase: Running
containerStatuses:
- {name: app, ready: false, restartCount: 0, state: {terminated: {exitCode: 137, reason: OOMKilled}}}
- {name: side, ready: true, restartCount: 0, state: {running: {}}}
)"))[2], "OOMKilled");
  EXPECT_EQ(Cells(res::kPods, Pod(R"(
phase: Failed
containerStatuses:
- {name: app, ready: false, restartCount: 0, state: {terminated: {exitCode: 3}}}
- {name: side, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, signal: 9}}}
)"))[2], "ExitCode:3");
}

TEST_F(TableTest, PodCompletedAndItsRowCondition) {
  Json t = Table(res::kPods, Pod(R"(
phase: Succeeded
containerStatuses:
- {name: app, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
- {name: side, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
)"));
  EXPECT_EQ(t["rows"][0]["cells"][2], "Completed");
  EXPECT_EQ(t["rows"][0]["conditions"][0]["type"], "Completed");
}

TEST_F(TableTest, PodInitContainerProgress) {
  Json pod = Pod(R"(
phase: Pending
initContainerStatuses:
- {name: puller, ready: false, restartCount: 0, state: {running: {}}}
)", "{initContainers: [{name: puller, image: skopeo}]}");
  EXPECT_EQ(Cells(res::kPods, pod)[2], "Init:0/1");
  pod["status"]["initContainerStatuses"][0]["state"] = Y("{waiting: {reason: ImagePullBackOff}}");
  EXPECT_EQ(Cells(res::kPods, pod)[2], "Init:ImagePullBackOff");
  pod["status"]["initContainerStatuses"][0]["state"] = Y("{terminated: {exitCode: 2}}");
  EXPECT_EQ(Cells(res::kPods, pod)[2], "Init:ExitCode:2");
}

TEST_F(TableTest, PodBeingDeletedIsTerminating) {
  Json pod = Pod(R"(
phase: Running
containerStatuses:
- {name: app, ready: true, restartCount: 0, state: {running: {}}}
)");
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_EQ(Cells(res::kPods, pod)[2], "Terminating");
}

TEST_F(TableTest, PodReadinessGatesCountTrueConditions) {
  Json pod = Pod("{phase: Running, conditions: [{type: x/ready, status: 'True'}]}",
                 "{readinessGates: [{conditionType: x/ready}, {conditionType: y/ready}]}");
  EXPECT_EQ(Cells(res::kPods, pod)[8], "1/2");
}

TEST_F(TableTest, NodeStatusRolesVersionAndWideColumns) {
  Json node = Y(R"(
apiVersion: v1
kind: Node
metadata:
  name: aks-gpu-1
  creationTimestamp: "2025-12-31T21:00:00Z"
  labels: {node-role.kubernetes.io/agent: "", kubernetes.io/role: gpu}
spec: {unschedulable: true}
status:
  conditions: [{type: MemoryPressure, status: "False"}, {type: Ready, status: "True"}]
  addresses: [{type: Hostname, address: aks-gpu-1}, {type: InternalIP, address: 10.224.0.4}]
  nodeInfo: {kubeletVersion: v1.30.3, osImage: Ubuntu 22.04.4 LTS, kernelVersion: 5.15.0-1068-azure, containerRuntimeVersion: containerd://1.7.20}
)");
  Json t = Table(res::kNodes, node);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Status", "Roles", "Age", "Version",
                                                  "Internal-IP", "External-IP", "OS-Image",
                                                  "Kernel-Version", "Container-Runtime"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["aks-gpu-1","Ready,SchedulingDisabled","agent,gpu","3h","v1.30.3","10.224.0.4",
                  "<none>","Ubuntu 22.04.4 LTS","5.15.0-1068-azure","containerd://1.7.20"])"));
}

TEST_F(TableTest, NodeWithoutReadyConditionIsUnknown) {
  Json cells = Cells(res::kNodes, J(R"({"metadata":{"name":"n"}})"));
  EXPECT_EQ(cells[1], "Unknown");
  EXPECT_EQ(cells[2], "<none>");
  EXPECT_EQ(cells[7], "<unknown>");
}

TEST_F(TableTest, ServiceColumnsAndPorts) {
  Json svc = Y(R"(
apiVersion: v1
kind: Service
metadata: {name: workspace-phi-3-mini, creationTimestamp: "2025-12-31T23:50:00Z"}
spec:
  type: ClusterIP
  clusterIP: 10.0.12.34
  clusterIPs: [10.0.12.34]
  selector: {kaito.sh/workspace: workspace-phi-3-mini}
  ports: [{name: http, port: 80, targetPort: 5000, protocol: TCP}, {name: torch, port: 29500}]
)");
  Json t = Table(res::kServices, svc);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Type", "Cluster-IP", "External-IP",
                                                  "Port(s)", "Age", "Selector"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["workspace-phi-3-mini","ClusterIP","10.0.12.34","<none>","80/TCP,29500/TCP",
                  "10m","kaito.sh/workspace=workspace-phi-3-mini"])"));
}

TEST_F(TableTest, LoadBalancerServiceShowsPendingThenIngress) {
  Json svc = Y(R"(
metadata: {name: lb}
spec: {type: LoadBalancer, clusterIPs: [10.0.0.9], ports: [{port: 80, nodePort: 30080, protocol: TCP}]}
)");
  Json cells = Cells(res::kServices, svc);
  EXPECT_EQ(cells[3], "<pending>");
  EXPECT_EQ(cells[4], "80:30080/TCP");
  EXPECT_EQ(cells[6], "<none>");
  svc["status"] = Y("{loadBalancer: {ingress: [{ip: 20.1.2.3}]}}");
  EXPECT_EQ(Cells(res::kServices, svc)[3], "20.1.2.3");
}

TEST_F(TableTest, DeploymentReplicaSetStatefulSetColumns) {
  Json deploy = Y(R"(
metadata: {name: ws, creationTimestamp: "2025-12-31T23:00:00Z"}
spec:
  replicas: 2
  selector: {matchLabels: {kaito.sh/workspace: ws}}
  template: {spec: {containers: [{name: ws, image: mcr/kaito-phi-3:0.0.1}]}}
status: {readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1}
)");
  Json t = Table(res::kDeployments, deploy);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available",
                                                  "Age", "Containers", "Images", "Selector"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["ws","1/2",2,1,"60m","ws","mcr/kaito-phi-3:0.0.1","kaito.sh/workspace=ws"])"));
  Json rs = Table(res::kReplicaSets, deploy);
  EXPECT_EQ(Columns(rs), (std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age",
                                                   "Containers", "Images", "Selector"}));
  EXPECT_EQ(rs["rows"][0]["cells"][1], 2);
  Json sts = Table(res::kStatefulSets, deploy);
  EXPECT_EQ(Columns(sts), (std::vector<std::string>{"Name", "Ready", "Age", "Containers", "Images"}));
  EXPECT_EQ(sts["rows"][0]["cells"][1], "1/2");
}

TEST_F(TableTest, JobStatusCompletionsDuration) {
  Json job = Y(R"(
metadata: {name: tune, creationTimestamp: "2025-12-31T23:00:00Z"}
spec: {completions: 1, template: {spec: {containers: [{name: tuner, image: t}]}}}
status: {startTime: "2025-12-31T23:00:05Z", succeeded: 0, active: 1}
)");
  Json t = Table(res::kJobs, job);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Status", "Completions", "Duration",
                                                  "Age", "Containers", "Images", "Selector"}));
  Json cells = t["rows"][0]["cells"];
  EXPECT_EQ(cells[1], "Running");
  EXPECT_EQ(cells[2], "0/1");
  EXPECT_EQ(cells[3], "59m");
  job["status"] = Y(R"({startTime: "2025-12-31T23:00:05Z", completionTime: "2025-12-31T23:10:05Z",
                       succeeded: 1, conditions: [{type: Complete, status: "True"}]})");
  cells = Cells(res::kJobs, job);
  EXPECT_EQ(cells[1], "Complete");
  EXPECT_EQ(cells[2], "1/1");
  EXPECT_EQ(cells[3], "10m");
}

TEST_F(TableTest, EventColumnsLeadWithLastSeen) {
  Json ev = Y(R"(
metadata: {name: ws.1234, namespace: default}
involvedObject: {kind: Workspace, name: ws, fieldPath: ""}
reason: NodeClaimCreated
message: " created nodeclaim ws0a1b2c3d4 "
type: Normal
source: {component: workspace-controller}
firstTimestamp: "2025-12-31T23:58:00Z"
lastTimestamp: "2025-12-31T23:59:00Z"
count: 2
)");
  Json t = Table(res::kEvents, ev);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object",
                                                  "Subobject", "Source", "Message", "First Seen",
                                                  "Count", "Name"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["60s","Normal","NodeClaimCreated","workspace/ws","","workspace-controller",
                  "created nodeclaim ws0a1b2c3d4","2m",2,"ws.1234"])"));
  Json v1 = Y(R"(
metadata: {name: e}
regarding: {kind: Pod, name: p}
reason: Scheduled
note: assigned
type: Normal
eventTime: "2025-12-31T23:59:50.000000Z"
reportingController: default-scheduler
)");
  Json cells = Cells(res::kEventsV1, v1);
  EXPECT_EQ(cells[0], "10s");
  EXPECT_EQ(cells[3], "pod/p");
  EXPECT_EQ(cells[5], "default-scheduler");
  EXPECT_EQ(cells[8], 1);
}

TEST_F(TableTest, SimpleKinds) {
  Json ns = J(R"({"metadata":{"name":"kaito","creationTimestamp":"2025-12-31T00:00:00Z"},"status":{"phase":"Active"}})");
  EXPECT_EQ(Cells(res::kNamespaces, ns), J(R"(["kaito","Active","24h"])"));
  Json secret = J(R"({"metadata":{"name":"s"},"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"e30="}})");
  EXPECT_EQ(Cells(res::kSecrets, secret), J(R"(["s","kubernetes.io/dockerconfigjson",1,"<unknown>"])"));
  Json lease = J(R"({"metadata":{"name":"kaito-leader"},"spec":{"holderIdentity":"pod-1"}})");
  EXPECT_EQ(Cells(res::kLeases, lease)[1], "pod-1");
  Json sa = J(R"({"metadata":{"name":"default"}})");
  EXPECT_EQ(Cells(res::kServiceAccounts, sa)[1], 0);
}

TEST_F(TableTest, EndpointsAndSlices) {
  Json ep = Y(R"(
metadata: {name: svc}
subsets:
- addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}, {ip: 10.0.0.3}, {ip: 10.0.0.4}]
  ports: [{port: 5000}]
)");
  EXPECT_EQ(Cells(res::kEndpoints, ep)[1], "10.0.0.1:5000,10.0.0.2:5000,10.0.0.3:5000 + 1 more...");
  EXPECT_EQ(Cells(res::kEndpoints, J(R"({"metadata":{"name":"e"}})"))[1], "<none>");
  Json slice = Y(R"(
metadata: {name: svc-abc}
addressType: IPv4
ports: [{name: http, port: 5000, protocol: TCP}]
endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2]}]
)");
  EXPECT_EQ(Cells(res::kEndpointSlices, slice), J(R"(["svc-abc","IPv4","5000","10.0.0.1,10.0.0.2","<unknown>"])"));
  EXPECT_EQ(Cells(res::kEndpointSlices, J(R"({"metadata":{"name":"e"}})"))[2], "<unset>");
}

TEST_F(TableTest, ControllerRevisionNamesItsController) {
  Json cr = Y(R"(
metadata:
  name: ws-5d8f9
  ownerReferences: [{apiVersion: kaito.sh/v1beta1, kind: Workspace, name: ws, uid: u1, controller: true}]
revision: 3
)");
  EXPECT_EQ(Cells(res::kControllerRevisions, cr), J(R"(["ws-5d8f9","workspace.kaito.sh/ws",3,"<unknown>"])"));
}

TEST_F(TableTest, RbacWebhookAndCrdKinds) {
  Json rb = Y(R"(
metadata: {name: kaito-rb, creationTimestamp: "2025-12-31T23:00:00Z"}
roleRef: {kind: ClusterRole, name: kaito}
subjects: [{kind: ServiceAccount, name: kaito, namespace: kube-system}, {kind: User, name: alice}]
)");
  EXPECT_EQ(Cells(res::kClusterRoleBindings, rb),
            J(R"(["kaito-rb","ClusterRole/kaito","60m","alice","","kube-system/kaito"])"));
  Json role = J(R"({"metadata":{"name":"r","creationTimestamp":"2025-12-31T23:00:00Z"}})");
  Json t = Table(res::kRoles, role);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Created At"}));
  EXPECT_EQ(t["rows"][0]["cells"][1], "2025-12-31T23:00:00Z");
  EXPECT_EQ(Columns(Table(res::kCustomResourceDefinitions, role)),
            (std::vector<std::string>{"Name", "Created At"}));
  Json hook = J(R"({"metadata":{"name":"h"},"webhooks":[{"name":"a"},{"name":"b"}]})");
  EXPECT_EQ(Cells(res::kValidatingWebhookConfigurations, hook)[1], 2);
}

TEST_F(TableTest, WorkspacePrinterColumnsFromTheCrd) {
  testing::InstallProjectCrds(r_);
  Json ws = Y(R"(
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata: {name: workspace-phi-3-mini, namespace: default, creationTimestamp: "2025-12-31T23:59:52Z"}
resource: {instanceType: Standard_NC6s_v3}
status:
  conditions:
  - {type: ResourceReady, status: "True"}
  - {type: WorkspaceSucceeded, status: "True"}
)");
  Json t = Table(res::kWorkspaces, ws);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Instance", "ResourceReady",
                                                  "InferenceReady", "JobStarted",
                                                  "WorkspaceSucceeded", "Age"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["workspace-phi-3-mini","Standard_NC6s_v3","True",null,null,"True","8s"])"));
  EXPECT_EQ(t["columnDefinitions"][6]["type"], "date");
}

TEST_F(TableTest, WorkspaceV1alpha1ShowsWorkspaceReady) {
  testing::InstallProjectCrds(r_);
  Json ws = Y(R"(
metadata: {name: w}
status: {conditions: [{type: WorkspaceReady, status: "False"}]}
)");
  Json t = Table(res::kWorkspacesV1alpha1, ws);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Instance", "ResourceReady",
                                                  "InferenceReady", "WorkspaceReady", "Age"}));
  EXPECT_EQ(t["rows"][0]["cells"], J(R"(["w",null,null,null,"False",null])"));
}

TEST_F(TableTest, NodeClaimColumnsWithEscapedLabelPaths) {
  testing::InstallProjectCrds(r_);
  Json nc = Y(R"(
metadata:
  name: ws0a1b2c3d4
  creationTimestamp: "2025-12-31T23:59:00Z"
  labels: {node.kubernetes.io/instance-type: Standard_NC12s_v3, karpenter.sh/capacity-type: on-demand, topology.kubernetes.io/zone: eastus-1, karpenter.sh/nodepool: kaito}
spec: {nodeClassRef: {name: default}}
status: {nodeName: aks-ws0a1b2c3d4, providerID: "azure:///x", conditions: [{type: Ready, status: "True"}]}
)");
  Json t = Table(res::kNodeClaims, nc);
  EXPECT_EQ(Columns(t), (std::vector<std::string>{"Name", "Type", "Capacity", "Zone", "Node",
                                                  "Ready", "Age", "ID", "NodePool", "NodeClass"}));
  EXPECT_EQ(t["rows"][0]["cells"],
            J(R"(["ws0a1b2c3d4","Standard_NC12s_v3","on-demand","eastus-1","aks-ws0a1b2c3d4",
                  "True","60s","azure:///x","kaito","default"])"));
  EXPECT_EQ(t["columnDefinitions"][7]["priority"], 1);
}

TEST_F(TableTest, CrdWithoutColumnsGetsNameAndAge) {
  Json crd = Y(R"(
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ratio, type: number, jsonPath: .spec.ratio}
    - {name: Enabled, type: boolean, jsonPath: .spec.on}
    - {name: Tags, type: string, jsonPath: .spec.tags}
)");
  ASSERT_TRUE(r_.AddCrd(crd).ok());
  Json w = J(R"({"metadata":{"name":"w"},"spec":{"size":3.0,"ratio":2,"on":true,"tags":["a","b"]}})");
  Json t = Table({"example.com", "v1", "widgets"}, w);
  EXPECT_EQ(t["rows"][0]["cells"], J(R"(["w",3,2.0,true,"[\"a\",\"b\"]"])"));
  crd["spec"]["versions"][0].erase("additionalPrinterColumns");
  ASSERT_TRUE(r_.AddCrd(crd).ok());
  EXPECT_EQ(Columns(Table({"example.com", "v1", "widgets"}, w)),
            (std::vector<std::string>{"Name", "Age"}));
}

TEST_F(TableTest, CronJobQuotaPdbIngressAndPriorityClassColumnsMatchKubectl) {
  Json cj = Table({"batch", "v1", "cronjobs"}, Y(R"(
metadata: {name: nightly, creationTimestamp: "2025-12-31T23:55:00Z"}
spec: {schedule: "0 3 * * *", suspend: false, jobTemplate: {spec: {template: {spec: {containers: []}}}}}
status: {active: [{name: nightly-1}], lastScheduleTime: "2025-12-31T23:59:00Z"}
)"));
  EXPECT_EQ(Columns(cj), (std::vector<std::string>{"Name", "Schedule", "Timezone", "Suspend", "Active",
                                                   "Last Schedule", "Age"}));
  EXPECT_EQ(cj["rows"][0]["cells"], J(R"(["nightly","0 3 * * *","<none>","False",1,"60s","5m"])"));
  Json quota = Table({"", "v1", "resourcequotas"}, Y(R"(
metadata: {name: q, creationTimestamp: "2025-12-31T23:55:00Z"}
status: {hard: {pods: "10", limits.cpu: "4", requests.cpu: "2"}, used: {pods: "3"}}
)"));
  EXPECT_EQ(Columns(quota), (std::vector<std::string>{"Name", "Age", "Request", "Limit"}));
  EXPECT_EQ(quota["rows"][0]["cells"], J(R"(["q","5m","pods: 3/10, requests.cpu: 0/2","limits.cpu: 0/4"])"));
  Json pdb = Cells({"policy", "v1", "poddisruptionbudgets"}, Y(R"(
metadata: {name: pdb, creationTimestamp: "2025-12-31T23:55:00Z"}
spec: {minAvailable: "50%"}
status: {disruptionsAllowed: 2}
)"));
  EXPECT_EQ(pdb, J(R"(["pdb","50%","N/A",2,"5m"])"));
  Json ing = Cells({"networking.k8s.io", "v1", "ingresses"}, Y(R"(
metadata: {name: web, creationTimestamp: "2025-12-31T23:55:00Z"}
spec:
  tls: [{hosts: [a.example.com]}]
  rules: [{host: a.example.com}, {host: b.example.com}, {}, {host: d.example.com}, {host: e.example.com}]
status: {loadBalancer: {ingress: [{ip: 10.0.0.9}]}}
)"));
  EXPECT_EQ(ing, J(R"(["web","<none>","a.example.com,b.example.com,d.example.com + 2 more...","10.0.0.9","80, 443","5m"])"));
  Json pc = Table({"scheduling.k8s.io", "v1", "priorityclasses"}, Y(R"(
metadata: {name: high, creationTimestamp: "2025-12-31T23:55:00Z"}
value: 1000
preemptionPolicy: Never
)"));
  EXPECT_EQ(Columns(pc), (std::vector<std::string>{"Name", "Value", "Global-Default", "Age", "PreemptionPolicy"}));
  EXPECT_EQ(pc["rows"][0]["cells"], J(R"(["high",1000,false,"5m","Never"])"));
}

TEST_F(TableTest, EmptyListHasColumnsAndNoRows) {
  Json t = r_.ToTable(*r_.Find(res::kPods), {}, now_, "Metadata");
  EXPECT_TRUE(t["rows"].is_array());
  EXPECT_TRUE(t["rows"].empty());
  EXPECT_EQ(t["columnDefinitions"].size(), 9u);
}

}  // namespace
}  // namespace kt::sim
