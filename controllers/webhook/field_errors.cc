#include "controllers/webhook/field_errors.h"

#include <algorithm>
#include <map>
#include <utility>

namespace kt::webhook {
namespace {

bool IsIndex(std::string_view part) {
  return part.size() >= 2 && part.front() == '[' && part.back() == ']';
}

// Knative's flatten(): joins path parts with ".", dropping empty parts and gluing "[i]" index
// parts onto the part before them.
std::string Flatten(std::initializer_list<std::string_view> parts) {
  std::vector<std::string> out;
  for (std::string_view part : parts) {
    size_t start = 0;
    while (start <= part.size()) {
      size_t dot = part.find('.', start);
      if (dot == std::string_view::npos) dot = part.size();
      std::string_view p = part.substr(start, dot - start);
      if (p.empty()) {
        // current field: skipped
      } else if (!out.empty() && IsIndex(p)) {
        out.back() += std::string(p);
      } else {
        out.emplace_back(p);
      }
      start = dot + 1;
    }
  }
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) joined.push_back('.');
    joined += out[i];
  }
  return joined;
}

}  // namespace

FieldErrors FieldErrors::Generic(std::string message,
                                 std::initializer_list<std::string_view> paths) {
  FieldErrors e;
  Entry entry{std::move(message), {}, ""};
  for (std::string_view p : paths) entry.paths.emplace_back(p);
  e.entries_.push_back(std::move(entry));
  return e;
}

FieldErrors FieldErrors::MissingField(std::initializer_list<std::string_view> paths) {
  return Generic("missing field(s)", paths);
}

FieldErrors FieldErrors::InvalidValue(std::string_view value, std::string_view path) {
  return Generic("invalid value: " + std::string(value), {path});
}

FieldErrors& FieldErrors::Also(const FieldErrors& other) {
  entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
  return *this;
}

FieldErrors FieldErrors::ViaField(std::string_view prefix) const {
  FieldErrors out = *this;
  for (Entry& e : out.entries_) {
    for (std::string& p : e.paths) p = Flatten({prefix, p});
  }
  return out;
}

std::string FieldErrors::ToString() const {
  // Merge entries with the same (message, details); the map keeps them sorted by message, then
  // details, as Knative sorts its merged list.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> merged;
  for (const Entry& e : entries_) {
    auto& paths = merged[{e.message, e.details}];
    paths.insert(paths.end(), e.paths.begin(), e.paths.end());
  }
  std::string out;
  for (auto& [key, paths] : merged) {
    std::sort(paths.begin(), paths.end());
    if (!out.empty()) out.push_back('\n');
    out += key.first;
    out += ": ";
    for (size_t i = 0; i < paths.size(); ++i) {
      if (i > 0) out += ", ";
      out += paths[i];
    }
    if (!key.second.empty()) {
      out.push_back('\n');
      out += key.second;
    }
  }
  return out;
}

}  // namespace kt::webhook
