#include "sim/apiserver/object_identity.h"

#include <array>
#include <cstring>

#include "api/object.h"
#include "base/json.h"

namespace kt::sim {

using std::string_view_literals::operator""sv;

std::string NewUid(Rng& rng) {
  uint64_t a = rng.Next(), b = rng.Next();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  // 8-4-4-4-12 lowercase hex digits, formatted by hand (one per object create), a byte (two
  // digits) at a time.
  static constexpr auto kHexPairs = [] {
    std::array<char, 512> t{};
    constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) t[2 * i] = kHex[i >> 4], t[2 * i + 1] = kHex[i & 0xf];
    return t;
  }();
  std::string out(36, '-');
  char* p = out.data();
  auto put = [&](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) {
      std::memcpy(p + 2 * i, &kHexPairs[2 * (v & 0xff)], 2);
    }
    p += 2 * bytes + 1;
  };
  put(a >> 32, 4);
  put((a >> 16) & 0xffff, 2);
  put(a & 0xffff, 2);
  put(b >> 48, 2);
  put(b & 0xffffffffffffULL, 6);
  return out;
}

std::string GenerateNameSuffix(Rng& rng) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (int i = 0; i < 5; ++i) s += kAlphabet[rng.UniformInt(0, sizeof(kAlphabet) - 2)];
  return s;
}

std::vector<std::string> OwnerReferenceErrors(const Json& obj) {
  std::vector<std::string> errs;
  const Json* refs = api::MetaField(obj, "ownerReferences");
  if (refs == nullptr || refs->is_null()) return errs;
  if (!refs->is_array()) {
    errs.push_back("metadata.ownerReferences: Invalid value: must be a list");
    return errs;
  }
  int controllers = 0;
  for (size_t i = 0; i < refs->size(); ++i) {
    const Json& r = (*refs)[i];
    std::string field = "metadata.ownerReferences[" + std::to_string(i) + "]";
    if (GetString(r, "apiVersion").empty()) errs.push_back(field + ".apiVersion: Invalid value: \"\": version must not be empty");
    if (GetString(r, "kind").empty()) errs.push_back(field + ".kind: Invalid value: \"\": kind must not be empty");
    if (GetString(r, "name").empty()) errs.push_back(field + ".name: Invalid value: \"\": name must not be empty");
    if (GetString(r, "uid").empty()) errs.push_back(field + ".uid: Invalid value: \"\": uid must not be empty");
    if (GetBool(r, "controller")) ++controllers;
  }
  if (controllers > 1) {
    errs.push_back("metadata.ownerReferences: Invalid value: Only one reference can have Controller set to true");
  }
  return errs;
}

std::string JoinFieldErrors(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string s = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) s += ", ";
    s += errors[i];
  }
  return s + "]";
}

bool SpecChanged(const Json& before, const Json& after) {
  if (!before.is_object() || !after.is_object()) return before != after;
  auto skip = [](std::string_view k) {
    return k == "metadata" || k == "status" || k == "apiVersion" || k == "kind";
  };
  // Both objects' members are sorted by key: one merge pass.
  const auto& a = before.get_ref<const Json::object_t&>();
  const auto& b = after.get_ref<const Json::object_t&>();
  auto i = a.begin(), j = b.begin();
  while (i != a.end() || j != b.end()) {
    const int c = i == a.end() ? 1 : j == b.end() ? -1 : CompareKeys(i->first, j->first);
    if (c < 0) {
      if (!skip(i->first)) return true;  // removed
      ++i;
    } else if (c > 0) {
      if (!skip(j->first)) return true;  // added
      ++j;
    } else {
      if (!skip(i->first) && i->second != j->second) return true;
      ++i;
      ++j;
    }
  }
  return false;
}

bool ManagedFieldsEquivalent(const Json& a, const Json& b) {
  if (!a.is_array() || !b.is_array() || a.size() != b.size()) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_object() || !b[i].is_object()) {
      if (a[i] != b[i]) return false;
      continue;
    }
    Json x = a[i], y = b[i];
    x.erase("time");
    y.erase("time");
    if (x != y) return false;
  }
  return true;
}

bool SameIgnoringBookkeeping(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object() || a.size() != b.size()) return a == b;
  // Members are sorted by key, so two objects of one size have the same keys exactly when they
  // match pair by pair. Everything but metadata is compared first: a real change is mostly
  // there, and it ends the comparison before the metadata walk.
  const auto& x = a.get_ref<const Json::object_t&>();
  const auto& y = b.get_ref<const Json::object_t&>();
  const Json* meta_a = nullptr;
  const Json* meta_b = nullptr;
  for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
    if (!SameText(i->first, j->first)) return false;
    if (i->first == "metadata"sv) {
      meta_a = &i->second;
      meta_b = &j->second;
    } else if (i->second != j->second) {
      return false;
    }
  }
  if (meta_a == nullptr) return true;
  // Metadata: the same apart from resourceVersion and the times in managedFields.
  const Json& ma = *meta_a;
  const Json& mb = *meta_b;
  if (!ma.is_object() || !mb.is_object()) return ma == mb;
  for (const auto& [k, v] : ma.get_ref<const Json::object_t&>()) {
    if (k == "resourceVersion"sv) continue;
    auto it = mb.find(k);
    if (it == mb.end()) return false;
    if (k == "managedFields"sv ? !ManagedFieldsEquivalent(v, *it) : *it != v) return false;
  }
  for (const auto& [k, v] : mb.get_ref<const Json::object_t&>()) {
    if (k != "resourceVersion"sv && !ma.contains(k)) return false;
  }
  return true;
}

}  // namespace kt::sim
