#include "sim/cluster/image_catalog.h"

#include <fstream>
#include <sstream>

#include "base/json.h"
#include "base/sha256.h"
#include "base/yaml.h"
#include "sim/cluster/embedded_data.h"

namespace kt::sim::cluster {

namespace {

constexpr size_t kEntriesMax = 10'000;
constexpr double kSecondsMax = 30 * 24 * 3600;
constexpr double kSizeBytesMax = 1e13;
constexpr double kGpuMemoryGibMax = 1e5;

Status FieldError(std::string_view what, std::string_view field, std::string_view problem) {
  return BadRequest(std::string(what) + ": field \"" + std::string(field) + "\": " +
                    std::string(problem));
}

Result<double> ReadNumber(const Json& j, const char* field, std::string_view what, double max) {
  const Json& v = j[field];
  if (!v.is_number()) return FieldError(what, field, "must be a number");
  double d = v.get<double>();
  if (!(d >= 0) || d > max) {
    return FieldError(what, field, "must be between 0 and " + std::to_string(max));
  }
  return d;
}

}  // namespace

Result<ImageFacts> ImageCatalog::ParseFacts(const Json& j, const ImageFacts& base,
                                            std::string_view what) {
  if (!j.is_object()) return BadRequest(std::string(what) + ": must be a map");
  static const char* const kKnown[] = {"pattern", "command", "size_bytes", "load_s", "gpu_memory_gib",
                                       "run_s", "exits_after_others_s", "exit_code", "stop_s", "sigterm_exit_code",
                                       "pull_error"};
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (const char* f : kKnown) known = known || k == f;
    if (!known) return FieldError(what, k, "unknown field");
  }
  ImageFacts f = base;
  if (j.contains("size_bytes")) {
    KT_ASSIGN_OR_RETURN(double v, ReadNumber(j, "size_bytes", what, kSizeBytesMax));
    f.size_bytes = static_cast<int64_t>(v);
  }
  if (j.contains("load_s")) {
    KT_ASSIGN_OR_RETURN(f.load_s, ReadNumber(j, "load_s", what, kSecondsMax));
  }
  if (j.contains("gpu_memory_gib")) {
    KT_ASSIGN_OR_RETURN(f.gpu_memory_gib, ReadNumber(j, "gpu_memory_gib", what, kGpuMemoryGibMax));
  }
  if (j.contains("run_s")) {
    if (j["run_s"].is_null()) {
      f.run_s.reset();
    } else {
      KT_ASSIGN_OR_RETURN(double v, ReadNumber(j, "run_s", what, kSecondsMax));
      f.run_s = v;
    }
  }
  if (j.contains("exits_after_others_s")) {
    KT_ASSIGN_OR_RETURN(double v, ReadNumber(j, "exits_after_others_s", what, kSecondsMax));
    f.exits_after_others_s = v;
  }
  if (j.contains("stop_s")) {
    KT_ASSIGN_OR_RETURN(f.stop_s, ReadNumber(j, "stop_s", what, kSecondsMax));
  }
  for (const char* field : {"exit_code", "sigterm_exit_code"}) {
    if (!j.contains(field)) continue;
    const Json& v = j[field];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 255) {
      return FieldError(what, field, "must be an integer in [0, 255]");
    }
    (std::string_view(field) == "exit_code" ? f.exit_code : f.sigterm_exit_code) =
        static_cast<int>(v.get<int64_t>());
  }
  if (j.contains("pull_error")) {
    if (!j["pull_error"].is_string()) return FieldError(what, "pull_error", "must be a string");
    f.pull_error = j["pull_error"].get<std::string>();
  }
  return f;
}

