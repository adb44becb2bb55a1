// Built-in kinds are validated, pruned and defaulted from data/builtin_schemas.yaml: wrong
// types on the fields the twin uses are Invalid with kube's messages, unknown top-level fields
// are rejected under Strict as kube-apiserver rejects them, structs the twin does not model
// field by field keep unknown fields, and kube's simple defaults are filled in.
#include <functional>

#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::Y;
namespace res = api::resources;

class BuiltinSchemaTest : public ::testing::Test {
 protected:
  ValidationResult Admit(const api::GroupVersionResource& gvr, Json& obj,
                         std::string_view mode = "Strict") {
    return r_.Admit(*r_.Find(gvr), obj, mode);
  }
  Json Deployment() {
    return Y(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: ws, namespace: default}
spec:
  selector: {matchLabels: {app: ws}}
  template:
    metadata: {labels: {app: ws}}
    spec:
      containers:
      - name: ws
        image: mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.0.1
        ports: [{containerPort: 5000}]
        resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: "1", memory: 16Gi}}
        readinessProbe: {httpGet: {path: /health, port: 5000}, initialDelaySeconds: 60}
        env: [{name: A, value: b}]
      tolerations: [{key: sku, operator: Equal, value: gpu, effect: NoSchedule}]
)");
  }
  TypeRegistry r_;
};

TEST_F(BuiltinSchemaTest, RealisticDeploymentIsAdmittedAndDefaulted) {
  Json d = Deployment();
  ValidationResult v = Admit(res::kDeployments, d);
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"], "TCP");
}

TEST_F(BuiltinSchemaTest, WrongReplicasTypeIsInvalid) {
  Json d = Deployment();
  d["spec"]["replicas"] = "three";
  EXPECT_EQ(Admit(res::kDeployments, d).status.message(),
            "Deployment.apps \"ws\" is invalid: spec.replicas: Invalid value: \"string\": "
            "spec.replicas in body must be of type integer: \"string\"");
}

TEST_F(BuiltinSchemaTest, ContainerNameIsRequired) {
  Json d = Deployment();
  d["spec"]["template"]["spec"]["containers"][0].erase("name");
  EXPECT_NE(Admit(res::kDeployments, d).status.message().find(
                "spec.template.spec.containers[0].name: Required value"),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, UnknownTopLevelFieldOfABuiltinIsStrictError) {
  Json cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"},"spec":{}})");
  ValidationResult v = Admit(res::kConfigMaps, cm);
  ASSERT_TRUE(v.status.Is(StatusCode::kBadRequest));
  EXPECT_EQ(v.status.message(),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
            "error: unknown field \"spec\"");
  Json d = Deployment();
  d["spec"]["foo"] = 1;
  EXPECT_EQ(Admit(res::kDeployments, d).status.message(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding "
            "error: unknown field \"spec.foo\"");
}

TEST_F(BuiltinSchemaTest, UnmodelledStructsKeepUnknownFields) {
  Json d = Deployment();
  d["spec"]["template"]["spec"]["containers"][0]["futureField"] = true;
  d["spec"]["template"]["spec"]["overhead"] = J(R"({"cpu":"1"})");
  ValidationResult v = Admit(res::kDeployments, d);
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["futureField"], true);
}

TEST_F(BuiltinSchemaTest, WarnAndIgnoreDropUnknownFieldsOfBuiltins) {
  Json cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"spec":{}})");
  ValidationResult v = Admit(res::kConfigMaps, cm, "Warn");
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.warnings, std::vector<std::string>{"unknown field \"spec\""});
  EXPECT_FALSE(cm.contains("spec"));
}

// A status write admits only the status member: its unknown fields (in document order) are
// reported per fieldValidation and pruned in the same walk. (Namespace
// models its status field by field; most built-in statuses keep unknown fields.)
TEST_F(BuiltinSchemaTest, StatusWriteReportsAndPrunesUnknownStatusFields) {
  const ResourceType& ns = *r_.Find(res::kNamespaces);
  auto with_status = [](const char* status) {
    Json o = J(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}})");
    o["status"] = J(status);
    return o;
  };
  Json o = with_status(R"({"zzz":{"a":1},"phase":"Active","aaa":1})");
  ValidationResult v = r_.Admit(ns, o, "Warn", "status");
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(v.warnings, (std::vector<std::string>{"unknown field \"status.aaa\"",
                                                  "unknown field \"status.zzz\""}));
  EXPECT_FALSE(o["status"].contains("aaa"));
  EXPECT_FALSE(o["status"].contains("zzz"));
  EXPECT_EQ(o["status"]["phase"], "Active");

  Json strict = with_status(R"({"zzz":1})");
  EXPECT_EQ(r_.Admit(ns, strict, "Strict", "status").status.message(),
            "Namespace in version \"v1\" cannot be handled as a Namespace: strict decoding "
            "error: unknown field \"status.zzz\"");
  Json ignored = with_status(R"({"zzz":1})");
  v = r_.Admit(ns, ignored, "Ignore", "status");
  EXPECT_TRUE(v.status.ok());
  EXPECT_TRUE(v.warnings.empty());
  EXPECT_FALSE(ignored["status"].contains("zzz"));
}

