// The registry of built-in table printers; the printers themselves live in
// printers_core.cc (core/v1), printers_workloads.cc (apps, batch) and printers_other.cc.
#include "sim/apiserver/types/builtin_printers.h"

#include <map>

#include "api/label_selector.h"
#include "api/object.h"

namespace kt::sim {

// Defined by the printers_*.cc files.
void RegisterCorePrinters(std::map<std::string, TablePrinter>& out);
void RegisterWorkloadPrinters(std::map<std::string, TablePrinter>& out);
void RegisterOtherPrinters(std::map<std::string, TablePrinter>& out);

const TablePrinter* FindBuiltinPrinter(std::string_view group, std::string_view kind) {
  static const std::map<std::string, TablePrinter>* printers = [] {
    auto* m = new std::map<std::string, TablePrinter>();
    RegisterCorePrinters(*m);
    RegisterWorkloadPrinters(*m);
    RegisterOtherPrinters(*m);
    return m;
  }();
  std::string key = std::string(group) + "/" + std::string(kind);
  auto it = printers->find(key);
  return it == printers->end() ? nullptr : &it->second;
}

std::string AgeSince(const Json& timestamp, Time now) {
  if (!timestamp.is_string()) return "<unknown>";
  auto t = ParseRfc3339(timestamp.get<std::string>());
  if (!t.ok()) return "<unknown>";
  return HumanDuration(now - *t);
}

std::string AgeOf(const Json& obj, Time now) {
  const Json* ts = FindPath(obj, "metadata.creationTimestamp");
  return ts == nullptr ? "<unknown>" : AgeSince(*ts, now);
}

PrinterColumn NameColumn() {
  return {"Name", "string", "name",
          "Name must be unique within a namespace. Is required when creating resources, although "
          "some resources may allow a client to request the generation of an appropriate name "
          "automatically. Name is primarily intended for creation idempotence and configuration "
          "definition. Cannot be updated. More info: "
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          "", 0};
}

PrinterColumn AgeColumn() {
  return {"Age", "string", "",
          "CreationTimestamp is a timestamp representing the server time when this object was "
          "created. It is not guaranteed to be set in happens-before order across separate "
          "operations. Clients may not set this value. It is represented in RFC3339 form and is "
          "in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
          "https://git.k8s.io/community/contributors/devel/sig-architecture/"
          "api-conventions.md#metadata",
          "", 0};
}

PrinterColumn Column(std::string name, std::string type, std::string description, int priority) {
  return {std::move(name), std::move(type), "", std::move(description), "", priority};
}

int64_t IntAt(const Json& obj, std::string_view dotted_path, int64_t fallback) {
  const Json* v = FindPath(obj, dotted_path);
  if (v == nullptr || !v->is_number()) return fallback;
  return v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
}

std::string StrAt(const Json& obj, std::string_view dotted_path) {
  return GetString(obj, dotted_path);
}

const Json& ArrayAt(const Json& obj, std::string_view dotted_path) {
  static const Json kEmpty = Json::array();
  const Json* v = FindPath(obj, dotted_path);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

namespace {
std::string JoinField(const Json& list, const char* field) {
  std::string out;
  for (const Json& c : list) {
    if (!out.empty()) out += ",";
    out += GetString(c, field);
  }
  return out;
}
}  // namespace

std::string ContainerNames(const Json& containers) { return JoinField(containers, "name"); }
std::string ContainerImages(const Json& containers) { return JoinField(containers, "image"); }

std::string SelectorString(const Json& selector) {
  if (!selector.is_object()) return "";
  auto s = api::LabelSelector::FromJson(selector);
  if (!s.ok()) return "<error>";
  return s->ToString();
}

std::string FormatLabels(const Json& labels) {
  if (!labels.is_object() || labels.empty()) return "<none>";
  std::string out;
  for (const auto& [k, v] : labels.items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string CreatedAt(const Json& obj) {
  std::string ts = GetString(obj, "metadata.creationTimestamp");
  auto t = ParseRfc3339(ts);
  return t.ok() ? FormatRfc3339(*t) : ts;
}

}  // namespace kt::sim
