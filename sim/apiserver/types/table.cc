// TypeRegistry::ToTable: meta.k8s.io/v1 Table for `kubectl get`, from the built-in printers or
// a CRD's additionalPrinterColumns, with ages formatted by the server.
#include "api/object.h"
#include "sim/apiserver/types/builtin_printers.h"
#include "sim/apiserver/types/jsonpath.h"
#include "sim/apiserver/types/registry_impl.h"
#include "sim/apiserver/types/type_registry.h"

namespace kt::sim {
namespace {

constexpr const char* kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

Json ColumnJson(const PrinterColumn& c) {
  return {{"name", c.name}, {"type", c.type}, {"format", c.format},
          {"description", c.description}, {"priority", c.priority}};
}

// One custom column's cell, as apiextensions-apiserver's table convertor computes it.
Json CustomCell(const PrinterColumn& c, const JsonPath* path, const Json& obj, Time now) {
  if (path == nullptr) return nullptr;
  const Json* v = path->First(obj);
  if (v == nullptr || v->is_null()) return nullptr;
  if (c.type == "string") return JsonPath::Text(*v);
  if (c.type == "integer") {
    if (v->is_number_integer()) return v->get<int64_t>();
    if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
    return nullptr;
  }
  if (c.type == "number") {
    if (v->is_number()) return v->get<double>();
    return nullptr;
  }
  if (c.type == "boolean") {
    if (v->is_boolean()) return v->get<bool>();
    return nullptr;
  }
  if (c.type == "date") {
    if (!v->is_string()) return nullptr;
    auto t = ParseRfc3339(v->get<std::string>());
    if (!t.ok()) return "<invalid>";
    return HumanDuration(now - *t);
  }
  return nullptr;
}

Json RowObject(const Json& obj, std::string_view include_object) {
  if (include_object == "Object") return obj;
  Json meta = obj.is_object() && obj.contains("metadata") ? obj["metadata"] : Json::object();
  if (meta.is_object()) meta.erase("managedFields");
  return {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta}};
}

}  // namespace

Json TypeRegistry::ToTable(const ResourceType& type, const std::vector<const Json*>& objects,
                           Time now, std::string_view include_object) const {
  const TypeEntry* e = impl_->Entry(type);
  std::vector<PrinterColumn> columns;
  std::function<Json(const Json&, Time)> row;
  const TablePrinter* printer =
      type.is_custom ? nullptr : FindBuiltinPrinter(type.gvr.group, type.kind);
  if (printer != nullptr) {
    columns = printer->columns;
    row = printer->row;
  } else {
    PrinterColumn name{"Name", "string", "name", kNameDescription, "", 0};
    columns.push_back(name);
    std::vector<PrinterColumn> extra;
    if (e != nullptr && !e->columns.empty()) {
      extra = e->columns;
    } else {
      extra.push_back({"Age", "date", "", "", ".metadata.creationTimestamp", 0});
    }
    auto paths = std::make_shared<std::vector<std::optional<JsonPath>>>();
    for (const PrinterColumn& c : extra) {
      auto p = JsonPath::Parse(c.json_path);
      paths->push_back(p.ok() ? std::optional<JsonPath>(std::move(p).value()) : std::nullopt);
      columns.push_back(c);
    }
    row = [extra, paths](const Json& obj, Time t) {
      Json cells = Json::array();
      cells.push_back(api::Name(obj));
      for (size_t i = 0; i < extra.size(); ++i) {
        const auto& p = (*paths)[i];
        cells.push_back(CustomCell(extra[i], p ? &*p : nullptr, obj, t));
      }
      return cells;
    };
  }
  Json defs = Json::array();
  for (const PrinterColumn& c : columns) defs.push_back(ColumnJson(c));
  Json rows = Json::array();
  for (const Json* obj : objects) {
    if (obj == nullptr) continue;
    Json r = {{"cells", row(*obj, now)}};
    if (printer != nullptr && type.gvr.group.empty() && type.kind == "Pod") {
      // Finished pods carry a Completed row condition, as kube-apiserver's printer adds.
      std::string phase = GetString(*obj, "status.phase");
      if (phase == "Succeeded" || phase == "Failed") {
        bool ok = phase == "Succeeded";
        r["conditions"] = Json::array({{{"type", "Completed"},
                                        {"status", "True"},
                                        {"reason", phase},
                                        {"message", ok ? "The pod has completed successfully."
                                                       : "The pod failed."}}});
      }
    }
    if (include_object != "None") r["object"] = RowObject(*obj, include_object);
    rows.push_back(std::move(r));
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", Json::object()},
          {"columnDefinitions", defs},
          {"rows", rows}};
}

}  // namespace kt::sim
