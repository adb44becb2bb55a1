#include "scenarios/quickstart.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/object.h"
#include "api/resource.h"
#include "base/json.h"
#include "base/yaml.h"
#include "scenarios/world.h"

namespace kt::scenarios {

namespace res = api::resources;

namespace {

Duration ReadyMax(const QuickStartOptions& options, bool tuning) {
  if (options.ready_max > Duration::zero()) return options.ready_max;
  return tuning ? std::chrono::hours(6) : std::chrono::hours(2);
}

}  // namespace

Result<QuickStartReport> RunQuickStart(const QuickStartOptions& options) {
  std::ifstream in(options.example);
  if (!in) return NotFound("cannot read " + options.example);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  KT_ASSIGN_OR_RETURN(auto docs, ParseYamlDocuments(text));
  QuickStartReport report;
  report.seed = options.seed;
  for (const Json& d : docs) {
    if (GetString(d, "kind") == "Workspace") {
      report.workspace = api::Name(d);
      report.tuning = d.contains("tuning");
      break;
    }
  }
  if (report.workspace.empty()) return BadRequest(options.example + ": no Workspace in it");

  WorldOptions wo;
  wo.seed = options.seed;
  wo.crd_dir = options.crd_dir;
  wo.cloud_overlay = options.cloud_overlay;
  World world(wo);
  const Time start = world.env().Now();
  KT_RETURN_IF_ERROR(world.ApplyYaml(text).Annotate("kubectl apply -f " + options.example));

  const std::string done_condition = report.tuning ? "WorkspaceSucceeded" : "WorkspaceReady";
  report.ready = world.RunUntil([&] { return world.CondStatus(report.workspace, done_condition) == "True"; },
                                ReadyMax(options, report.tuning));
  report.time_to_ready = world.env().Now() - start;
  // The condition is read from the store; let the watchers (the timeline among them) see the
  // write that made it true before the report is cut.
  world.Run(std::chrono::seconds(1));
  const size_t ready_entries = world.timeline().entries().size();
  report.table = world.WorkspaceTable({report.workspace});
  if (!report.tuning) {
    if (auto svc = world.Get(res::kServices, "default", report.workspace)) {
      report.cluster_ip = GetString(*svc, "spec.clusterIPs.0");
      if (report.cluster_ip.empty() && (*svc)["spec"].contains("clusterIPs") &&
          !(*svc)["spec"]["clusterIPs"].empty()) {
        report.cluster_ip = (*svc)["spec"]["clusterIPs"][0].get<std::string>();
      }
    }
  }

  if (options.delete_after) {
    const Time deleted_at = world.env().Now();
    KT_RETURN_IF_ERROR(world.DeleteWorkspace(report.workspace));
    auto clean = [&] {
      return !world.Workspace(report.workspace) && world.NodeClaims(report.workspace).empty() &&
             world.PoolCount() == 0 && world.GpuNodes().empty();
    };
    report.deleted = world.RunUntil(clean, options.cleanup_max);
    report.time_to_clean = world.env().Now() - deleted_at;
    report.nodeclaims_left = world.NodeClaims(report.workspace).size();
    report.pools_left = world.PoolCount();
    report.nodes_left = world.GpuNodes().size();
  }
  report.reconciles = world.reconciles();
  report.timeline = world.timeline().Render(0, ready_entries);
  report.cleanup_timeline = world.timeline().Render(ready_entries);
  report.trace_lines = world.env().trace().lines();
  report.digest = world.digest();
  return report;
}

std::string FormatQuickStartReport(const QuickStartReport& r) {
  std::ostringstream out;
  out << "kaito-twin demo: the quick start in virtual time (seed=" << r.seed << ")\n\n"
      << "$ kubectl apply -f <example>   # Workspace " << r.workspace << "\n\n"
      << "Timeline (virtual time since apply):\n"
      << r.timeline << "\n";
  out << "$ kubectl get workspace " << r.workspace << "\n" << r.table << "\n";
  if (!r.ready) {
    out << "NOT READY after " << HumanDuration(r.time_to_ready) << " of virtual time\n";
  } else {
    out << (r.tuning ? "WorkspaceSucceeded" : "WorkspaceReady") << " after "
        << HumanDuration(r.time_to_ready) << " of virtual time\n";
  }
  if (!r.tuning) {
    out << "\n$ kubectl get svc " << r.workspace << " -o jsonpath=\"{.spec.clusterIPs[0]}\"\n"
        << (r.cluster_ip.empty() ? "<none>" : r.cluster_ip) << "\n";
  }
  out << "\n$ kubectl delete workspace " << r.workspace << "\n" << r.cleanup_timeline;
  if (r.deleted) {
    out << "workspace, NodeClaim, agent pool and Node gone after " << HumanDuration(r.time_to_clean)
        << "\n";
  } else {
    out << "left behind: " << r.nodeclaims_left << " NodeClaim(s), " << r.pools_left
        << " agent pool(s), " << r.nodes_left << " Node(s)\n";
  }
  out << "\nreconciles=" << r.reconciles << " trace_lines=" << r.trace_lines << "\n"
      << "seed=" << r.seed << " digest=" << r.digest << "\n";
  return out.str();
}

}  // namespace kt::scenarios
