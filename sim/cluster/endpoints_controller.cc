#include "sim/cluster/endpoints_controller.h"

#include <algorithm>
#include <vector>

#include "api/label_selector.h"
#include "api/object.h"
#include "base/json.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";
constexpr char kManagedByLabel[] = "endpointslice.kubernetes.io/managed-by";
constexpr char kManagedBy[] = "endpointslice-controller.k8s.io";

std::optional<api::LabelSelector> SelectorOf(const Json& svc) {
  const Json* sel = FindPath(svc, "spec.selector");
  if (sel == nullptr || !sel->is_object() || sel->empty()) return std::nullopt;
  api::Labels m;
  for (const auto& [k, v] : sel->items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return api::LabelSelector::FromMap(m);
}

// The container port a service port's targetPort names on this pod (0: none).
int64_t ResolvePort(const Json& pod, const Json& service_port) {
  const Json* target = FindPath(service_port, "targetPort");
  if (target == nullptr || target->is_null()) return GetInt(service_port, "port").value_or(0);
  if (target->is_number_integer()) return target->get<int64_t>();
  if (!target->is_string()) return 0;
  const std::string want = target->get<std::string>();
  if (!want.empty() && std::all_of(want.begin(), want.end(), ::isdigit)) return std::atoll(want.c_str());
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const Json* cs = FindPath(pod, list);
    if (cs == nullptr || !cs->is_array()) continue;
    for (const auto& c : *cs) {
      const Json* ports = FindPath(c, "ports");
      if (ports == nullptr || !ports->is_array()) continue;
      for (const auto& p : *ports) {
        if (GetString(p, "name") == want) return GetInt(p, "containerPort").value_or(0);
      }
    }
  }
  return 0;
}

}  // namespace

