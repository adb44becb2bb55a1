#include "sim/cluster/deployment_controller.h"

#include <algorithm>
#include <cstdio>

#include "api/object.h"
#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/controller_util.h"
#include "sim/cluster/pod_util.h"

namespace kt::sim::cluster {

namespace {

constexpr char kRevision[] = "deployment.kubernetes.io/revision";
constexpr char kDesired[] = "deployment.kubernetes.io/desired-replicas";
constexpr char kMax[] = "deployment.kubernetes.io/max-replicas";
constexpr char kHashLabel[] = "pod-template-hash";

int64_t RevisionOf(const Json& obj) {
  auto a = api::Annotation(obj, kRevision);
  return a ? std::atoll(a->c_str()) : 0;
}

// The template without the pod-template-hash label, to compare with the Deployment's.
Json WithoutHash(const Json& tmpl) {
  Json t = tmpl;
  if (t.contains("metadata") && t["metadata"].contains("labels")) {
    t["metadata"]["labels"].erase(kHashLabel);
  }
  return t;
}

}  // namespace

DeploymentController::DeploymentController(ClusterLoop& loop, ApiServer& server,
                                           Informer& deployments, Informer& replicasets,
                                           Informer& pods, EventRecorder& events)
    : loop_(loop),
      server_(server),
      deployments_(deployments),
      rss_(replicasets),
      pods_(pods),
      events_(events),
      queue_(loop, "deployment", [this](const std::string& k) { return Reconcile(k); }) {
  ctx_.user = "system:serviceaccount:kube-system:deployment-controller";
  source_.component = "deployment-controller";
  deployments_.AddHandlers({[this](const JsonPtr& d) {
                              key_by_uid_[api::Uid(*d)] = Informer::KeyOf(*d);
                              queue_.Add(Informer::KeyOf(*d));
                            },
                            [this](const JsonPtr& o, const JsonPtr& d) {
                              if (api::Generation(*o) == api::Generation(*d) &&
                                  api::IsDeleting(*o) == api::IsDeleting(*d)) {
                                return;  // our own status writes
                              }
                              queue_.Add(Informer::KeyOf(*d));
                            },
                            [this](const JsonPtr& d) { key_by_uid_.erase(api::Uid(*d)); }});
  rss_.AddHandlers({[this](const JsonPtr& rs) { EnqueueOwner(*rs); },
                    [this](const JsonPtr&, const JsonPtr& rs) { EnqueueOwner(*rs); },
                    [this](const JsonPtr& rs) { EnqueueOwner(*rs); }});
  // Recreate waits for old pods to go away.
  pods_.AddHandlers({nullptr, nullptr, [this](const JsonPtr& p) {
                       std::string rs_uid = ControllerUid(*p);
                       if (rs_uid.empty()) return;
                       for (const auto& rk : rss_.ByIndex("uid", rs_uid)) {
                         if (JsonPtr rs = rss_.Get(rk)) EnqueueOwner(*rs);
                       }
                     }});
}

void DeploymentController::EnqueueOwner(const Json& obj) {
  auto it = key_by_uid_.find(ControllerUid(obj));
  if (it != key_by_uid_.end()) queue_.Add(it->second);
}

Status DeploymentController::Scale(const Json& d, Rs& rs, int64_t to, int64_t max_surge) {
  const int64_t replicas = GetInt(d, "spec.replicas").value_or(1);
  const int64_t from = rs.spec_replicas;
  Json obj = *rs.obj;
  obj["spec"]["replicas"] = to;
  obj["metadata"]["annotations"][kDesired] = std::to_string(replicas);
  obj["metadata"]["annotations"][kMax] = std::to_string(replicas + max_surge);
  const std::string ns = api::Namespace(obj);  // before obj is moved into the call
  auto r = server_.Update(ResourceRef{api::resources::kReplicaSets, ns, rs.name, ""},
                          std::move(obj), {}, ctx_);
  if (!r.ok()) return r.status();
  rs.obj = std::move(r->object);
  rs.spec_replicas = to;
  if (from != to) {
    events_.Normal(d, source_, "ScalingReplicaSet",
                   std::string(to > from ? "Scaled up" : "Scaled down") + " replica set " + rs.name +
                       " from " + std::to_string(from) + " to " + std::to_string(to));
    Env& env = loop_.env();
    env.trace().Record(env.Now(), "cluster.deployment",
                       Json{{"deployment", Informer::KeyOf(d)}, {"rs", rs.name}, {"from", from},
                            {"to", to}});
  }
  return Status::Ok();
}

Result<DeploymentController::Rs> DeploymentController::CreateNewRs(const Json& d,
                                                                   const std::string& hash,
                                                                   int64_t revision,
                                                                   int64_t replicas,
                                                                   int64_t max_surge) {
  const int64_t want = GetInt(d, "spec.replicas").value_or(1);
  Json tmpl = FindPath(d, "spec.template") ? d["spec"]["template"] : Json::object();
  tmpl["metadata"]["labels"][kHashLabel] = hash;
  Json selector = FindPath(d, "spec.selector") ? d["spec"]["selector"] : Json::object();
  selector["matchLabels"][kHashLabel] = hash;
  Json labels = tmpl["metadata"]["labels"];
  Json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", api::Name(d) + "-" + hash},
               {"namespace", api::Namespace(d)},
               {"labels", labels},
               {"annotations",
                {{kRevision, std::to_string(revision)},
                 {kDesired, std::to_string(want)},
                 {kMax, std::to_string(want + max_surge)}}},
               {"ownerReferences", Json::array({api::ControllerReference(d)})}}},
             {"spec",
              {{"replicas", replicas},
               {"minReadySeconds", GetInt(d, "spec.minReadySeconds").value_or(0)},
               {"selector", selector},
               {"template", tmpl}}}};
  auto r = server_.Create(ResourceRef{api::resources::kReplicaSets, api::Namespace(d), "", ""},
                          std::move(rs), {}, ctx_);
  if (!r.ok()) return r.status();
  Rs out;
  out.obj = std::move(r->object);
  out.name = api::Name(*out.obj);
  out.spec_replicas = replicas;
  out.revision = revision;
  out.created = GetString(*out.obj, "metadata.creationTimestamp");
  if (replicas > 0) {
    events_.Normal(d, source_, "ScalingReplicaSet",
                   "Scaled up replica set " + out.name + " from 0 to " + std::to_string(replicas));
  }
  Env& env = loop_.env();
  env.trace().Record(env.Now(), "cluster.deployment",
                     Json{{"deployment", Informer::KeyOf(d)}, {"rs", out.name}, {"created", replicas}});
  return out;
}