// An update of a built-in kind admits only the top-level members that differ from the stored
// object: the stored ones were admitted under the same schema. Here the stored metadata carries
// a label no admission would let through, which shows what is walked and what is not.
TEST_F(BuiltinSchemaTest, UpdateLeavesMembersEqualToTheStoredOnesAlone) {
  const ResourceType& deployments = *r_.Find(res::kDeployments);
  Json stored = Deployment();
  ASSERT_TRUE(Admit(res::kDeployments, stored).status.ok());
  stored["metadata"]["labels"] = {{"-bad", "x"}};

  Json scaled = stored;
  scaled["spec"]["replicas"] = 3;
  scaled["spec"].erase("revisionHistoryLimit");
  ValidationResult v = r_.Admit(deployments, scaled, "Strict", {}, &stored);
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(scaled["spec"]["revisionHistoryLimit"], 10);  // the changed spec is defaulted

  Json relabelled = stored;
  relabelled["metadata"]["annotations"] = {{"a", "b"}};
  EXPECT_NE(r_.Admit(deployments, relabelled, "Strict", {}, &stored)
                .status.message()
                .find("metadata.labels: Invalid value: \"-bad\""),
            std::string::npos);
}

// Leaving the unchanged members alone changes no outcome: for each edit of an admitted object,
// admission against the stored object gives the status, warnings and object that admission of
// the whole object gives.
TEST_F(BuiltinSchemaTest, UpdateAgainstTheStoredObjectAdmitsAsTheWholeObjectDoes) {
  const ResourceType& deployments = *r_.Find(res::kDeployments);
  Json stored = Deployment();
  ASSERT_TRUE(Admit(res::kDeployments, stored).status.ok());
  const std::vector<std::function<void(Json&)>> edits = {
      [](Json&) {},
      [](Json& d) { d["spec"]["replicas"] = 4; },
      [](Json& d) { d["spec"]["replicas"] = "three"; },
      [](Json& d) { d["spec"]["paused"] = nullptr; },
      [](Json& d) { d["spec"]["zzz"] = 1; },
      [](Json& d) { d["zzz"] = {{"a", 1}}; },
      [](Json& d) { d["status"] = {{"replicas", 1}, {"zzz", 2}}; },
      [](Json& d) { d["spec"]["template"]["spec"]["containers"][0].erase("ports"); },
      [](Json& d) { d["spec"]["template"]["spec"].erase("dnsPolicy"); },
      [](Json& d) { d["metadata"]["labels"] = {{"a", "-b"}}; },
      [](Json& d) { d["metadata"]["labels"] = {{"a", "b"}}; },
      [](Json& d) { d["metadata"]["generation"] = "one"; },
      [](Json& d) { d["metadata"].erase("name"); },
      [](Json& d) { d.erase("spec"); },
  };
  for (const char* mode : {"Strict", "Warn", "Ignore"}) {
    for (size_t i = 0; i < edits.size(); ++i) {
      Json whole = stored;
      edits[i](whole);
      Json against = whole;
      ValidationResult w = r_.Admit(deployments, whole, mode);
      ValidationResult a = r_.Admit(deployments, against, mode, {}, &stored);
      SCOPED_TRACE(std::string(mode) + " edit " + std::to_string(i));
      EXPECT_EQ(a.status.ToString(), w.status.ToString());
      EXPECT_EQ(a.warnings, w.warnings);
      EXPECT_EQ(against, whole);
    }
  }
}