EndpointsController::EndpointsController(ClusterLoop& loop, ApiServer& server, Informer& services,
                                         Informer& pods, Informer& slices, Informer& endpoints,
                                         Informer& nodes, int max_endpoints_per_slice)
    : loop_(loop),
      server_(server),
      services_(services),
      pods_(pods),
      slices_(slices),
      endpoints_(endpoints),
      nodes_(nodes),
      max_per_slice_(std::max(1, max_endpoints_per_slice)),
      queue_(loop, "endpoints", [this](const std::string& k) { return Reconcile(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:endpointslice-controller";
  services_.AddHandlers({[this](const JsonPtr& s) {
                           services_by_ns_[api::Namespace(*s)].insert(Informer::KeyOf(*s));
                           queue_.Add(Informer::KeyOf(*s));
                         },
                         [this](const JsonPtr&, const JsonPtr& s) { queue_.Add(Informer::KeyOf(*s)); },
                         [this](const JsonPtr& s) {
                           services_by_ns_[api::Namespace(*s)].erase(Informer::KeyOf(*s));
                           queue_.Add(Informer::KeyOf(*s));
                         }});
  pods_.AddHandlers({[this](const JsonPtr& p) { OnPod(nullptr, p); },
                     [this](const JsonPtr& o, const JsonPtr& p) { OnPod(o, p); },
                     [this](const JsonPtr& p) { OnPod(nullptr, p); }});
}

void EndpointsController::OnPod(const JsonPtr& old_pod, const JsonPtr& pod) {
  auto it = services_by_ns_.find(api::Namespace(*pod));
  if (it == services_by_ns_.end() || it->second.empty()) return;
  api::Labels now = api::GetLabels(*pod);
  api::Labels before = old_pod ? api::GetLabels(*old_pod) : api::Labels{};
  for (const auto& key : it->second) {
    JsonPtr svc = services_.Get(key);
    if (!svc) continue;
    auto sel = SelectorOf(*svc);
    if (!sel) continue;
    if (sel->Matches(now) || (old_pod && sel->Matches(before))) queue_.Add(key);
  }
}

ReconcileResult EndpointsController::Reconcile(const std::string& key) {
  JsonPtr svc = services_.Get(key);
  const size_t slash = key.find('/');
  const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  if (!svc || api::IsDeleting(*svc)) {
    if (endpoints_.Get(key)) {
      (void)server_.Delete(ResourceRef{api::resources::kEndpoints, ns, name, ""}, {}, ctx_);
    }
    return ReconcileResult::Done();  // slices go with their owner (garbage collection)
  }
  auto sel = SelectorOf(*svc);
  if (!sel) return ReconcileResult::Done();
  const bool publish_not_ready = GetBool(*svc, "spec.publishNotReadyAddresses");
  const Json* svc_ports = FindPath(*svc, "spec.ports");

  struct Ep {
    std::string pod_name;
    Json slice_endpoint;
    Json address;
    bool ready = false;
    bool terminating = false;
  };
  // Endpoints grouped by their resolved port list.
  std::map<std::string, std::pair<Json, std::vector<Ep>>> groups;
  std::vector<std::string> keys(pods_.ByIndex("namespace", ns).begin(),
                                pods_.ByIndex("namespace", ns).end());
  for (const auto& pk : keys) {
    JsonPtr p = pods_.Get(pk);
    if (!p || !sel->MatchesObject(*p)) continue;
    const std::string ip = GetString(*p, "status.podIP");
    if (ip.empty() || IsPodTerminal(*p)) continue;
    Json ports = Json::array();
    if (svc_ports && svc_ports->is_array()) {
      for (const auto& sp : *svc_ports) {
        int64_t port = ResolvePort(*p, sp);
        if (port == 0) continue;
        Json pj = {{"port", port}, {"protocol", GetString(sp, "protocol", "TCP")}};
        pj["name"] = GetString(sp, "name");
        if (sp.contains("appProtocol")) pj["appProtocol"] = sp["appProtocol"];
        ports.push_back(std::move(pj));
      }
    }
    Ep e;
    e.pod_name = api::Name(*p);
    e.terminating = IsPodDeleting(*p);
    const bool pod_ready = IsPodReady(*p);
    e.ready = (pod_ready && !e.terminating) || publish_not_ready;
    const std::string node = PodNodeName(*p);
    Json target = {{"kind", "Pod"}, {"namespace", ns}, {"name", e.pod_name}, {"uid", api::Uid(*p)}};
    Json se = {{"addresses", Json::array({ip})},
               {"conditions",
                {{"ready", e.ready}, {"serving", pod_ready || publish_not_ready},
                 {"terminating", e.terminating}}},
               {"targetRef", target}};
    if (!node.empty()) {
      se["nodeName"] = node;
      if (JsonPtr n = nodes_.Get(node)) {
        if (auto zone = api::Label(*n, "topology.kubernetes.io/zone")) se["zone"] = *zone;
      }
    }
    Json addr = {{"ip", ip}, {"targetRef", target}};
    if (!node.empty()) addr["nodeName"] = node;
    const std::string hostname = GetString(*p, "spec.hostname");
    if (!hostname.empty() && GetString(*p, "spec.subdomain") == name) {
      se["hostname"] = hostname;
      addr["hostname"] = hostname;
    }
    e.slice_endpoint = std::move(se);
    e.address = std::move(addr);
    auto& g = groups[DumpJson(ports)];
    g.first = ports;
    g.second.push_back(std::move(e));
  }

  // EndpointSlices: the desired ones, matched against what exists.
  std::vector<std::pair<Json, Json>> desired;  // (ports, endpoints)
  for (auto& [sig, g] : groups) {
    auto& eps = g.second;
    std::sort(eps.begin(), eps.end(), [](const Ep& a, const Ep& b) { return a.pod_name < b.pod_name; });
    for (size_t i = 0; i < eps.size(); i += static_cast<size_t>(max_per_slice_)) {
      Json list = Json::array();
      for (size_t j = i; j < eps.size() && j < i + static_cast<size_t>(max_per_slice_); ++j) {
        list.push_back(eps[j].slice_endpoint);
      }
      desired.emplace_back(g.first, std::move(list));
    }
  }
  if (desired.empty()) {
    // A service without endpoints keeps one empty slice (ports from the service).
    Json ports = Json::array();
    desired.emplace_back(ports, Json::array());
  }
  std::vector<JsonPtr> existing;
  for (const auto& sk : slices_.ByIndex("service", key)) {
    JsonPtr s = slices_.Get(sk);
    if (s && api::Label(*s, kManagedByLabel) == std::string(kManagedBy)) existing.push_back(s);
  }
  std::sort(existing.begin(), existing.end(),
            [](const JsonPtr& a, const JsonPtr& b) { return api::Name(*a) < api::Name(*b); });
  Json labels = Json::object();
  for (const auto& [k, v] : api::GetLabels(*svc)) labels[k] = v;
  labels[kServiceNameLabel] = name;
  labels[kManagedByLabel] = kManagedBy;
  Status first_error;
  for (size_t i = 0; i < desired.size(); ++i) {
    const Json& ports = desired[i].first;
    const Json& eps = desired[i].second;
    if (i < existing.size()) {
      const Json& cur = *existing[i];
      if (FindPath(cur, "endpoints") && cur["endpoints"] == eps && FindPath(cur, "ports") &&
          cur["ports"] == ports && FindPath(cur, "metadata.labels") && cur["metadata"]["labels"] == labels) {
        continue;
      }
      Json obj = cur;
      obj["endpoints"] = eps;
      obj["ports"] = ports;
      obj["metadata"]["labels"] = labels;
      auto r = server_.Update(ResourceRef{api::resources::kEndpointSlices, ns, api::Name(cur), ""},
                              std::move(obj), {}, ctx_);
      if (!r.ok() && first_error.ok()) first_error = r.status();
      continue;
    }
    Json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                  {"kind", "EndpointSlice"},
                  {"metadata",
                   {{"generateName", name + "-"},
                    {"namespace", ns},
                    {"labels", labels},
                    {"ownerReferences", Json::array({api::ControllerReference(*svc)})}}},
                  {"addressType", "IPv4"},
                  {"endpoints", eps},
                  {"ports", ports}};
    auto r = server_.Create(ResourceRef{api::resources::kEndpointSlices, ns, "", ""}, std::move(slice),
                            {}, ctx_);
    if (!r.ok() && first_error.ok()) first_error = r.status();
  }
  for (size_t i = desired.size(); i < existing.size(); ++i) {
    (void)server_.Delete(ResourceRef{api::resources::kEndpointSlices, ns, api::Name(*existing[i]), ""},
                         {}, ctx_);
  }

  // The core/v1 Endpoints object.
  Json subsets = Json::array();
  for (auto& [sig, g] : groups) {
    Json ready = Json::array(), not_ready = Json::array();
    for (const auto& e : g.second) {
      if (e.terminating) continue;
      (e.ready ? ready : not_ready).push_back(e.address);
    }
    if (ready.empty() && not_ready.empty()) continue;
    Json subset = Json::object();
    if (!ready.empty()) subset["addresses"] = std::move(ready);
    if (!not_ready.empty()) subset["notReadyAddresses"] = std::move(not_ready);
    Json ports = Json::array();
    for (const auto& p : g.first) {
      Json ep = {{"port", p["port"]}, {"protocol", p["protocol"]}};
      if (!GetString(p, "name").empty()) ep["name"] = p["name"];
      if (p.contains("appProtocol")) ep["appProtocol"] = p["appProtocol"];
      ports.push_back(std::move(ep));
    }
    if (!ports.empty()) subset["ports"] = std::move(ports);
    subsets.push_back(std::move(subset));
  }
  JsonPtr cur = endpoints_.Get(key);
  Json ep_labels = Json::object();
  for (const auto& [k, v] : api::GetLabels(*svc)) ep_labels[k] = v;
  if (!cur) {
    Json ep = {{"apiVersion", "v1"},
               {"kind", "Endpoints"},
               {"metadata",
                {{"name", name},
                 {"namespace", ns},
                 {"labels", ep_labels},
                 {"annotations",
                  {{"endpoints.kubernetes.io/last-change-trigger-time", FormatRfc3339(loop_.Now())}}}}}};
    if (!subsets.empty()) ep["subsets"] = std::move(subsets);
    auto r = server_.Create(ResourceRef{api::resources::kEndpoints, ns, "", ""}, std::move(ep), {}, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kAlreadyExists) && first_error.ok()) first_error = r.status();
  } else {
    const Json* cs = FindPath(*cur, "subsets");
    bool same = (cs == nullptr && subsets.empty()) || (cs != nullptr && *cs == subsets);
    if (!same) {
      Json obj = *cur;
      if (subsets.empty()) {
        obj.erase("subsets");
      } else {
        obj["subsets"] = std::move(subsets);
      }
      obj["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] =
          FormatRfc3339(loop_.Now());
      auto r = server_.Update(ResourceRef{api::resources::kEndpoints, ns, name, ""}, std::move(obj), {}, ctx_);
      if (!r.ok() && first_error.ok()) first_error = r.status();
    }
  }
  if (!first_error.ok()) return ReconcileResult::Error(first_error);
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
