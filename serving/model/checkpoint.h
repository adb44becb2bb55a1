// Checkpoint: the tensors of a Hugging Face model directory, single-file or sharded.
//
// Open(dir) looks for, in order: model.safetensors.index.json (sharded: "weight_map" maps each
// tensor name to a shard file in the same directory), model.safetensors, or exactly one
// *.safetensors file. Shard names are checked to stay inside the directory, every name in the
// index must exist in its shard, and a name present in two shards is an error.
//
// Owns its SafetensorsFiles; entries point into their mappings. Thread-safe for reads.
#ifndef KT_SERVING_MODEL_CHECKPOINT_H_
#define KT_SERVING_MODEL_CHECKPOINT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "serving/model/safetensors.h"

namespace kt::serving {

class Checkpoint {
 public:
  static Result<std::unique_ptr<Checkpoint>> Open(const std::string& dir);
  // A checkpoint over explicit files (adapters: adapter_model.safetensors).
  static Result<std::unique_ptr<Checkpoint>> OpenFiles(const std::vector<std::string>& paths);

  const SafetensorsEntry* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // The tensor as `to`; NotFound when absent, Invalid when `shape` is given and differs.
  Result<Tensor> Read(std::string_view name, DType to,
                      const std::vector<int64_t>* expected_shape = nullptr) const;
  std::vector<std::string> Names() const;
  // The dtype most tensors are stored in (for "auto" loading).
  DType StoredDType() const;
  size_t num_files() const { return files_.size(); }

 private:
  Status Add(std::unique_ptr<SafetensorsFile> file,
             const std::map<std::string, std::string>* expected);

  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsEntry*, std::less<>> index_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_CHECKPOINT_H_
