#include "serving/model/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"

namespace kt::serving {

namespace fs = std::filesystem;

namespace {
Result<std::string> ReadSmallFile(const fs::path& p, size_t bytes_max) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec) return NotFound("cannot read " + p.string() + ": " + ec.message());
  if (size > bytes_max) {
    return Invalid(p.string() + " is " + std::to_string(size) + " bytes, over the limit of " +
                   std::to_string(bytes_max));
  }
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Status Checkpoint::Add(std::unique_ptr<SafetensorsFile> file,
                       const std::map<std::string, std::string>* expected) {
  for (const auto& [name, entry] : file->entries()) {
    if (expected != nullptr && expected->count(name) == 0) continue;  // not indexed: ignore
    if (!index_.emplace(name, &entry).second) {
      return Invalid("tensor \"" + name + "\" appears in more than one shard (" + file->path() + ")");
    }
  }
  files_.push_back(std::move(file));
  return Status::Ok();
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& dir) {
  fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) return NotFound("model directory " + dir + " does not exist");
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  fs::path index = d / "model.safetensors.index.json";
  if (fs::exists(index, ec)) {
    KT_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(index, 64u << 20));
    auto j = ParseJson(text);
    if (!j.ok()) return Invalid(index.string() + ": " + j.status().message());
    const Json* map = FindPath(j.value(), "weight_map");
    if (map == nullptr || !map->is_object() || map->empty()) {
      return Invalid(index.string() + " has no \"weight_map\" object");
    }
    std::map<std::string, std::map<std::string, std::string>> by_shard;  // shard -> names
    for (auto it = map->begin(); it != map->end(); ++it) {
      if (!it.value().is_string()) {
        return Invalid(index.string() + ": weight_map[\"" + it.key() + "\"] is not a file name");
      }
      std::string shard = it.value().get<std::string>();
      if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..") {
        return Invalid(index.string() + ": shard name \"" + shard +
                       "\" must be a plain file name in the model directory");
      }
      by_shard[shard][it.key()] = shard;
    }
    for (const auto& [shard, names] : by_shard) {
      KT_ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open((d / shard).string()));
      for (const auto& [name, unused] : names) {
        if (file->Find(name) == nullptr) {
          return Invalid(index.string() + " maps \"" + name + "\" to " + shard +
                         ", which does not contain it");
        }
      }
      KT_RETURN_IF_ERROR(c->Add(std::move(file), &names));
    }
    return c;
  }
  fs::path single = d / "model.safetensors";
  std::vector<std::string> candidates;
  if (fs::exists(single, ec)) {
    candidates.push_back(single.string());
  } else {
    for (const auto& e : fs::directory_iterator(d, ec)) {
      if (e.path().extension() == ".safetensors") candidates.push_back(e.path().string());
    }
    if (candidates.size() > 1) {
      return Invalid(dir + " has several .safetensors files but no model.safetensors.index.json");
    }
  }
  if (candidates.empty()) {
    return NotFound(dir + " has no model.safetensors or model.safetensors.index.json");
  }
  KT_ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open(candidates[0]));
  KT_RETURN_IF_ERROR(c->Add(std::move(file), nullptr));
  return c;
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::OpenFiles(const std::vector<std::string>& paths) {
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  for (const std::string& p : paths) {
    KT_ASSIGN_OR_RETURN(auto file, SafetensorsFile::Open(p));
    KT_RETURN_IF_ERROR(c->Add(std::move(file), nullptr));
  }
  return c;
}

const SafetensorsEntry* Checkpoint::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

Result<Tensor> Checkpoint::Read(std::string_view name, DType to,
                                const std::vector<int64_t>* expected_shape) const {
  const SafetensorsEntry* e = Find(name);
  if (e == nullptr) return NotFound("checkpoint has no tensor \"" + std::string(name) + "\"");
  if (expected_shape != nullptr && e->shape != *expected_shape) {
    return Invalid("tensor \"" + std::string(name) + "\" has shape " + ShapeToString(e->shape) +
                   ", expected " + ShapeToString(*expected_shape) + " from config.json");
  }
  return EntryToTensor(*e, to);
}

std::vector<std::string> Checkpoint::Names() const {
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& [name, e] : index_) out.push_back(name);
  return out;
}

DType Checkpoint::StoredDType() const {
  std::map<DType, uint64_t> bytes;
  for (const auto& [name, e] : index_) bytes[e->dtype] += e->nbytes;
  DType best = DType::kF32;
  uint64_t most = 0;
  for (const auto& [t, b] : bytes) {
    if (b > most) {
      most = b;
      best = t;
    }
  }
  return best;
}

}  // namespace kt::serving