ReconcileResult DeploymentController::Reconcile(const std::string& key) {
  JsonPtr dp = deployments_.Get(key);
  if (!dp || api::IsDeleting(*dp)) return ReconcileResult::Done();
  const JsonPtr original = dp;  // `d` stays valid when dp moves on to our own write's result
  const Json& d = *original;
  const Time now = loop_.Now();
  const std::string ns = api::Namespace(d), name = api::Name(d), uid = api::Uid(d);
  const int64_t replicas = GetInt(d, "spec.replicas").value_or(1);
  const std::string strategy = GetString(d, "spec.strategy.type", "RollingUpdate");
  const bool rolling = strategy == "RollingUpdate";
  const bool paused = GetBool(d, "spec.paused");
  int64_t surge = 0, unavailable = 0;
  if (rolling) {
    surge = ResolveIntOrPercent(FindPath(d, "spec.strategy.rollingUpdate.maxSurge"), replicas, true,
                                (replicas * 25 + 99) / 100);
    unavailable = ResolveIntOrPercent(FindPath(d, "spec.strategy.rollingUpdate.maxUnavailable"),
                                      replicas, false, replicas * 25 / 100);
    if (surge == 0 && unavailable == 0) unavailable = 1;
    unavailable = std::min(unavailable, replicas);
  }
  Json status = d.contains("status") ? d["status"] : Json::object();
  const Json old_status = status;
  const int64_t collisions = GetInt(status, "collisionCount").value_or(0);

  // The ReplicaSets this Deployment controls, oldest first.
  std::vector<Rs> all;
  for (const auto& rk : rss_.ByIndex("owner", uid)) {
    JsonPtr o = rss_.Get(rk);
    if (!o || api::IsDeleting(*o)) continue;
    Rs rs;
    rs.obj = o;
    rs.name = api::Name(*o);
    rs.spec_replicas = GetInt(*o, "spec.replicas").value_or(0);
    rs.replicas = GetInt(*o, "status.replicas").value_or(0);
    rs.ready = GetInt(*o, "status.readyReplicas").value_or(0);
    rs.available = GetInt(*o, "status.availableReplicas").value_or(0);
    rs.revision = RevisionOf(*o);
    rs.created = GetString(*o, "metadata.creationTimestamp");
    all.push_back(std::move(rs));
  }
  std::sort(all.begin(), all.end(), [](const Rs& a, const Rs& b) {
    return a.created != b.created ? a.created < b.created : a.name < b.name;
  });
  const Json* tmpl = FindPath(d, "spec.template");
  const Json want_template = tmpl ? *tmpl : Json::object();
  int new_index = -1;
  int64_t max_old_revision = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const Json* t = FindPath(*all[i].obj, "spec.template");
    if (new_index < 0 && t && WithoutHash(*t) == want_template) {
      new_index = static_cast<int>(i);
    } else {
      max_old_revision = std::max(max_old_revision, all[i].revision);
    }
  }
  bool created_new = false;
  auto sum = [&](auto field) {
    int64_t s = 0;
    for (const auto& rs : all) s += rs.*field;
    return s;
  };

  if (new_index < 0 && !paused) {
    bool can_create = true;
    int64_t initial = 0;
    if (rolling) {
      int64_t current = sum(&Rs::spec_replicas);
      int64_t max_total = replicas + surge;
      initial = std::max<int64_t>(0, std::min(replicas, max_total - current));
    } else {
      // Recreate: only once the old ReplicaSets are down and their pods gone.
      for (auto& rs : all) {
        if (rs.spec_replicas > 0) {
          Status s = Scale(d, rs, 0, surge);
          if (!s.ok()) return ReconcileResult::Error(s);
        }
        if (rs.replicas > 0) can_create = false;
        for (const auto& pk : pods_.ByIndex("owner", api::Uid(*rs.obj))) {
          JsonPtr p = pods_.Get(pk);
          if (p && !IsPodTerminal(*p)) can_create = false;
        }
      }
      initial = replicas;
    }
    if (can_create) {
      const std::string hash = TemplateHash(want_template, collisions);
      auto made = CreateNewRs(d, hash, max_old_revision + 1, initial, surge);
      if (!made.ok()) {
        if (made.status().Is(StatusCode::kAlreadyExists)) {
          // A different template already holds this name (hash collision), or our cache lags.
          auto existing = server_.Get(ResourceRef{api::resources::kReplicaSets, ns,
                                                  name + "-" + hash, ""}, {}, ctx_);
          bool ours_same = existing.ok() && ControllerUid(**existing) == uid &&
                           FindPath(**existing, "spec.template") &&
                           WithoutHash((**existing)["spec"]["template"]) == want_template;
          if (!ours_same) {
            status["collisionCount"] = collisions + 1;
            Json obj = d;
            obj["status"] = status;
            api::WriteOptions wo;
            wo.subresource = "status";
            (void)server_.Update(ResourceRef{api::resources::kDeployments, ns, name, "status"},
                                 std::move(obj), wo, ctx_);
          }
          return ReconcileResult::After(std::chrono::milliseconds(100));
        }
        return ReconcileResult::Error(made.status());
      }
      all.push_back(std::move(*made));
      new_index = static_cast<int>(all.size()) - 1;
      created_new = true;
      SetWorkloadCondition(status, "Progressing", "True", "NewReplicaSetCreated",
                           "Created new replica set \"" + all.back().name + "\"", now);
    }
  }

  Rs* nrs = new_index >= 0 ? &all[static_cast<size_t>(new_index)] : nullptr;
  if (nrs != nullptr && !created_new) {
    if (nrs->revision <= max_old_revision && max_old_revision > 0) {
      // Rolling back to an older template: it becomes the newest revision.
      Json obj = *nrs->obj;
      obj["metadata"]["annotations"][kRevision] = std::to_string(max_old_revision + 1);
      auto r = server_.Update(ResourceRef{api::resources::kReplicaSets, ns, nrs->name, ""},
                              std::move(obj), {}, ctx_);
      if (!r.ok()) return ReconcileResult::Error(r.status());
      nrs->obj = std::move(r->object);
      nrs->revision = max_old_revision + 1;
    }
    if (FindWorkloadCondition(status, "Progressing") == nullptr) {
      SetWorkloadCondition(status, "Progressing", "True", "FoundNewReplicaSet",
                           "Found new replica set \"" + nrs->name + "\"", now);
    }
  }
  // The Deployment carries the revision of its newest ReplicaSet.
  if (nrs != nullptr && api::Annotation(d, kRevision) != std::to_string(nrs->revision)) {
    Json obj = d;
    obj["metadata"]["annotations"][kRevision] = std::to_string(nrs->revision);
    auto r = server_.Update(ResourceRef{api::resources::kDeployments, ns, name, ""}, std::move(obj),
                            {}, ctx_);
    if (!r.ok()) return ReconcileResult::Error(r.status());
    dp = std::move(r->object);
  }

  if (!paused && nrs != nullptr) {
    if (rolling) {
      // Scale up the new ReplicaSet within replicas + maxSurge (or down to replicas).
      int64_t current = sum(&Rs::spec_replicas);
      int64_t target = nrs->spec_replicas;
      if (nrs->spec_replicas > replicas) {
        target = replicas;
      } else if (current < replicas + surge) {
        target = nrs->spec_replicas +
                 std::min(replicas + surge - current, replicas - nrs->spec_replicas);
      }
      if (target != nrs->spec_replicas) {
        Status s = Scale(d, *nrs, target, surge);
        if (!s.ok()) return ReconcileResult::Error(s);
      }
      // Scale old ReplicaSets down while availability allows.
      const int64_t min_available = replicas - unavailable;
      const int64_t new_unavailable = nrs->spec_replicas - nrs->available;
      int64_t max_scaled_down = sum(&Rs::spec_replicas) - min_available - new_unavailable;
      if (max_scaled_down > 0) {
        int64_t cleaned = 0;
        for (auto& rs : all) {  // unhealthy old replicas first
          if (&rs == nrs || rs.spec_replicas == 0 || cleaned >= max_scaled_down) continue;
          int64_t unhealthy = rs.spec_replicas - rs.available;
          if (unhealthy <= 0) continue;
          int64_t down = std::min(max_scaled_down - cleaned, unhealthy);
          Status s = Scale(d, rs, rs.spec_replicas - down, surge);
          if (!s.ok()) return ReconcileResult::Error(s);
          cleaned += down;
        }
        int64_t available = sum(&Rs::available);
        int64_t total_down = std::min(available - min_available, max_scaled_down - cleaned);
        int64_t done = 0;
        for (auto& rs : all) {
          if (&rs == nrs || rs.spec_replicas == 0 || done >= total_down) continue;
          int64_t down = std::min(rs.spec_replicas, total_down - done);
          Status s = Scale(d, rs, rs.spec_replicas - down, surge);
          if (!s.ok()) return ReconcileResult::Error(s);
          done += down;
        }
      }
    } else if (nrs->spec_replicas != replicas) {
      bool old_active = false;
      for (auto& rs : all) {
        if (&rs == nrs) continue;
        if (rs.spec_replicas > 0) {
          Status s = Scale(d, rs, 0, surge);
          if (!s.ok()) return ReconcileResult::Error(s);
        }
        if (rs.replicas > 0) old_active = true;
      }
      if (!old_active) {
        Status s = Scale(d, *nrs, replicas, surge);
        if (!s.ok()) return ReconcileResult::Error(s);
      }
    }
  }

  // Old ReplicaSets beyond the history limit.
  const int64_t history = GetInt(d, "spec.revisionHistoryLimit").value_or(10);
  std::vector<Rs*> idle;
  for (auto& rs : all) {
    if (&rs != nrs && rs.spec_replicas == 0 && rs.replicas == 0) idle.push_back(&rs);
  }
  std::sort(idle.begin(), idle.end(), [](const Rs* a, const Rs* b) { return a->revision < b->revision; });
  for (size_t i = 0; static_cast<int64_t>(idle.size() - i) > history && i < idle.size(); ++i) {
    (void)server_.Delete(ResourceRef{api::resources::kReplicaSets, ns, idle[i]->name, ""}, {}, ctx_);
  }

  // Status.
  const int64_t available = sum(&Rs::available);
  const int64_t total = sum(&Rs::spec_replicas);
  status["observedGeneration"] = api::Generation(*dp);
  status["replicas"] = sum(&Rs::replicas);
  status["updatedReplicas"] = nrs ? nrs->replicas : 0;
  status["readyReplicas"] = sum(&Rs::ready);
  status["availableReplicas"] = available;
  status["unavailableReplicas"] = std::max<int64_t>(0, total - available);
  if (collisions > 0) status["collisionCount"] = collisions;
  const int64_t max_unavailable = rolling && replicas > 0 ? unavailable : 0;
  if (available >= replicas - max_unavailable) {
    SetWorkloadCondition(status, "Available", "True", "MinimumReplicasAvailable",
                         "Deployment has minimum availability.", now);
  } else {
    SetWorkloadCondition(status, "Available", "False", "MinimumReplicasUnavailable",
                         "Deployment does not have minimum availability.", now);
  }
  std::optional<Duration> requeue;
  if (paused) {
    SetWorkloadCondition(status, "Progressing", "Unknown", "DeploymentPaused",
                         "Deployment is paused", now);
  } else if (nrs != nullptr) {
    const std::string rs_name = nrs->name;
    const int64_t updated = GetInt(status, "updatedReplicas").value_or(0);
    const int64_t actual = GetInt(status, "replicas").value_or(0);
    const bool complete = updated == replicas && actual == replicas && available == replicas;
    const int64_t old_updated = GetInt(old_status, "updatedReplicas").value_or(0);
    const int64_t old_old = GetInt(old_status, "replicas").value_or(0) - old_updated;
    const int64_t new_old = actual - updated;
    const bool progressing = updated > old_updated || new_old < old_old ||
                             GetInt(status, "readyReplicas").value_or(0) >
                                 GetInt(old_status, "readyReplicas").value_or(0) ||
                             available > GetInt(old_status, "availableReplicas").value_or(0);
    const int64_t deadline_s = GetInt(d, "spec.progressDeadlineSeconds").value_or(600);
    const Json* prog = FindWorkloadCondition(status, "Progressing");
    if (complete) {
      SetWorkloadCondition(status, "Progressing", "True", "NewReplicaSetAvailable",
                           "ReplicaSet \"" + rs_name + "\" has successfully progressed.", now);
    } else if (progressing && !created_new) {
      SetWorkloadCondition(status, "Progressing", "True", "ReplicaSetUpdated",
                           "ReplicaSet \"" + rs_name + "\" is progressing.", now, true);
    } else if (prog != nullptr && GetString(*prog, "reason") != "ProgressDeadlineExceeded") {
      auto last = ParseRfc3339(GetString(*prog, "lastUpdateTime"));
      if (last.ok()) {
        Time due = *last + std::chrono::seconds(deadline_s);
        if (now > due) {
          SetWorkloadCondition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                               "ReplicaSet \"" + rs_name + "\" has timed out progressing.", now);
        } else {
          requeue = due - now + std::chrono::seconds(1);
        }
      }
    }
    if (!complete && !requeue) {
      const Json* p2 = FindWorkloadCondition(status, "Progressing");
      if (p2 && GetString(*p2, "reason") != "ProgressDeadlineExceeded") {
        auto last = ParseRfc3339(GetString(*p2, "lastUpdateTime"));
        if (last.ok()) {
          Time due = *last + std::chrono::seconds(deadline_s);
          requeue = (due > now ? due - now : Duration(0)) + std::chrono::seconds(1);
        }
      }
    }
  }
  if (status != old_status) {
    Json obj = *dp;
    obj["status"] = std::move(status);
    api::WriteOptions wo;
    wo.subresource = "status";
    auto r = server_.Update(ResourceRef{api::resources::kDeployments, ns, name, "status"},
                            std::move(obj), wo, ctx_);
    if (!r.ok() && !r.status().Is(StatusCode::kNotFound)) return ReconcileResult::Error(r.status());
  }
  if (requeue) return ReconcileResult::After(*requeue);
  return ReconcileResult::Done();
}

}  // namespace kt::sim::cluster
