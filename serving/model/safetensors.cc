#include "serving/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <set>

#include "base/json.h"

namespace kt::serving {

int64_t SafetensorsEntry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) munmap(mapping_, size_);
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return Internal("cannot stat " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->size_ = static_cast<size_t>(st.st_size);
  if (f->size_ > 0) {
    void* m = mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      ::close(fd);
      return Internal("cannot map " + path + ": " + std::strerror(errno));
    }
    f->mapping_ = m;
    f->base_ = static_cast<const uint8_t*>(m);
  }
  ::close(fd);
  KT_RETURN_IF_ERROR(f->Parse());
  return f;
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::FromBytes(std::string bytes,
                                                                    std::string name) {
  std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = std::move(name);
  f->owned_bytes_ = std::move(bytes);
  f->base_ = reinterpret_cast<const uint8_t*>(f->owned_bytes_.data());
  f->size_ = f->owned_bytes_.size();
  KT_RETURN_IF_ERROR(f->Parse());
  return f;
}

Status SafetensorsFile::Parse() {
  auto bad = [this](const std::string& why) {
    return Invalid("safetensors file " + path_ + ": " + why);
  };
  if (size_ < 8) return bad("shorter than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | base_[i];
  if (n > kSafetensorsHeaderBytesMax) {
    return bad("header length " + std::to_string(n) + " exceeds the limit of " +
               std::to_string(kSafetensorsHeaderBytesMax) + " bytes");
  }
  if (n > size_ - 8) return bad("header length " + std::to_string(n) + " runs past end of file");
  auto parsed = ParseJson(std::string_view(reinterpret_cast<const char*>(base_ + 8), n));
  if (!parsed.ok()) return bad("header: " + parsed.status().message());
  const Json& header = parsed.value();
  if (!header.is_object()) return bad("header is not a JSON object");
  const uint64_t data_size = size_ - 8 - n;
  const uint8_t* data = base_ + 8 + n;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const Json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) return bad("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) return bad("__metadata__ value for \"" + m.key() + "\" is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object()) return bad("entry \"" + name + "\" is not an object");
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string()) return bad("entry \"" + name + "\" has no dtype string");
    if (sh == v.end() || !sh->is_array()) return bad("entry \"" + name + "\" has no shape array");
    if (off == v.end() || !off->is_array() || off->size() != 2) {
      return bad("entry \"" + name + "\" has no [begin, end] data_offsets");
    }
    auto dtype = ParseSafetensorsDType(dt->get<std::string>());
    if (!dtype.ok()) return bad("entry \"" + name + "\": " + dtype.status().message());
    SafetensorsEntry e;
    e.dtype = dtype.value();
    // Element counts are bounded by the file size, so the product cannot overflow once each
    // factor has been checked against it.
    uint64_t count = 1;
    for (const Json& d : *sh) {
      if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0)) {
        return bad("entry \"" + name + "\" has a non-integer or negative dimension");
      }
      uint64_t dim = d.get<uint64_t>();
      if (dim > data_size && count != 0) {
        return bad("entry \"" + name + "\" dimension " + std::to_string(dim) + " exceeds file size");
      }
      count *= dim;
      if (count > data_size) count = data_size + 1;  // saturate: caught by the size check below
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const Json& o : *off) {
      if (!o.is_number_unsigned() && !(o.is_number_integer() && o.get<int64_t>() >= 0)) {
        return bad("entry \"" + name + "\" has a non-integer offset");
      }
    }
    uint64_t begin = (*off)[0].get<uint64_t>();
    uint64_t end = (*off)[1].get<uint64_t>();
    if (begin > end || end > data_size) {
      return bad("entry \"" + name + "\" data_offsets [" + std::to_string(begin) + ", " +
                 std::to_string(end) + "] outside the " + std::to_string(data_size) +
                 "-byte data section");
    }
    if (count > data_size || end - begin != count * DTypeSize(e.dtype)) {
      return bad("entry \"" + name + "\" holds " + std::to_string(end - begin) +
                 " bytes but shape " + ShapeToString(e.shape) + " of " +
                 std::string(SafetensorsDTypeName(e.dtype)) + " needs " +
                 std::to_string(count * DTypeSize(e.dtype)));
    }
    e.data = data + begin;
    e.nbytes = end - begin;
    if (e.nbytes > 0) ranges.emplace_back(begin, end);
    entries_.emplace(name, std::move(e));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) return bad("tensor data ranges overlap");
  }
  return Status::Ok();
}

const SafetensorsEntry* SafetensorsFile::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

Tensor EntryToTensor(const SafetensorsEntry& e, DType to) {
  Tensor t(to, e.shape);
  size_t n = static_cast<size_t>(e.numel());
  if (e.dtype == to) {
    if (e.nbytes) std::memcpy(t.data(), e.data, e.nbytes);
  } else if (to == DType::kF32) {
    ConvertToF32(e.dtype, e.data, t.f32(), n);
  } else {
    std::vector<float> tmp(n);
    ConvertToF32(e.dtype, e.data, tmp.data(), n);
    ConvertFromF32(to, tmp.data(), t.data(), n);
  }
  return t;
}

Result<Tensor> SafetensorsFile::Read(std::string_view name, DType to) const {
  const SafetensorsEntry* e = Find(name);
  if (e == nullptr) return NotFound("tensor \"" + std::string(name) + "\" not in " + path_);
  return EntryToTensor(*e, to);
}

namespace {
// The padded header JSON. REQUIRES: unique names.
std::string BuildHeader(const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    Json e = Json::object();
    e["dtype"] = std::string(SafetensorsDTypeName(t->dtype()));
    e["shape"] = t->shape();
    e["data_offsets"] = {offset, offset + t->nbytes()};
    header[name] = std::move(e);
    offset += t->nbytes();
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string h = DumpJson(header);
  // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
  while ((h.size() + 8) % 8 != 0) h.push_back(' ');
  std::string out;
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + h;
}

Status CheckUniqueNames(const std::vector<std::pair<std::string, const Tensor*>>& tensors) {
  std::set<std::string_view> seen;
  for (const auto& [name, t] : tensors) {
    if (!seen.insert(name).second) return Invalid("duplicate tensor name " + name);
  }
  return Status::Ok();
}
}  // namespace

std::string SerializeSafetensors(const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  Status unique = CheckUniqueNames(tensors);
  KT_CHECK(unique.ok()) << unique.ToString();
  std::string out = BuildHeader(tensors, metadata);
  for (const auto& [name, t] : tensors) {
    out.append(static_cast<const char*>(t->data()), t->nbytes());
  }
  return out;
}

Status WriteSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  KT_RETURN_IF_ERROR(CheckUniqueNames(tensors));
  std::string header = BuildHeader(tensors, metadata);
  std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot write " + tmp + ": " + std::strerror(errno));
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const auto& [name, t] : tensors) {
    out.write(static_cast<const char*>(t->data()), static_cast<std::streamsize>(t->nbytes()));
  }
  out.close();
  if (!out) return Internal("writing " + tmp + " failed (disk full?)");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace kt::serving
