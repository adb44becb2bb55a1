// Core: create, update (PUT) and patch, from preparation through admission to commit.
#include <array>
#include <type_traits>

#include "api/object.h"
#include "base/json.h"
#include "base/yaml.h"
#include "sim/apiserver/api_errors.h"
#include "sim/apiserver/core.h"
#include "sim/apiserver/fault_sites.h"
#include "sim/apiserver/object_identity.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {

// Member keys and the literals std::strings are compared with on the write path are string
// views: nlohmann makes a std::string of a C string key on every lookup, and comparing a
// std::string with a C string measures the latter each time.
using std::string_view_literals::operator""sv;

namespace {

constexpr int kAdmissionRetriesMax = 5;
constexpr size_t kGenerateNameBaseMax = 58;  // 63 - the 5-character suffix

bool IsCore(const ResourceType& t, std::string_view resource) {
  return t.gvr.group.empty() && t.gvr.resource == resource;
}

// What a write to `subresource` admits alone: a status write takes everything but status from
// the stored object (see TypeRegistry::Admit).
std::string_view StatusOnly(std::string_view subresource) {
  return subresource == "status" ? "status" : "";
}

std::string FieldValidationOf(const api::WriteOptions& o) {
  return o.field_validation.empty() ? "Warn" : o.field_validation;
}

Status SlowResponse() {
  return Timeout("Timeout: request did not complete within requested timeout - context deadline "
                 "exceeded (fault " + std::string(faults::kSlowResponse.name) + ")");
}

// The metadata fields only the server sets.
constexpr std::array<std::string_view, 6> kServerSetMeta = {
    "creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp",
    "generation",        "resourceVersion",            "uid"};
constexpr size_t kDeletionTimestamp = 2;
constexpr size_t kGeneration = 3;
constexpr size_t kResourceVersion = 4;
constexpr size_t kUid = 5;

// Where each of kServerSetMeta's fields is in an object's metadata (null where absent), found in
// one pass over its members: an update's metadata checks read six fields of two objects, which
// one lookup each searched for anew.
template <typename J>  // Json or const Json
struct ServerSetFields {
  explicit ServerSetFields(J& meta) {
    if (!meta.is_object()) return;
    for (auto& [key, value] : meta.template get_ref<std::conditional_t<
             std::is_const_v<J>, const Json::object_t&, Json::object_t&>>()) {
      for (size_t k = 0; k < kServerSetMeta.size(); ++k) {
        if (SameText(key, kServerSetMeta[k])) {  // lengths first: most keys differ at once
          at[k] = &value;
          break;
        }
      }
    }
  }
  // The string value of field k in place; empty when absent or not a string.
  std::string_view Text(size_t k) const {
    return at[k] != nullptr && at[k]->is_string()
               ? std::string_view(at[k]->template get_ref<const std::string&>())
               : std::string_view();
  }
  // api::IsDeleting and api::Generation, read from the fields found.
  bool Deleting() const {
    return at[kDeletionTimestamp] != nullptr && !at[kDeletionTimestamp]->is_null();
  }
  int64_t Generation() const {
    const J* g = at[kGeneration];
    return g != nullptr && g->is_number_integer() ? g->template get<int64_t>() : 0;
  }
  std::array<J*, kServerSetMeta.size()> at{};
};

// Checks the object's kind (and apiVersion, when asked) against the type and sets both.
Status SetTypeMeta(const ResourceType& type, Json& obj, bool check_api_version) {
  const std::string_view av = MemberStringView(obj, "apiVersion");
  const std::string_view kind = MemberStringView(obj, "kind");
  const bool same_api_version = type.gvr.IsApiVersion(av);
  if (check_api_version && !av.empty() && !same_api_version) {
    return BadRequest("the API version in the data (" + std::string(av) +
                      ") does not match the expected API version (" + type.gvr.ApiVersion() + ")");
  }
  if (!kind.empty() && kind != type.kind) {
    return BadRequest("the kind in the data (" + std::string(kind) +
                      ") does not match the expected kind (" + type.kind + ")");
  }
  // Written only where they differ; decided first, as an insert moves the members viewed.
  const bool set_kind = kind.empty();
  if (!same_api_version) obj["apiVersion"] = type.gvr.ApiVersion();
  if (set_kind) obj["kind"] = type.kind;
  return Status::Ok();
}

// QoS class of a pod from its containers' requests and limits.
std::string PodQosClass(const Json& pod) {
  const Json* containers = FindPath(pod, "spec.containers");
  if (containers == nullptr || !containers->is_array()) return "BestEffort";
  bool any = false, guaranteed = true;
  for (const auto& c : *containers) {
    const Json* req = FindPath(c, "resources.requests");
    const Json* lim = FindPath(c, "resources.limits");
    if ((req && req->is_object() && !req->empty()) || (lim && lim->is_object() && !lim->empty())) {
      any = true;
    }
    for (const char* r : {"cpu", "memory"}) {
      const Json* l = lim && lim->is_object() && lim->contains(r) ? &(*lim)[r] : nullptr;
      const Json* q = req && req->is_object() && req->contains(r) ? &(*req)[r] : nullptr;
      if (l == nullptr || (q != nullptr && *q != *l)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

}  // namespace

AdmissionRequest Core::Pending::Request() const {
  AdmissionRequest r;
  r.operation = op;
  r.resource = ref.gvr;
  r.kind = gvk;
  r.subresource = ref.subresource;
  r.ns = ref.ns;
  r.name = ref.name.empty() ? api::Name(object) : ref.name;
  r.object = op == AdmissionOperation::kDelete ? nullptr : &object;
  r.old_object = old ? old.get() : nullptr;
  r.dry_run = dry_run;
  r.user = user;
  return r;
}

Status Core::SchemaLocked(const ResourceType& type, Json& obj, std::string_view field_validation,
                          std::vector<std::string>* warnings, std::string_view only_member,
                          const Json* stored) {
  // Unknown fields per fieldValidation, pruning, defaulting, then the schema and metadata rules.
  ValidationResult vr = types_.Admit(type, obj, field_validation, only_member, stored);
  if (!vr.status.ok()) return vr.status;
  if (warnings) warnings->insert(warnings->end(), vr.warnings.begin(), vr.warnings.end());
  auto errs = OwnerReferenceErrors(obj);
  if (!errs.empty()) return InvalidError(type.kind, type.gvr.group, api::Name(obj), JoinFieldErrors(errs));
  return Status::Ok();
}

Status Core::KindSpecificCreateLocked(const ResourceType& type, Json& obj) {
  const std::string& kind = type.kind;
  if (IsCore(type, "namespaces")) {
    obj["spec"]["finalizers"] = Json::array({"kubernetes"});
    obj["status"] = {{"phase", "Active"}};
    obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = api::Name(obj);
  } else if (IsCore(type, "pods")) {
    obj["status"] = {{"phase", "Pending"}, {"qosClass", PodQosClass(obj)}};
  } else if (IsCore(type, "services")) {
    obj["status"] = {{"loadBalancer", Json::object()}};
    KT_RETURN_IF_ERROR(services_.Assign(obj, nullptr)
                           .Annotate(kind + " \"" + api::Name(obj) + "\" is invalid"));
  } else if (type.gvr.group == "apiextensions.k8s.io"sv &&
             type.gvr.resource == "customresourcedefinitions"sv) {
    KT_RETURN_IF_ERROR(PrepareCrdLocked(obj, nullptr));
  }
  return Status::Ok();
}

Status Core::PrepareCreateLocked(const ResourceType& type, const ResourceRef& ref, Json& obj,
                                 const api::WriteOptions& options,
                                 std::vector<std::string>* warnings) {
  if (!obj.is_object()) return BadRequest("the object to create must be a JSON object");
  KT_RETURN_IF_ERROR(SetTypeMeta(type, obj, /*check_api_version=*/true));
  Json& meta = obj["metadata"sv];
  if (!meta.is_object()) meta = Json::object();
  if (type.namespaced) {
    const std::string_view ns = MemberStringView(meta, "namespace");
    if (ns.empty()) meta["namespace"sv] = ref.ns;
    else if (ns != ref.ns) {
      return BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    KT_RETURN_IF_ERROR(CheckNamespaceForCreateLocked(ref.ns));
  } else {
    meta.erase("namespace");
  }
  if (!MemberStringView(meta, "resourceVersion").empty()) {
    return Internal("resourceVersion should not be set on objects to be created");
  }
  if (type.is_custom && terminating_crds_.count(type.storage_key)) {
    return Status(StatusCode::kMethodNotAllowed,
                  "create not allowed while custom resource definition is terminating");
  }
  if (MemberStringView(meta, "name").empty()) {
    const std::string generate(
        MemberStringView(meta, "generateName").substr(0, kGenerateNameBaseMax));
    if (!generate.empty()) meta["name"sv] = generate + GenerateNameSuffix(*rng_);
  }
  // What only the server sets goes, if the client sent it. A client mostly sends none of it:
  // one pass finds out, where an erase per field searched for each. (An erase moves the members
  // `sent` points at; only whether it found each is read.)
  const ServerSetFields<Json> sent(meta);
  for (size_t k = 0; k < kServerSetMeta.size(); ++k) {
    if (sent.at[k] != nullptr) meta.erase(kServerSetMeta[k]);
  }
  meta.erase("selfLink");

  // What clients cannot set on create: the status of kinds with a status subresource.
  if (type.is_custom && type.has_status) obj.erase("status");
  if (!type.is_custom && (type.gvr.group == "apps"sv || type.gvr.group == "batch"sv)) {
    obj.erase("status");
  }
  // Admitted before the server's own fields are set: they are valid by construction, and the
  // ObjectMeta walk would parse the timestamp it just wrote.
  KT_RETURN_IF_ERROR(SchemaLocked(type, obj, FieldValidationOf(options), warnings));
  // The server's own fields are merged into metadata in one pass (none of them is there: what
  // a client sent of them was erased above), into an array with room for what the commit adds
  // (managedFields, resourceVersion): each member moves once, where an insert each searched,
  // shifted and regrew.
  std::array<std::pair<std::string_view, Json>, 3> own = {{
      {"creationTimestamp"sv, FormatRfc3339(env_.Now())},
      {"generation"sv, 1},
      {"uid"sv, NewUid(*rng_)},
  }};
  auto& members = obj["metadata"sv].get_ref<Json::object_t&>();
  Json::object_t merged;
  merged.reserve(members.size() + own.size() + 2);
  auto next = own.begin();
  for (auto& member : members) {
    for (; next != own.end() && CompareKeys(next->first, member.first) < 0; ++next) {
      merged.emplace_back(std::string(next->first), std::move(next->second));
    }
    merged.emplace_back(std::move(member));
  }
  for (; next != own.end(); ++next) {
    merged.emplace_back(std::string(next->first), std::move(next->second));
  }
  members = std::move(merged);
  return KindSpecificCreateLocked(type, obj);
}

Status Core::PrepareUpdateLocked(const ResourceType& type, const ResourceRef& ref, const Json& old,
                                 Json& obj, const api::WriteOptions& options, bool from_patch,
                                 std::vector<std::string>* warnings) {
  if (!obj.is_object()) return BadRequest("the object to update must be a JSON object");
  KT_RETURN_IF_ERROR(SetTypeMeta(type, obj, /*check_api_version=*/!from_patch));
  Json& meta = obj["metadata"sv];
  if (!meta.is_object()) meta = Json::object();
  const std::string_view name = MemberStringView(meta, "name");
  if (name.empty()) meta["name"sv] = ref.name;
  else if (name != ref.name) {
    return BadRequest("the name of the object (" + std::string(name) +
                      ") does not match the name on the URL (" + ref.name + ")");
  }
  if (type.namespaced) {
    const std::string_view ns = MemberStringView(meta, "namespace");
    if (ns.empty()) meta["namespace"sv] = ref.ns;
    else if (ns != ref.ns) {
      return BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  } else {
    meta.erase("namespace");
  }
  const Json& old_meta = old["metadata"sv];
  const ServerSetFields<Json> mine(meta);
  const ServerSetFields<const Json> stored(old_meta);
  const std::string_view rv = mine.Text(kResourceVersion);
  const std::string_view old_rv = stored.Text(kResourceVersion);
  if (rv.empty()) {
    if (type.is_custom && !from_patch) {
      return InvalidError(type.kind, type.gvr.group, ref.name,
                          "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
    }
  } else if (rv != old_rv) {
    return ConflictError(type.gvr, ref.name);
  }
  const std::string_view uid = mine.Text(kUid);
  const std::string_view old_uid = stored.Text(kUid);
  if (!uid.empty() && uid != old_uid) {
    return ConflictErrorWith(type.gvr, ref.name,
                             "Precondition failed: UID in precondition: " + std::string(old_uid) +
                                 ", UID in object meta: " + std::string(uid));
  }
  // The fields only the server sets, from the stored object (assigned only where they differ:
  // a client sending back what it read changes none of them). In place first, while `mine`'s
  // pointers hold; then the inserts and erases, which move metadata's members.
  for (size_t k = 0; k < kServerSetMeta.size(); ++k) {
    if (mine.at[k] != nullptr && stored.at[k] != nullptr && !SameJson(*mine.at[k], *stored.at[k])) {
      *mine.at[k] = *stored.at[k];
    }
  }
  for (size_t k = 0; k < kServerSetMeta.size(); ++k) {
    if (stored.at[k] == nullptr) {
      if (mine.at[k] != nullptr) meta.erase(kServerSetMeta[k]);
    } else if (mine.at[k] == nullptr) {
      meta[kServerSetMeta[k]] = *stored.at[k];
    }
  }

  const std::string& sub = ref.subresource;
  if (sub == "status"sv) {
    // Everything but status from the stored object (without copying its old status), the
    // status from the request.
    Json next = Json::object();
    for (auto it = old.begin(); it != old.end(); ++it) {
      if (it.key() != "status") next[it.key()] = it.value();
    }
    if (auto st = obj.find("status"); st != obj.end()) next["status"sv] = std::move(*st);
    next["apiVersion"sv] = obj["apiVersion"sv];
    obj = std::move(next);
  } else if (type.has_status) {
    if (old.contains("status")) obj["status"sv] = old["status"sv];
    else obj.erase("status");
  }
  if (stored.Deleting()) {
    auto before = api::Finalizers(old);
    std::vector<std::string> added;
    for (const auto& f : api::Finalizers(obj)) {
      if (std::find(before.begin(), before.end(), f) == before.end()) added.push_back(f);
    }
    if (!added.empty()) {
      std::string list;
      for (const auto& f : added) list += (list.empty() ? "\"" : ", \"") + f + "\"";
      return InvalidError(type.kind, type.gvr.group, ref.name,
                          "metadata.finalizers: Forbidden: no new finalizers can be added if the "
                          "object is being deleted, found new finalizers []string{" + list + "}");
    }
  }
  if (IsCore(type, "namespaces") && sub != "finalize"sv) {
    if (const Json* sf = FindPath(old, "spec.finalizers")) obj["spec"sv]["finalizers"sv] = *sf;
    if (sub != "status"sv && old.contains("status")) obj["status"sv] = old["status"sv];
  }
  KT_RETURN_IF_ERROR(
      SchemaLocked(type, obj, FieldValidationOf(options), warnings, StatusOnly(sub), &old));
  if (IsCore(type, "services") && sub.empty()) {
    KT_RETURN_IF_ERROR(services_.Assign(obj, &old).Annotate("Service \"" + ref.name + "\" is invalid"));
  }
  if (type.gvr.group == "apiextensions.k8s.io"sv &&
      type.gvr.resource == "customresourcedefinitions"sv) {
    KT_RETURN_IF_ERROR(PrepareCrdLocked(obj, &old));
  }
  if (sub.empty() && SpecChanged(old, obj)) {
    const int64_t generation = stored.Generation() + 1;
    Json* g = FindMutableMember(obj["metadata"sv], "generation");  // copied from `old` above
    if (g != nullptr) *g = generation;
    else obj["metadata"sv]["generation"sv] = generation;
  }
  return Status::Ok();
}

Result<Json> Core::ApplyPatchLocked(const ResourceType& type, const Json& current,
                                    api::PatchType patch_type, std::string_view patch) {
  auto parsed = ParseJson(patch);
  if (!parsed.ok()) return BadRequest("error decoding patch: " + parsed.status().message());
  switch (patch_type) {
    case api::PatchType::kMerge:
      if (!parsed->is_object()) return BadRequest("error decoding patch: the patch must be a JSON object");
      return ApplyMergePatch(current, *parsed);
    case api::PatchType::kJson:
      if (!parsed->is_array()) return BadRequest("error decoding patch: a JSON patch must be a list of operations");
      return ApplyJsonPatch(current, *parsed);
    case api::PatchType::kStrategicMerge:
      if (!parsed->is_object()) return BadRequest("error decoding patch: the patch must be a JSON object");
      return ApplyStrategicMergePatch(types_, type, current, *parsed);
    case api::PatchType::kApply:
      break;
  }
  return BadRequest("unsupported patch type");
}

// One write: create (no current object), update (body), or patch (patch_type). Admission runs
// between preparation and commit without the lock; if the object changed meanwhile, patches
// are recomputed (bounded) and updates fail with Conflict, as kube-apiserver's optimistic
// GuaranteedUpdate does.
Result<WriteResult> Core::WriteObject(const ResourceRef& ref, std::optional<Json> body,
                                      std::optional<api::PatchType> patch_type,
                                      std::string_view patch, const api::WriteOptions& options,
                                      const RequestContext& ctx) {
  const bool is_patch = patch_type.has_value();
  const bool is_apply = is_patch && *patch_type == api::PatchType::kApply;
  Json apply_config;
  if (is_apply) {
    if (options.field_manager.empty()) {
      return BadRequest("PATCH " + ref.gvr.ObjectPath(ref.ns, ref.name, ref.subresource) +
                        ": fieldManager is required for apply requests");
    }
    auto cfg = ParseYaml(patch);
    if (!cfg.ok()) return BadRequest("error decoding YAML: " + cfg.status().message());
    if (!cfg->is_object()) return BadRequest("error decoding YAML: the applied configuration must be an object");
    apply_config = std::move(*cfg);
  }
  // An update carrying a resourceVersion is conditional: if the object moves on while admission
  // runs it fails with Conflict rather than being recomputed, so its body is needed only once.
  const bool conditional_update =
      body && !MemberStringView(FindMember(*body, "metadata"), "resourceVersion").empty();
  for (int attempt = 0; attempt < kAdmissionRetriesMax; ++attempt) {
    Pending p;  // what admission needs of the request is filled in only when it runs
    p.dry_run = options.dry_run;
    WriteResult result;
    bool creating = false;
    bool committed = false;  // done within the first critical section (no admission configured)
    {
      std::lock_guard<std::mutex> lock(mu_);
      const bool admission = AdmissionConfiguredLocked();
      const bool is_create_call = !is_patch && ref.name.empty();
      const char* verb = is_create_call ? "create" : is_patch ? "patch" : "update";
      KT_ASSIGN_OR_RETURN(const ResourceType* type, ResolveLocked(ref, verb));
      p.namespaced = type->namespaced;
      // A create's key is the name its body gives (if it gives one; admission keeps it): the
      // store's slot for it is fetched now, to be read after admission (AlreadyExists) without
      // waiting for memory.
      const std::string_view body_name =
          is_create_call ? MemberStringView(FindMember(*body, "metadata"), "name") : ref.name;
      const std::string key = StoreKey(ref.ns, body_name);
      if (is_create_call && !body_name.empty()) store_.Prefetch(type->storage_key, key);
      const StoredObject* cur = is_create_call ? nullptr : store_.Get(type->storage_key, key);

      if (is_create_call) {
        creating = true;
        p.op = AdmissionOperation::kCreate;
        p.object = std::move(*body);  // a create is never retried
        KT_RETURN_IF_ERROR(PrepareCreateLocked(*type, ref, p.object, options, &result.warnings));
        UpdateManagedFields(types_, *type, Json(), p.object, options.field_manager, ref.subresource,
                            env_.Now());
      } else if (cur == nullptr) {
        if (!is_apply || !ref.subresource.empty()) return NotFoundError(type->gvr, ref.name);
        // Server-side apply creates what does not exist.
        creating = true;
        p.op = AdmissionOperation::kCreate;
        ApplyRequest ar{options.field_manager, options.force, env_.Now(), ref.subresource};
        KT_ASSIGN_OR_RETURN(p.object, ServerSideApply(types_, *type, Json(), apply_config, ar));
        if (api::Name(p.object).empty()) p.object["metadata"]["name"] = ref.name;
        if (api::Name(p.object) != ref.name) {
          return BadRequest("the name of the object (" + api::Name(p.object) +
                            ") does not match the name on the URL (" + ref.name + ")");
        }
        Json managed = p.object["metadata"].value("managedFields", Json());
        KT_RETURN_IF_ERROR(PrepareCreateLocked(*type, ref, p.object, options, &result.warnings));
        if (!managed.is_null()) p.object["metadata"]["managedFields"] = managed;
      } else {
        p.op = AdmissionOperation::kUpdate;
        p.old_rv = cur->rv;
        // The stored object as the request's version shows it (a copy only when they differ).
        std::shared_ptr<const Json> converted;
        if (!IsAtVersion(*cur->object, *type)) converted = AtVersion(cur->object, *type);
        const Json& current = converted ? *converted : *cur->object;
        if (ref.subresource == "scale"sv) {
          KT_ASSIGN_OR_RETURN(Json scale, ScaleOfLocked(*type, current));
          Json next_scale;
          if (is_patch) {
            if (is_apply) return Status(StatusCode::kUnsupportedMediaType, "apply is not supported on the scale subresource");
            KT_ASSIGN_OR_RETURN(next_scale, ApplyPatchLocked(*type, scale, *patch_type, patch));
          } else {
            next_scale = *body;
            std::string srv = GetString(next_scale, "metadata.resourceVersion");
            if (!srv.empty() && srv != std::to_string(cur->rv)) return ConflictError(type->gvr, ref.name);
          }
          KT_ASSIGN_OR_RETURN(p.object, ApplyScaleLocked(*type, current, next_scale));
          ResourceRef main = ref;
          main.subresource.clear();
          KT_RETURN_IF_ERROR(PrepareUpdateLocked(*type, main, current, p.object, options, true,
                                                 &result.warnings));
          UpdateManagedFields(types_, *type, current, p.object, options.field_manager, "scale",
                              env_.Now());
        } else if (is_apply) {
          ApplyRequest ar{options.field_manager, options.force, env_.Now(), ref.subresource};
          KT_ASSIGN_OR_RETURN(p.object, ServerSideApply(types_, *type, current, apply_config, ar));
          Json managed = p.object["metadata"].value("managedFields", Json());
          KT_RETURN_IF_ERROR(PrepareUpdateLocked(*type, ref, current, p.object, options, true,
                                                 &result.warnings));
          if (!managed.is_null()) p.object["metadata"]["managedFields"] = managed;
        } else {
          if (is_patch) {
            KT_ASSIGN_OR_RETURN(p.object, ApplyPatchLocked(*type, current, *patch_type, patch));
          } else if (admission && !conditional_update) {
            p.object = *body;  // kept: a retry after admission starts from the body again
          } else {
            p.object = std::move(*body);  // used once: committed or refused, never retried
          }
          KT_RETURN_IF_ERROR(PrepareUpdateLocked(*type, ref, current, p.object, options, is_patch,
                                                 &result.warnings));
          UpdateManagedFields(types_, *type, current, p.object, options.field_manager,
                              ref.subresource, env_.Now());
        }
      }

      if (admission) {
        p.ref = ref;
        if (p.ref.name.empty()) p.ref.name = api::Name(p.object);  // a create's
        p.gvk = type->gvk();
        p.user = ctx.user;
        if (cur != nullptr) p.old = cur->object;
        CollectWebhooksLocked(p);
      } else {
        // No admission: commit in this same critical section.
        if (p.dry_run) {
          if (creating) p.object["metadata"].erase("resourceVersion");
          result.object = std::make_shared<const Json>(std::move(p.object));
          result.created = creating;
          return result;
        }
        if (creating) {
          const std::string k =
              is_create_call && !body_name.empty()
                  ? key
                  : StoreKey(ref.ns, MemberStringView(FindMember(p.object, "metadata"), "name"));
          if (store_.Get(type->storage_key, k) != nullptr) return AlreadyExistsError(type->gvr, api::Name(p.object));
          if (IsCore(*type, "services")) KT_RETURN_IF_ERROR(services_.Assign(p.object, nullptr));
          result.object = CommitCreateLocked(*type, k, std::move(p.object));
          result.created = true;
        } else if (SameIgnoringBookkeeping(*cur->object, p.object)) {
          result.object = AtVersion(cur->object, *type);
        } else {
          result.object = AtVersion(CommitUpdateLocked(*type, key, std::move(p.object)), *type);
        }
        if (ref.subresource == "scale"sv) {
          auto scale = ScaleOfLocked(*type, *result.object);
          if (scale.ok()) result.object = std::make_shared<const Json>(std::move(*scale));
        }
        committed = true;
      }
    }
    if (!committed) {
      // Admission, unlocked.
      bool mutated = false;
      KT_RETURN_IF_ERROR(RunMutating(p, &mutated));
      if (mutated) {
        std::lock_guard<std::mutex> lock(mu_);
        const ResourceType* type = FindTypeLocked(ref.gvr);
        if (type == nullptr) return UnknownResourceError();
        KT_RETURN_IF_ERROR(SchemaLocked(*type, p.object, FieldValidationOf(options),
                                        &result.warnings, {}, p.old.get()));
      }
      KT_RETURN_IF_ERROR(RunValidating(p));
      std::lock_guard<std::mutex> lock(mu_);
      const ResourceType* type = FindTypeLocked(ref.gvr);
      if (type == nullptr) return UnknownResourceError();
      const std::string key = StoreKey(ref.ns, api::Name(p.object));
      const StoredObject* cur = store_.Get(type->storage_key, key);
      if (creating) {
        if (cur != nullptr) return AlreadyExistsError(type->gvr, api::Name(p.object));
        if (p.namespaced) KT_RETURN_IF_ERROR(CheckNamespaceForCreateLocked(ref.ns));
        if (p.dry_run) {
          p.object["metadata"].erase("resourceVersion");
          result.object = std::make_shared<const Json>(std::move(p.object));
          result.created = true;
          return result;
        }
        if (IsCore(*type, "services")) KT_RETURN_IF_ERROR(services_.Assign(p.object, nullptr));
        result.object = CommitCreateLocked(*type, key, std::move(p.object));
        result.created = true;
      } else {
        if (cur == nullptr) return NotFoundError(type->gvr, ref.name);
        if (cur->rv != p.old_rv) {
          // The object moved on while admission ran: a conditional update is now stale; a
          // patch or an unconditional update is recomputed.
          if (conditional_update) return ConflictError(type->gvr, ref.name);
          continue;
        }
        if (p.dry_run) {
          result.object = std::make_shared<const Json>(std::move(p.object));
          return result;
        }
        if (SameIgnoringBookkeeping(*cur->object, p.object)) {
          result.object = AtVersion(cur->object, *type);
        } else {
          result.object = AtVersion(CommitUpdateLocked(*type, key, std::move(p.object)), *type);
        }
        if (ref.subresource == "scale"sv) {
          auto scale = ScaleOfLocked(*type, *result.object);
          if (scale.ok()) result.object = std::make_shared<const Json>(std::move(*scale));
        }
      }
    }
    if (Faulted(ctx, faults::kSlowResponse)) return SlowResponse();
    return result;
  }
  return Conflict("Operation cannot be fulfilled on " + ref.gvr.GroupResource() + " \"" + ref.name +
                  "\": the object kept changing while admission ran; please retry");
}

Result<WriteResult> Core::Create(const ResourceRef& ref, Json object,
                                 const api::WriteOptions& options, const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  if (!ref.subresource.empty()) {
    if (ref.name.empty()) return UnknownResourceError();
    if (ref.gvr.group.empty() && ref.gvr.resource == "pods"sv && ref.subresource == "binding"sv) {
      std::lock_guard<std::mutex> lock(mu_);
      KT_RETURN_IF_ERROR(ResolveLocked(ref, "create").status());
      return PodBindingLocked(ref, object);
    }
    if (ref.gvr.group.empty() && ref.gvr.resource == "pods"sv && ref.subresource == "eviction"sv) {
      std::string key;
      api::DeleteOptions del;
      {
        std::lock_guard<std::mutex> lock(mu_);
        KT_RETURN_IF_ERROR(ResolveLocked(ref, "create").status());
        KT_ASSIGN_OR_RETURN(key, PodEvictionTargetLocked(ref, object));
      }
      if (auto g = GetInt(object, "deleteOptions.gracePeriodSeconds")) del.grace_period_seconds = *g;
      del.dry_run = options.dry_run;
      ResourceRef pod = ref;
      pod.subresource.clear();
      KT_ASSIGN_OR_RETURN(DeleteResult dr, Delete(pod, del, ctx));
      WriteResult wr;
      wr.object = std::make_shared<const Json>(SuccessStatusJson(ref.name, "", "pods", api::Uid(dr.object)));
      wr.created = true;
      wr.status_reply = true;
      return wr;
    }
    return Status(StatusCode::kMethodNotAllowed,
                  "the server does not allow this method on the requested resource");
  }
  ResourceRef r = ref;
  r.name.clear();
  return WriteObject(r, std::move(object), std::nullopt, "", options, ctx);
}

Result<WriteResult> Core::Update(const ResourceRef& ref, Json object,
                                 const api::WriteOptions& options, const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  if (ref.name.empty()) return Status(StatusCode::kMethodNotAllowed, "the server does not allow this method on the requested resource");
  if (Faulted(ctx, faults::kWriteConflict)) {
    return ConflictError(ref.gvr, ref.name);
  }
  return WriteObject(ref, std::move(object), std::nullopt, "", options, ctx);
}

Result<WriteResult> Core::Patch(const ResourceRef& ref, api::PatchType type, std::string_view patch,
                                const api::WriteOptions& options, const RequestContext& ctx) {
  if (Faulted(ctx, faults::kUnavailable)) return UnavailableFault();
  if (ref.name.empty()) return Status(StatusCode::kMethodNotAllowed, "the server does not allow this method on the requested resource");
  if (Faulted(ctx, faults::kWriteConflict)) {
    return ConflictError(ref.gvr, ref.name);
  }
  return WriteObject(ref, std::nullopt, type, patch, options, ctx);
}

}  // namespace kt::sim
