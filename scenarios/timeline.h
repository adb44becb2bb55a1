// Timeline: what a scenario's world did, in virtual time, as a person reads it: the fake AKS's
// VMs booting and going, core/v1 Events (first occurrence of each), and every condition
// transition of Workspaces and NodeClaims. It watches the API server through a KubeClient and
// is the FakeAks's VmObserver.
//
// Entries are kept in arrival order (the Env loop's order, so deterministic under SimEnv) up
// to entries_max; later ones are counted in dropped().
//
// Ownership: the KubeClient must outlive the Timeline. Thread-safety: none; callbacks arrive
// on the Env loop (SimEnv: the driving thread).
#ifndef KT_SCENARIOS_TIMELINE_H_
#define KT_SCENARIOS_TIMELINE_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/kube_client.h"
#include "base/env.h"
#include "base/json_fwd.h"
#include "base/status.h"
#include "sim/cloud/vm_observer.h"

namespace kt::scenarios {

struct TimelineEntry {
  Duration at{0};      // since the timeline started
  std::string source;  // "cloud", "event", "Workspace", "NodeClaim"
  std::string text;
};

class Timeline final : public sim::cloud::VmObserver {
 public:
  Timeline(Env& env, api::KubeClient& client, size_t entries_max);
  ~Timeline() override;

  Status Start();
  void Stop();

  // A line of the scenario's own ("apply", "delete", ...).
  void Note(std::string text);

  const std::vector<TimelineEntry>& entries() const { return entries_; }
  size_t dropped() const { return dropped_; }
  // "+MM:SS  source     text" lines of entries [from, to).
  std::string Render(size_t from = 0, size_t to = static_cast<size_t>(-1)) const;

  // VmObserver.
  void VmBooted(const sim::cloud::VmInfo& vm) override;
  void VmDeleted(const sim::cloud::VmInfo& vm) override;
  void VmEvicted(const sim::cloud::VmInfo& vm) override;

 private:
  void Add(std::string source, std::string text);
  void OnEvent(const api::WatchEvent& e);
  void OnConditions(const std::string& kind, const api::WatchEvent& e);

  Env& env_;
  api::KubeClient& client_;
  const size_t entries_max_;
  const Time start_;
  std::vector<TimelineEntry> entries_;
  size_t dropped_ = 0;
  // Last seen "type=status" per object key, per condition type.
  std::map<std::string, std::map<std::string, std::string>> conditions_;
  std::vector<std::unique_ptr<api::Watch>> watches_;
};

// "+MM:SS" (or "+H:MM:SS" past an hour).
std::string FormatOffset(Duration d);

}  // namespace kt::scenarios

#endif  // KT_SCENARIOS_TIMELINE_H_
