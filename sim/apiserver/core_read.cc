// Core: get and list (selectors, limit/continue over snapshots).
#include <algorithm>

#include "api/object.h"
#include "base/json.h"
#include "sim/apiserver/api_errors.h"
#include "base/base64.h"
#include "sim/apiserver/core.h"
#include "sim/apiserver/fault_sites.h"
#include "sim/apiserver/field_labels.h"

namespace kt::sim {

Result<std::shared_ptr<const Json>> Core::Get(const ResourceRef& ref, const api::GetOptions& options,
                                              const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  std::lock_guard<std::mutex> lock(mu_);
  ResourceRef r = ref;
  if (r.subresource.empty()) r.subresource = options.subresource;
  KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(r, "get"));
  if (r.name.empty()) return UnknownResourceError();
  if (!r.subresource.empty() && r.subresource != "status" && r.subresource != "scale") {
    return Status(StatusCode::kMethodNotAllowed,
                  "the server does not allow this method on the requested resource");
  }
  const StoredObject* so = store_.Get(type->storage_key, StoreKey(r.ns, r.name));
  if (so == nullptr) return NotFoundError(type->gvr, r.name);
  if (r.subresource == "scale") {
    KT_ASSIGN_OR_RETURN(Json scale, ScaleOfLocked(*type, *so->object));
    return std::make_shared<const Json>(std::move(scale));
  }
  return AtVersion(so->object, *type);
}

std::vector<std::string> Core::SelectableFieldsLocked(const ResourceType& type) const {
  std::vector<std::string> out;
  if (!type.is_custom || type.crd_name.empty()) return out;
  const ResourceType* crd_type = FindTypeLocked(api::resources::kCustomResourceDefinitions);
  if (crd_type == nullptr) return out;
  const StoredObject* crd = store_.Get(crd_type->storage_key, type.crd_name);
  if (crd == nullptr) return out;
  const Json* versions = FindPath(*crd->object, "spec.versions");
  if (versions == nullptr || !versions->is_array()) return out;
  for (const auto& v : *versions) {
    if (GetString(v, "name") != type.gvr.version) continue;
    const Json* fields = FindPath(v, "selectableFields");
    if (fields == nullptr || !fields->is_array()) continue;
    for (const auto& f : *fields) {
      std::string path = GetString(f, "jsonPath");
      if (!path.empty() && path[0] == '.') path.erase(0, 1);
      if (!path.empty()) out.push_back(path);
    }
  }
  return out;
}

Status Core::ParseSelectorsLocked(const ResourceType& type, const api::ListOptions& options,
                                  api::LabelSelector* labels, api::FieldSelector* fields) const {
  auto ls = api::LabelSelector::Parse(options.label_selector);
  if (!ls.ok()) return BadRequest(ls.status().message());
  *labels = std::move(*ls);
  auto fs = api::FieldSelector::Parse(options.field_selector);
  if (!fs.ok()) return BadRequest(fs.status().message());
  FieldLabelScope scope{type.gvr.group, type.gvr.resource, type.namespaced, type.is_custom,
                        SelectableFieldsLocked(type)};
  KT_RETURN_IF_ERROR(ValidateFieldSelector(scope, *fs));
  *fields = std::move(*fs);
  return Status::Ok();
}

bool Core::MatchesLocked(const ResourceType& type, const Json& obj,
                         const api::LabelSelector& labels, const api::FieldSelector& fields) const {
  if (!labels.empty() && !labels.MatchesObject(obj)) return false;
  if (!fields.empty() && !MatchesFieldSelector(type.gvr.group, type.gvr.resource, fields, obj)) {
    return false;
  }
  return true;
}

void Core::ExpireSnapshotsLocked() {
  Time now = env_.Now();
  std::erase_if(snapshots_, [&](const auto& kv) {
    return now - kv.second.created > options_.continue_token_ttl;
  });
  while (snapshots_.size() > options_.list_snapshots_max) snapshots_.erase(snapshots_.begin());
}

