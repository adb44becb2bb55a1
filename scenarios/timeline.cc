#include "scenarios/timeline.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/object.h"
#include "api/resource.h"
#include "base/json.h"

namespace kt::scenarios {

namespace res = api::resources;

std::string FormatOffset(Duration d) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "+%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>((s / 60) % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "+%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

Timeline::Timeline(Env& env, api::KubeClient& client, size_t entries_max)
    : env_(env), client_(client), entries_max_(entries_max), start_(env.Now()) {}

Timeline::~Timeline() { Stop(); }

Status Timeline::Start() {
  auto watch = [&](const api::GroupVersionResource& gvr,
                   std::function<void(const api::WatchEvent&)> fn) -> Status {
    api::ListOptions lo;
    auto w = client_.StartWatch(gvr, "", lo, std::move(fn), [](Status) {});
    if (!w.ok()) return w.status().Annotate("timeline watch " + gvr.resource);
    watches_.push_back(std::move(w).value());
    return Status::Ok();
  };
  KT_RETURN_IF_ERROR(watch(res::kEvents, [this](const api::WatchEvent& e) { OnEvent(e); }));
  KT_RETURN_IF_ERROR(watch(res::kWorkspacesV1alpha1, [this](const api::WatchEvent& e) {
    OnConditions("Workspace", e);
  }));
  KT_RETURN_IF_ERROR(watch(res::kNodeClaims, [this](const api::WatchEvent& e) {
    OnConditions("NodeClaim", e);
  }));
  return Status::Ok();
}

void Timeline::Stop() {
  for (auto& w : watches_) w->Stop();
  watches_.clear();
}

void Timeline::Note(std::string text) { Add("scenario", std::move(text)); }

void Timeline::Add(std::string source, std::string text) {
  if (entries_.size() >= entries_max_) {
    ++dropped_;
    return;
  }
  entries_.push_back({env_.Now() - start_, std::move(source), std::move(text)});
}

void Timeline::OnEvent(const api::WatchEvent& e) {
  if (e.type != api::WatchEvent::Type::kAdded) return;  // repeats only bump `count`
  const Json& ev = e.object;
  std::string who = GetString(ev, "involvedObject.kind") + "/" + GetString(ev, "involvedObject.name");
  std::string text = GetString(ev, "type") + " " + GetString(ev, "reason") + " " + who + ": " +
                     GetString(ev, "message");
  Add("event", std::move(text));
}

void Timeline::OnConditions(const std::string& kind, const api::WatchEvent& e) {
  const std::string key = kind + "/" + api::KeyOf(e.object);
  if (e.type == api::WatchEvent::Type::kDeleted) {
    conditions_.erase(key);
    Add(kind, api::Name(e.object) + " deleted");
    return;
  }
  if (e.type != api::WatchEvent::Type::kAdded && e.type != api::WatchEvent::Type::kModified) return;
  auto& seen = conditions_[key];
  if (e.type == api::WatchEvent::Type::kAdded && seen.empty()) {
    Add(kind, api::Name(e.object) + " created");
  }
  for (const api::Condition& c : api::Conditions(e.object)) {
    std::string value = c.status + "/" + c.reason;
    auto it = seen.find(c.type);
    if (it != seen.end() && it->second == value) continue;
    seen[c.type] = value;
    std::string text = api::Name(e.object) + " " + c.type + "=" + c.status;
    if (!c.reason.empty()) text += " (" + c.reason + ")";
    if (!c.message.empty() && c.status != "True") text += ": " + c.message;
    Add(kind, std::move(text));
  }
}

void Timeline::VmBooted(const sim::cloud::VmInfo& vm) {
  Add("cloud", "VM " + vm.vm_name + " (" + vm.sku + ") booted in pool " + vm.pool);
}
void Timeline::VmDeleted(const sim::cloud::VmInfo& vm) {
  Add("cloud", "VM " + vm.vm_name + " deleted from pool " + vm.pool);
}
void Timeline::VmEvicted(const sim::cloud::VmInfo& vm) {
  Add("cloud", "VM " + vm.vm_name + " evicted from pool " + vm.pool);
}

std::string Timeline::Render(size_t from, size_t to) const {
  std::ostringstream out;
  to = std::min(to, entries_.size());
  for (size_t i = from; i < to; ++i) {
    const TimelineEntry& e = entries_[i];
    std::string src = e.source;
    if (src.size() < 10) src.resize(10, ' ');
    out << FormatOffset(e.at) << "  " << src << " " << e.text << "\n";
  }
  if (to == entries_.size() && dropped_ > 0) out << "(" << dropped_ << " more entries not kept)\n";
  return out.str();
}

}  // namespace kt::scenarios
