// ModelWeights: the parameters of a ModelConfig in the engine's layout, loaded from a Hugging
// Face checkpoint, drawn at random from a seed, or saved back as a checkpoint.
//
// Layout. Every family is stored the way Phi-3 stores it: one fused qkv projection
// [q_size + 2 kv_size, hidden] (rows: q, then k, then v) and one fused gate_up projection
// [2 intermediate, hidden] (rows: gate, then up). Llama-family checkpoints (separate q/k/v and
// gate/up tensors) are concatenated at load and split again at save, so the Hugging Face
// parameter names round-trip exactly (hf_names.h). Linear weights and the embedding are held
// in `dtype` (float32 or bfloat16); norms and biases are float32.
//
// Random weights are a pure function of (config, seed): each Hugging Face tensor is drawn
// from a stream seeded by the seed and the tensor's name, so the values do not depend on
// load order, and a saved random model reloads bit-identically.
//
// Movable value; thread-safe for concurrent reads.
#ifndef KT_SERVING_MODEL_MODEL_WEIGHTS_H_
#define KT_SERVING_MODEL_MODEL_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "serving/model/checkpoint.h"
#include "serving/model/model_config.h"
#include "serving/model/tensor.h"

namespace kt::serving {

struct LayerWeights {
  Tensor input_norm;     // [hidden] f32
  Tensor qkv;            // [qkv_size, hidden]
  Tensor qkv_bias;       // [qkv_size] f32, empty without bias
  Tensor o;              // [hidden, q_size]
  Tensor o_bias;         // [hidden] f32 or empty
  Tensor post_norm;      // [hidden] f32
  Tensor gate_up;        // [2 * intermediate, hidden]
  Tensor gate_up_bias;   // [2 * intermediate] f32 or empty
  Tensor down;           // [hidden, intermediate]
  Tensor down_bias;      // [hidden] f32 or empty
};

struct ModelWeights {
  ModelConfig config;
  DType dtype = DType::kF32;  // of the linear weights and the embedding
  Tensor embed;               // [vocab, hidden]
  std::vector<LayerWeights> layers;
  Tensor final_norm;  // [hidden] f32
  Tensor lm_head;     // [vocab, hidden]; empty when tie_word_embeddings

  const Tensor& output_weight() const { return lm_head.empty() ? embed : lm_head; }
  // Bytes held by all tensors.
  uint64_t Bytes() const;
};

// Bytes the weights of `config` take at `dtype` (norms and biases in float32).
uint64_t WeightBytes(const ModelConfig& config, DType dtype);

// Loads every tensor the config needs from `checkpoint`, checking shapes against the config.
// Missing tensors are NotFound naming the tensor; lm_head may be absent only when tied.
Result<ModelWeights> LoadModelWeights(const ModelConfig& config, const Checkpoint& checkpoint,
                                      DType dtype);
// config.json + safetensors of a model directory.
Result<ModelWeights> LoadModelDir(const std::string& dir, DType dtype);

struct RandomWeightOptions {
  uint64_t seed = 0;
  DType dtype = DType::kF32;
  // Threads drawing the tensors (0: one per core). Each tensor has its own random stream, so
  // the weights are the same for any thread count.
  int threads = 1;
};
ModelWeights RandomModelWeights(const ModelConfig& config, const RandomWeightOptions& options);

struct SaveOptions {
  // Shards are started when a file would exceed this (transformers' default is 5 GB); one
  // shard writes model.safetensors, several write model-0000i-of-0000n.safetensors and
  // model.safetensors.index.json.
  uint64_t shard_bytes_max = 5'000'000'000ull;
  DType dtype = DType::kBF16;  // stored dtype; torch_dtype in config.json follows it
};
// Writes config.json and the safetensors files under Hugging Face names into `dir` (created).
Status SaveModelDir(const ModelWeights& weights, const std::string& dir, const SaveOptions& options);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_MODEL_WEIGHTS_H_
