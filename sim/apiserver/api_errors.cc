#include "sim/apiserver/api_errors.h"

#include "base/json.h"

namespace kt::sim {

namespace {
std::string Quoted(std::string_view gr, std::string_view name) {
  std::string s(gr);
  s += " \"";
  s += name;
  s += '"';
  return s;
}
}  // namespace

Status NotFoundError(const api::GroupVersionResource& gvr, std::string_view name) {
  return NotFound(Quoted(gvr.GroupResource(), name) + " not found");
}

Status AlreadyExistsError(const api::GroupVersionResource& gvr, std::string_view name) {
  return AlreadyExists(Quoted(gvr.GroupResource(), name) + " already exists");
}

Status ConflictError(const api::GroupVersionResource& gvr, std::string_view name) {
  return ConflictErrorWith(gvr, name,
                           "the object has been modified; please apply your changes to the "
                           "latest version and try again");
}

Status ConflictErrorWith(const api::GroupVersionResource& gvr, std::string_view name,
                         std::string_view reason) {
  std::string m = "Operation cannot be fulfilled on " + Quoted(gvr.GroupResource(), name) + ": ";
  m += reason;
  return Conflict(std::move(m));
}

Status InvalidError(std::string_view kind, std::string_view group, std::string_view name,
                    std::string_view field_errors) {
  std::string gk(kind);
  if (!group.empty()) {
    gk += '.';
    gk += group;
  }
  return Invalid(Quoted(gk, name) + " is invalid: " + std::string(field_errors));
}

Status UnknownResourceError() { return NotFound("the server could not find the requested resource"); }

Status UnavailableError() {
  return Unavailable("the server is currently unable to handle the request");
}

namespace {
Json Details(std::string_view name, std::string_view group, std::string_view kind,
             std::string_view uid) {
  Json d = Json::object();
  if (!name.empty()) d["name"] = name;
  if (!group.empty()) d["group"] = group;
  if (!kind.empty()) d["kind"] = kind;
  if (!uid.empty()) d["uid"] = uid;
  return d;
}
}  // namespace

Json StatusJson(const Status& status, std::string_view name, std::string_view group,
                std::string_view kind, std::string_view uid) {
  Json j = {{"kind", "Status"},
            {"apiVersion", "v1"},
            {"metadata", Json::object()},
            {"status", "Failure"},
            {"message", status.message()},
            {"reason", std::string(status.reason())},
            {"code", HttpCodeOf(status.code())}};
  Json d = Details(name, group, kind, uid);
  if (status.retry_after_seconds() > 0) d["retryAfterSeconds"] = status.retry_after_seconds();
  if (!d.empty()) j["details"] = std::move(d);
  return j;
}

Json SuccessStatusJson(std::string_view name, std::string_view group, std::string_view kind,
                       std::string_view uid) {
  Json j = {{"kind", "Status"},
            {"apiVersion", "v1"},
            {"metadata", Json::object()},
            {"status", "Success"}};
  Json d = Details(name, group, kind, uid);
  if (!d.empty()) j["details"] = std::move(d);
  return j;
}

}  // namespace kt::sim