Result<ImageCatalog> ImageCatalog::Parse(std::string_view yaml_text) {
  KT_ASSIGN_OR_RETURN(Json root, ParseYaml(yaml_text));
  if (!root.is_object()) return BadRequest("image catalog: the document must be a map");
  ImageCatalog c;
  const Json empty = Json::object();
  const Json& defaults = root.contains("defaults") ? root["defaults"] : empty;
  KT_ASSIGN_OR_RETURN(c.defaults_, ParseFacts(defaults, ImageFacts{}, "defaults"));
  const Json& init_defaults = root.contains("init_defaults") ? root["init_defaults"] : empty;
  KT_ASSIGN_OR_RETURN(c.init_defaults_, ParseFacts(init_defaults, c.defaults_, "init_defaults"));
  if (root.contains("images")) {
    const Json& images = root["images"];
    if (!images.is_array()) return BadRequest("image catalog: images must be a list");
    if (images.size() > kEntriesMax) return BadRequest("image catalog: too many images");
    for (size_t i = 0; i < images.size(); ++i) {
      const Json& e = images[i];
      std::string what = "image #" + std::to_string(i);
      if (!e.is_object() || !e.contains("pattern") || !e["pattern"].is_string() ||
          e["pattern"].get<std::string>().empty()) {
        return FieldError(what, "pattern", "required (a non-empty string)");
      }
      Entry entry;
      entry.pattern = e["pattern"].get<std::string>();
      what = "image " + entry.pattern;
      if (e.contains("command")) {
        if (!e["command"].is_string() || e["command"].get<std::string>().empty()) {
          return FieldError(what, "command", "must be a non-empty string");
        }
        entry.command = e["command"].get<std::string>();
        entry.overlay = std::make_shared<const Json>(e);
        KT_RETURN_IF_ERROR(ParseFacts(e, c.defaults_, what).status());
        c.entries_.push_back(std::move(entry));
        continue;
      }
      KT_ASSIGN_OR_RETURN(entry.regular, ParseFacts(e, c.defaults_, what));
      KT_ASSIGN_OR_RETURN(entry.init, ParseFacts(e, c.init_defaults_, what));
      entry.regular.pattern = entry.pattern;
      entry.init.pattern = entry.pattern;
      c.entries_.push_back(std::move(entry));
    }
  }
  return c;
}

Result<ImageCatalog> ImageCatalog::LoadEmbedded() { return Parse(EmbeddedImagesYaml()); }

Result<ImageCatalog> ImageCatalog::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read image catalog " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = Parse(ss.str());
  if (!c.ok()) return c.status().Annotate(path);
  return c;
}

ImageFacts ImageCatalog::Lookup(std::string_view image, std::string_view command_line,
                                bool init_container) const {
  std::string normalized = NormalizeImage(image);
  const Entry* overlay = nullptr;
  ImageFacts base = init_container ? init_defaults_ : defaults_;
  for (const auto& e : entries_) {
    if (!GlobMatch(e.pattern, normalized)) continue;
    if (!e.command.empty()) {
      if (overlay == nullptr && GlobMatch(e.command, command_line)) overlay = &e;
      continue;
    }
    base = init_container ? e.init : e.regular;
    break;
  }
  if (overlay == nullptr) return base;
  // Validated at load: cannot fail.
  ImageFacts f = ParseFacts(*overlay->overlay, base, overlay->pattern).value();
  f.pattern = base.pattern;
  return f;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative '*' matching with backtracking to the last star.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {
// Splits "name[:tag][@digest]" at the tag (a ':' after the last '/').
size_t TagColon(std::string_view ref) {
  size_t at = ref.find('@');
  std::string_view base = ref.substr(0, at);
  size_t slash = base.rfind('/');
  size_t colon = base.rfind(':');
  if (colon == std::string_view::npos) return std::string_view::npos;
  if (slash != std::string_view::npos && colon < slash) return std::string_view::npos;
  return colon;
}
}  // namespace

bool IsLatestTag(std::string_view image) {
  if (image.find('@') != std::string_view::npos) return false;
  size_t colon = TagColon(image);
  if (colon == std::string_view::npos) return true;
  return image.substr(colon + 1) == "latest";
}

std::string NormalizeImage(std::string_view image) {
  std::string ref(image);
  if (ref.empty()) return ref;
  size_t slash = ref.find('/');
  std::string first = slash == std::string::npos ? "" : ref.substr(0, slash);
  bool has_registry = !first.empty() && (first.find('.') != std::string::npos ||
                                         first.find(':') != std::string::npos ||
                                         first == "localhost");
  if (!has_registry) {
    ref = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + ref;
  }
  if (ref.find('@') == std::string::npos && TagColon(ref) == std::string::npos) ref += ":latest";
  return ref;
}

std::string ImageDigest(std::string_view normalized_image) {
  return "sha256:" + Sha256Hex(normalized_image);
}

std::string ImageId(std::string_view normalized_image) {
  std::string ref(normalized_image);
  size_t at = ref.find('@');
  if (at != std::string::npos) return ref;
  size_t colon = TagColon(ref);
  std::string repo = colon == std::string::npos ? ref : ref.substr(0, colon);
  return repo + "@" + ImageDigest(normalized_image);
}

}  // namespace kt::sim::cluster
