#include "controllers/workspace/status_update.h"

#include <algorithm>

#include "api/resource.h"
#include "base/json.h"
#include "controllers/kaito/conditions.h"
#include "controllers/kaito/workspace.h"

namespace kt::workspace {

void StatusUpdate::Set(std::string_view type, std::string_view status, std::string_view reason,
                       std::string_view message) {
  api::Condition c;
  c.type = std::string(type);
  c.status = std::string(status);
  c.reason = std::string(reason);
  c.message = std::string(message);
  c.observed_generation = generation_;
  conditions_[c.type] = c;
  if (type == kaito::kConditionWorkspaceSucceeded) {
    c.type = std::string(kaito::kConditionWorkspaceReady);
    conditions_[c.type] = c;
  }
}

void StatusUpdate::SetWorkerNodes(std::vector<std::string> nodes) {
  std::sort(nodes.begin(), nodes.end());
  worker_nodes_ = std::move(nodes);
}

const api::Condition* StatusUpdate::Find(std::string_view type) const {
  auto it = conditions_.find(type);
  return it == conditions_.end() ? nullptr : &it->second;
}

bool StatusUpdate::IsTrue(std::string_view type) const {
  const api::Condition* c = Find(type);
  return c != nullptr && c->status == "True";
}

bool StatusUpdate::ApplyTo(Json& workspace, Time now) const {
  bool changed = false;
  for (const auto& [type, c] : conditions_) changed |= api::SetCondition(workspace, c, now);
  if (worker_nodes_ && kaito::WorkerNodes(workspace) != *worker_nodes_) {
    kaito::SetWorkerNodes(workspace, *worker_nodes_);
    changed = true;
  }
  return changed;
}

Status StatusUpdate::Write(api::KubeClient& client, const Json& cached, Time now,
                           int attempts_max, std::vector<api::Condition>* changed) const {
  Json probe = cached;
  if (!ApplyTo(probe, now)) return Status::Ok();
  const std::string ns = api::Namespace(cached);
  const std::string name = api::Name(cached);
  Status last;
  for (int attempt = 0; attempt < std::max(1, attempts_max); ++attempt) {
    auto fresh = client.Get(api::resources::kWorkspaces, ns, name);
    if (!fresh.ok()) {
      if (fresh.status().Is(StatusCode::kNotFound)) return Status::Ok();
      last = fresh.status();
    } else {
      Json next = *fresh;
      std::vector<api::Condition> before = api::Conditions(next);
      if (!ApplyTo(next, now)) return Status::Ok();
      auto written = client.Update(api::resources::kWorkspaces, ns, next, {.subresource = "status"});
      if (written.ok()) {
        if (changed != nullptr) {
          for (const auto& [type, c] : conditions_) {
            auto it = std::find_if(before.begin(), before.end(),
                                   [&](const api::Condition& b) { return b.type == type; });
            if (it == before.end() || it->status != c.status || it->reason != c.reason) {
              changed->push_back(c);
            }
          }
        }
        return Status::Ok();
      }
      last = written.status();
      if (last.Is(StatusCode::kNotFound)) return Status::Ok();
    }
    const bool retriable = last.Is(StatusCode::kConflict) || last.Is(StatusCode::kUnavailable) ||
                           last.Is(StatusCode::kTimeout) || last.Is(StatusCode::kTooManyRequests) ||
                           last.Is(StatusCode::kInternal);
    if (!retriable) break;
  }
  return last.Annotate("updating status of workspace " + ns + "/" + name);
}

}  // namespace kt::workspace