TEST_F(BuiltinSchemaTest, StatusWriteWithUnchangedMetadataAndStatusChecksNeither) {
  const ResourceType& ns = *r_.Find(res::kNamespaces);
  Json stored = J(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"-bad"},
                      "status":{"phase":"Active"}})");
  Json same = stored;
  EXPECT_TRUE(r_.Admit(ns, same, "Strict", "status", &stored).status.ok());
  Json changed = stored;
  changed["status"]["phase"] = "Terminating";
  EXPECT_TRUE(r_.Admit(ns, changed, "Strict", "status", &stored).status.ok());
  changed["metadata"]["labels"] = {{"a", "b"}};
  EXPECT_NE(r_.Admit(ns, changed, "Strict", "status", &stored).status.message().find("metadata.name"),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, ServicePortMustBeInRange) {
  Json svc = J(R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":70000}]}})");
  EXPECT_NE(Admit(res::kServices, svc).status.message().find(
                "spec.ports[0].port in body should be less than or equal to 65535"),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, ServiceNamesAreDns1035Labels) {
  Json svc = J(R"({"metadata":{"name":"1svc"},"spec":{}})");
  EXPECT_NE(Admit(res::kServices, svc).status.message().find("a DNS-1035 label must consist of"),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, SecretDataMustBeBase64) {
  Json s = J(R"({"metadata":{"name":"s"},"data":{"k":"not base64!"}})");
  EXPECT_TRUE(Admit(res::kSecrets, s).status.Is(StatusCode::kInvalid));
  Json ok = J(R"({"metadata":{"name":"s"},"data":{"k":"aGVsbG8="},"type":"Opaque"})");
  EXPECT_TRUE(Admit(res::kSecrets, ok).status.ok());
}

TEST_F(BuiltinSchemaTest, NodeTaintEffectIsAnEnum) {
  Json n = J(R"({"metadata":{"name":"n"},"spec":{"taints":[{"key":"sku","value":"gpu","effect":"Maybe"}]}})");
  EXPECT_NE(Admit(res::kNodes, n).status.message().find(
                "spec.taints[0].effect: Unsupported value: \"Maybe\": supported values: "
                "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, NodeStatusFromAKubeletIsAdmitted) {
  Json n = Y(R"(
apiVersion: v1
kind: Node
metadata: {name: aks-gpu-1, labels: {kubernetes.io/os: linux}}
spec: {providerID: "azure:///subscriptions/x", taints: [{key: sku, value: gpu, effect: NoSchedule}]}
status:
  capacity: {cpu: "12", memory: 229Gi, nvidia.com/gpu: "2", pods: "110"}
  allocatable: {cpu: 11780m, memory: 210Gi, nvidia.com/gpu: 2}
  conditions: [{type: Ready, status: "True", lastHeartbeatTime: "2026-01-01T00:00:00Z", reason: KubeletReady, message: ok}]
  addresses: [{type: InternalIP, address: 10.224.0.4}]
  nodeInfo: {kubeletVersion: v1.30.3, architecture: amd64, bootID: b, containerRuntimeVersion: containerd://1.7, kernelVersion: k, kubeProxyVersion: v1.30.3, machineID: m, operatingSystem: linux, osImage: Ubuntu, systemUUID: u}
  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
)");
  ValidationResult v = Admit(res::kNodes, n);
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
}

TEST_F(BuiltinSchemaTest, CoreEventWithNullEventTimeIsAdmitted) {
  Json e = Y(R"(
apiVersion: v1
kind: Event
metadata: {name: ws.17a, namespace: default}
involvedObject: {apiVersion: kaito.sh/v1beta1, kind: Workspace, name: ws, namespace: default, uid: u}
reason: Created
message: created
type: Normal
source: {component: workspace-controller}
firstTimestamp: "2026-01-01T00:00:00Z"
lastTimestamp: "2026-01-01T00:00:00Z"
eventTime: null
count: 1
reportingComponent: ""
reportingInstance: ""
)");
  ValidationResult v = Admit(res::kEvents, e);
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
}

TEST_F(BuiltinSchemaTest, JobAndStatefulSetDefaults) {
  Json job = Y(R"(
metadata: {name: tune}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: t, image: i}]}}}
)");
  ASSERT_TRUE(Admit(res::kJobs, job).status.ok());
  EXPECT_EQ(job["spec"]["backoffLimit"], 6);
  Json sts = Y(R"(
metadata: {name: ws}
spec: {selector: {matchLabels: {a: b}}, serviceName: ws-headless, template: {spec: {containers: [{name: c}]}}}
)");
  ASSERT_TRUE(Admit(res::kStatefulSets, sts).status.ok());
  EXPECT_EQ(sts["spec"]["podManagementPolicy"], "OrderedReady");
}

TEST_F(BuiltinSchemaTest, RbacKindsUsePathSegmentNames) {
  Json role = J(R"({"metadata":{"name":"system:kaito"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]})");
  EXPECT_TRUE(Admit(res::kClusterRoles, role).status.ok());
  role["metadata"]["name"] = "a/b";
  EXPECT_NE(Admit(res::kClusterRoles, role).status.message().find("may not contain '/'"),
            std::string::npos);
}

TEST_F(BuiltinSchemaTest, EveryBuiltinHasASchemaForExplain) {
  for (const ResourceType* t : r_.All()) {
    EXPECT_NE(r_.SchemaOf(*t), nullptr) << t->gvr.GroupResource();
  }
}

TEST_F(BuiltinSchemaTest, KaitoExampleConfigMapsValidate) {
  auto text = testing::ReadFile("../shared/reference/kaito/v0.4.6/examples/inference/kaito_workspace_custom_config.yaml");
  if (!text) GTEST_SKIP() << "shared reference not present";
  auto docs = ParseYamlDocuments(*text);
  ASSERT_TRUE(docs.ok());
  int seen = 0;
  for (Json& d : *docs) {
    if (d.value("kind", "") != "ConfigMap") continue;
    ++seen;
    EXPECT_TRUE(Admit(res::kConfigMaps, d).status.ok());
  }
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace kt::sim