namespace {

constexpr char kContinueExpired[] =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.";

std::string EncodeContinue(uint64_t rv, const std::string& start, uint64_t snapshot) {
  Json j = {{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", start}, {"snap", snapshot}};
  std::string b = Base64Encode(DumpJson(j));
  for (auto& c : b) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

struct ContinueToken {
  uint64_t rv = 0;
  std::string start;
  uint64_t snapshot = 0;
};

Result<ContinueToken> DecodeContinue(const std::string& token) {
  auto raw = Base64Decode(token);
  if (!raw.ok()) return BadRequest("continue key is not valid: illegal base64 data");
  auto j = ParseJson(*raw);
  if (!j.ok() || !j->is_object() || GetString(*j, "v") != "meta.k8s.io/v1") {
    return BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  ContinueToken t;
  t.rv = static_cast<uint64_t>(GetInt(*j, "rv").value_or(0));
  t.start = GetString(*j, "start");
  t.snapshot = static_cast<uint64_t>(GetInt(*j, "snap").value_or(0));
  if (t.rv == 0) return BadRequest("continue key is not valid: incorrect encoded start resourceVersion");
  return t;
}

}  // namespace

Result<ListResult> Core::List(const ResourceRef& ref, const api::ListOptions& options,
                              const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  std::lock_guard<std::mutex> lock(mu_);
  KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(ref, "list"));
  if (!ref.name.empty()) return UnknownResourceError();
  api::LabelSelector labels;
  api::FieldSelector fields;
  KT_RETURN_IF_ERROR(ParseSelectorsLocked(*type, options, &labels, &fields));
  ExpireSnapshotsLocked();

  ListResult out;
  out.api_version = type->gvr.ApiVersion();
  out.kind = type->list_kind.empty() ? type->kind + "List" : type->list_kind;
  int64_t limit = options.limit;
  if (limit < 0) return BadRequest("limit must be non-negative");
  if (limit > options_.list_page_items_max) limit = options_.list_page_items_max;
  bool selective = !labels.empty() || !fields.empty();

  // The candidates, in key order: from a snapshot (continue) or the live store.
  std::vector<std::pair<std::string, std::shared_ptr<const Json>>> live;
  const std::vector<std::pair<std::string, std::shared_ptr<const Json>>>* items = &live;
  size_t begin = 0;
  uint64_t snapshot_id = 0;
  if (!options.continue_token.empty()) {
    KT_ASSIGN_OR_RETURN(ContinueToken tok, DecodeContinue(options.continue_token));
    auto it = snapshots_.find(tok.snapshot);
    if (it == snapshots_.end() || it->second.rv != tok.rv) {
      return Status(StatusCode::kGone, kContinueExpired);
    }
    std::string scope = type->storage_key + "|" + ref.ns;
    if (it->second.scope != scope) return BadRequest("continue key is not valid: it belongs to another list");
    items = &it->second.items;
    snapshot_id = tok.snapshot;
    out.resource_version = tok.rv;
    begin = std::upper_bound(items->begin(), items->end(), tok.start,
                             [](const std::string& k, const auto& e) { return k < e.first; }) -
            items->begin();
  } else {
    out.resource_version = rv_;
    store_.ForEachIn(type->storage_key, ref.ns, [&](const std::string& k, const StoredObject& so) {
      live.emplace_back(k, so.object);
    });
  }

  size_t i = begin;
  for (; i < items->size(); ++i) {
    const auto& [key, obj] = (*items)[i];
    if (!MatchesLocked(*type, *obj, labels, fields)) continue;
    if (limit > 0 && static_cast<int64_t>(out.items.size()) == limit) break;
    out.items.push_back(AtVersion(obj, *type));
  }
  if (i < items->size()) {
    // More remain: keep (or reuse) the snapshot and hand out a token.
    bool more = false;
    for (size_t j = i; j < items->size() && !more; ++j) {
      more = MatchesLocked(*type, *(*items)[j].second, labels, fields);
    }
    if (more) {
      if (snapshot_id == 0) {
        snapshot_id = next_snapshot_id_++;
        Snapshot snap;
        snap.rv = out.resource_version;
        snap.created = env_.Now();
        snap.scope = type->storage_key + "|" + ref.ns;
        snap.items = std::move(live);
        items = &snapshots_.emplace(snapshot_id, std::move(snap)).first->second.items;
        ExpireSnapshotsLocked();
      }
      const std::string& last_key = (*items)[i - 1].first;
      out.continue_token = EncodeContinue(out.resource_version, last_key, snapshot_id);
      if (!selective) out.remaining_item_count = static_cast<int64_t>(items->size() - i);
    }
  }
  return out;
}

Json ListToJson(const ListResult& list) {
  Json meta = {{"resourceVersion", std::to_string(list.resource_version)}};
  if (!list.continue_token.empty()) meta["continue"] = list.continue_token;
  if (list.remaining_item_count) meta["remainingItemCount"] = *list.remaining_item_count;
  Json items = Json::array();
  for (const auto& item : list.items) items.push_back(*item);
  return {{"apiVersion", list.api_version},
          {"kind", list.kind},
          {"metadata", std::move(meta)},
          {"items", std::move(items)}};
}

}  // namespace kt::sim
