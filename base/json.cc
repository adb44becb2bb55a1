#include "base/json.h"

#include <cstring>
#include <memory>
#include <type_traits>

namespace kt {

Result<Json> ParseJson(std::string_view text) {
  bool too_deep = false;
  auto depth_guard = [&too_deep](int depth, Json::parse_event_t, Json&) {
    if (depth > kJsonDepthMax) too_deep = true;
    return !too_deep;  // stop keeping values once the limit is crossed
  };
  try {
    Json j = Json::parse(text.begin(), text.end(), depth_guard, /*allow_exceptions=*/true,
                         /*ignore_comments=*/false);
    if (too_deep) {
      return BadRequest("JSON nesting exceeds " + std::to_string(kJsonDepthMax) + " levels");
    }
    return j;
  } catch (const Json::exception& e) {
    if (too_deep) {
      return BadRequest("JSON nesting exceeds " + std::to_string(kJsonDepthMax) + " levels");
    }
    return BadRequest(std::string("invalid JSON: ") + e.what());
  }
}

std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void AppendJsonString(std::string& out, std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      out += DumpJson(Json(std::string(s)));  // escapes and UTF-8 handling as DumpJson's
      return;
    }
  }
  // One append: the quotes and the text together (each push_back of a quote is a call).
  const size_t at = out.size();
  out.resize(at + s.size() + 2);
  char* p = out.data() + at;
  p[0] = '"';
  std::memcpy(p + 1, s.data(), s.size());
  p[s.size() + 1] = '"';
}

const Json* FindPath(const Json& j, std::string_view path) {
  const Json* cur = &j;
  size_t begin = 0;
  while (begin < path.size()) {
    // Paths are a few short keys: scanned inline rather than through memchr.
    size_t end = begin;
    while (end < path.size() && path[end] != '.') ++end;
    if (!cur->is_object()) return nullptr;
    const auto& members = cur->get_ref<const Json::object_t&>();
    auto it = members.find(path.substr(begin, end - begin));
    if (it == members.end()) return nullptr;
    cur = &it->second;
    begin = end + 1;
  }
  return cur;
}

bool SameJson(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::object: {
      // Members are sorted by key in both.
      const auto& x = a.get_ref<const Json::object_t&>();
      const auto& y = b.get_ref<const Json::object_t&>();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (!SameText(i->first, j->first) || !SameJson(i->second, j->second)) return false;
      }
      return true;
    }
    case Json::value_t::array: {
      const auto& x = a.get_ref<const Json::array_t&>();
      const auto& y = b.get_ref<const Json::array_t&>();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameJson(x[i], y[i])) return false;
      }
      return true;
    }
    case Json::value_t::string: {
      const std::string& x = a.get_ref<const std::string&>();
      return SameText(x, b.get_ref<const std::string&>());
    }
    default:
      return a == b;
  }
}

namespace {

// Empties every object and array under `value` (children first), so that destroying what is
// left frees nodes without nlohmann's work stack.
void ClearTree(Json& value, int depth) {
  if (value.is_object()) {
    auto& members = value.get_ref<Json::object_t&>();
    if (depth < kJsonDepthMax) {
      for (auto& member : members) {
        if (member.second.is_structured()) ClearTree(member.second, depth + 1);
      }
    }
    members.clear();
  } else if (value.is_array()) {
    auto& items = value.get_ref<Json::array_t&>();
    if (depth < kJsonDepthMax) {
      for (auto& item : items) {
        if (item.is_structured()) ClearTree(item, depth + 1);
      }
    }
    items.clear();
  }
}

// std::allocator, except that a Json it destroys is freed with ReleaseJson.
template <typename T>
struct ReleasingAllocator {
  using value_type = T;
  ReleasingAllocator() = default;
  template <typename U>
  ReleasingAllocator(const ReleasingAllocator<U>&) {}  // NOLINT: rebinding converts implicitly
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) { std::allocator<T>().deallocate(p, n); }
  template <typename U>
  void destroy(U* p) {
    if constexpr (std::is_same_v<std::remove_cv_t<U>, Json>) {
      ReleaseJson(const_cast<Json&>(*p));
    }
    p->~U();
  }
  template <typename U>
  bool operator==(const ReleasingAllocator<U>&) const { return true; }
};

}  // namespace

void ReleaseJson(Json& value) {
  ClearTree(value, 0);
  value = nullptr;
}

std::shared_ptr<const Json> MakeSharedJson(Json&& value) {
  return std::allocate_shared<const Json>(ReleasingAllocator<Json>(), std::move(value));
}

std::string GetString(const Json& j, std::string_view path, std::string_view fallback) {
  const Json* v = FindPath(j, path);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->get<std::string>();
}

std::string_view GetStringView(const Json& j, std::string_view path) {
  const Json* v = FindPath(j, path);
  if (v == nullptr || !v->is_string()) return {};
  return v->get_ref<const std::string&>();
}

std::optional<int64_t> GetInt(const Json& j, std::string_view path) {
  const Json* v = FindPath(j, path);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

bool GetBool(const Json& j, std::string_view path, bool fallback) {
  const Json* v = FindPath(j, path);
  if (v == nullptr || !v->is_boolean()) return fallback;
  return v->get<bool>();
}

}  // namespace kt
