// safetensors: the Hugging Face checkpoint format, read and written.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
//   {"<name>": {"dtype": "BF16", "shape": [d0, d1], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"format": "pt"}}
// then the data; offsets are relative to the end of the header. Everything in the header is
// validated (dtype, shape, offsets inside the file, end - begin == element count x size), so a
// truncated or hostile file is an Invalid Status, never a crash.
//
// SafetensorsFile maps the file read-only (mmap) and hands out views; it must outlive every
// view. Checkpoint (checkpoint.h) combines the shards of a model directory.
// Thread-safety: reads of an opened file are safe from any thread.
#ifndef KT_SERVING_MODEL_SAFETENSORS_H_
#define KT_SERVING_MODEL_SAFETENSORS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "serving/model/tensor.h"

namespace kt::serving {

// Headers larger than this are refused (real checkpoints have headers of tens of KiB).
inline constexpr uint64_t kSafetensorsHeaderBytesMax = 100ull << 20;

struct SafetensorsEntry {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // points into the mapped file
  size_t nbytes = 0;
  int64_t numel() const;
};

class SafetensorsFile {
 public:
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  static Result<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);
  // Parses an in-memory image (tests and the fuzzer). The bytes are owned by the object.
  static Result<std::unique_ptr<SafetensorsFile>> FromBytes(std::string bytes,
                                                            std::string name = "<memory>");

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry, std::less<>>& entries() const { return entries_; }
  const std::map<std::string, std::string, std::less<>>& metadata() const { return metadata_; }
  const SafetensorsEntry* Find(std::string_view name) const;
  // The tensor converted to `to`. NotFound when absent.
  Result<Tensor> Read(std::string_view name, DType to) const;

 private:
  SafetensorsFile() = default;
  Status Parse();

  std::string path_;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  void* mapping_ = nullptr;  // munmap on destruction when set
  std::string owned_bytes_;
  std::map<std::string, SafetensorsEntry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> metadata_;
};

// Converts an entry to a tensor of `to`.
Tensor EntryToTensor(const SafetensorsEntry& e, DType to);

// Writes tensors (in the order given; names must be unique) with optional metadata. Writes to
// "<path>.tmp" and renames, so a crash never leaves a half-written file under `path`.
Status WriteSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                        const std::map<std::string, std::string>& metadata = {{"format", "pt"}});
// The same image in memory (tests).
std::string SerializeSafetensors(const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                                 const std::map<std::string, std::string>& metadata = {
                                     {"format", "pt"}});

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_SAFETENSORS_H_
