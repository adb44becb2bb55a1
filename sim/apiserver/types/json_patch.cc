// RFC 6902 JSON patch (application/json-patch+json), with kube-apiserver's error classes:
// a body that is not a list of operations is BadRequest, an operation that cannot apply is
// Invalid (422), more than kJsonPatchOperationsMax operations is RequestEntityTooLarge.
#include "base/json.h"
#include "sim/apiserver/types/field_error.h"
#include "sim/apiserver/types/patch.h"

namespace kt::sim {
namespace {

constexpr size_t kJsonPatchOperationsMax = 10000;

Status OpError(std::string m) { return Invalid(std::move(m)); }

// Splits a JSON pointer into unescaped tokens. "" is the whole document.
Result<std::vector<std::string>> ParsePointer(const std::string& ptr) {
  std::vector<std::string> tokens;
  if (ptr.empty()) return tokens;
  if (ptr[0] != '/') return OpError("JSON pointer must be empty or start with /: " + GoQuote(ptr));
  size_t i = 1;
  std::string cur;
  for (; i <= ptr.size(); ++i) {
    if (i == ptr.size() || ptr[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (ptr[i] == '~') {
      if (i + 1 < ptr.size() && ptr[i + 1] == '0') {
        cur += '~';
      } else if (i + 1 < ptr.size() && ptr[i + 1] == '1') {
        cur += '/';
      } else {
        return OpError("invalid escape in JSON pointer " + GoQuote(ptr));
      }
      ++i;
      continue;
    }
    cur += ptr[i];
  }
  return tokens;
}

// Array index token: "0" or digits without a leading zero; "-" handled by callers.
std::optional<size_t> ArrayIndex(const std::string& tok) {
  if (tok.empty() || tok.size() > 9) return std::nullopt;
  if (tok.size() > 1 && tok[0] == '0') return std::nullopt;
  size_t v = 0;
  for (char c : tok) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

Json* Resolve(Json& doc, const std::vector<std::string>& tokens, size_t count) {
  Json* cur = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      auto idx = ArrayIndex(t);
      if (!idx || *idx >= cur->size()) return nullptr;
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Status Missing(const std::string& op, const std::string& path) {
  return OpError(op + " operation does not apply: doc is missing path: " + GoQuote(path) +
                 ": missing value");
}

Status Add(Json& doc, const std::vector<std::string>& tokens, Json value, const std::string& path,
           const std::string& op = "add") {
  if (tokens.empty()) {
    doc = std::move(value);
    return Status::Ok();
  }
  Json* parent = Resolve(doc, tokens, tokens.size() - 1);
  if (parent == nullptr) return Missing(op, path);
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
  } else if (parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
    } else {
      auto idx = ArrayIndex(last);
      if (!idx || *idx > parent->size()) {
        return OpError(op + " operation does not apply: doc is missing path: " + GoQuote(path) +
                       ": invalid index");
      }
      parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    }
  } else {
    return Missing(op, path);
  }
  return Status::Ok();
}

Result<Json> Remove(Json& doc, const std::vector<std::string>& tokens, const std::string& path,
                    const std::string& op = "remove") {
  if (tokens.empty()) return OpError(op + " operation does not apply: cannot remove the root");
  Json* parent = Resolve(doc, tokens, tokens.size() - 1);
  if (parent == nullptr) return Missing(op, path);
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) return Missing(op, path);
    Json v = std::move(*it);
    parent->erase(it);
    return v;
  }
  if (parent->is_array()) {
    auto idx = ArrayIndex(last);
    if (!idx || *idx >= parent->size()) return Missing(op, path);
    Json v = std::move((*parent)[*idx]);
    parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(*idx));
    return v;
  }
  return Missing(op, path);
}

Result<std::string> StringField(const Json& op, const char* name, const std::string& kind) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return OpError(kind + " operation missing " + std::string(name) + " field");
  }
  return it->get<std::string>();
}

Status ApplyOne(Json& doc, const Json& op) {
  if (!op.is_object()) return OpError("Unexpected kind: operation is not an object");
  std::string kind = GetString(op, "op");
  if (kind != "add" && kind != "remove" && kind != "replace" && kind != "move" &&
      kind != "copy" && kind != "test") {
    return OpError("Unexpected kind: " + kind);
  }
  KT_ASSIGN_OR_RETURN(std::string path, StringField(op, "path", kind));
  KT_ASSIGN_OR_RETURN(std::vector<std::string> tokens, ParsePointer(path));
  auto value = op.find("value");
  bool needs_value = kind == "add" || kind == "replace" || kind == "test";
  if (needs_value && value == op.end()) {
    return OpError(kind + " operation missing value field");
  }
  if (kind == "add") return Add(doc, tokens, *value, path);
  if (kind == "remove") return Remove(doc, tokens, path).status();
  if (kind == "replace") {
    Json* target = Resolve(doc, tokens, tokens.size());
    if (target == nullptr) {
      return OpError("replace operation does not apply: doc is missing key: " + path +
                     ": missing value");
    }
    *target = *value;
    return Status::Ok();
  }
  if (kind == "test") {
    Json* target = Resolve(doc, tokens, tokens.size());
    if (target == nullptr) {
      if (value->is_null()) return Status::Ok();  // evanphx: a null test matches absence
      return OpError("testing value " + path + " failed: test failed");
    }
    if (*target != *value) return OpError("testing value " + path + " failed: test failed");
    return Status::Ok();
  }
  KT_ASSIGN_OR_RETURN(std::string from, StringField(op, "from", kind));
  KT_ASSIGN_OR_RETURN(std::vector<std::string> from_tokens, ParsePointer(from));
  if (kind == "move") {
    if (from_tokens.size() < tokens.size() &&
        std::equal(from_tokens.begin(), from_tokens.end(), tokens.begin())) {
      return OpError("move operation does not apply: cannot move " + GoQuote(from) +
                     " into its own child " + GoQuote(path));
    }
    KT_ASSIGN_OR_RETURN(Json v, Remove(doc, from_tokens, from, "move"));
    return Add(doc, tokens, std::move(v), path, "move");
  }
  // copy
  Json* source = Resolve(doc, from_tokens, from_tokens.size());
  if (source == nullptr) return Missing("copy", from);
  Json v = *source;
  return Add(doc, tokens, std::move(v), path, "copy");
}

}  // namespace

Result<Json> ApplyJsonPatch(const Json& original, const Json& operations) {
  if (!operations.is_array()) {
    return BadRequest("json: cannot unmarshal " + std::string(operations.is_object() ? "object" : "value") +
                      " into Go value of type jsonpatch.Patch");
  }
  if (operations.size() > kJsonPatchOperationsMax) {
    return Status(StatusCode::kRequestEntityTooLarge,
                  "The allowed count of patch operations is " +
                      std::to_string(kJsonPatchOperationsMax));
  }
  Json doc = original;
  for (const Json& op : operations) KT_RETURN_IF_ERROR(ApplyOne(doc, op));
  return doc;
}

}  // namespace kt::sim
