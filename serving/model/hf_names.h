// The Hugging Face parameter names of each family and how they map onto the fused layout of
// ModelWeights. A HfPart says: the tensor `name` fills rows [row_offset, row_offset + rows) of
// the fused engine tensor `slot` of layer `layer` (-1 for model-level tensors).
//
// Pure functions; thread-safe.
#ifndef KT_SERVING_MODEL_HF_NAMES_H_
#define KT_SERVING_MODEL_HF_NAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "serving/model/model_config.h"

namespace kt::serving {

enum class WeightSlot : uint8_t {
  kEmbed,
  kFinalNorm,
  kLmHead,
  kInputNorm,
  kQkv,
  kQkvBias,
  kO,
  kOBias,
  kPostNorm,
  kGateUp,
  kGateUpBias,
  kDown,
  kDownBias,
};

// Slots holding matrices (stored in the weight dtype); the rest are float32 vectors.
bool IsMatrixSlot(WeightSlot s);

struct HfPart {
  std::string name;             // "model.layers.0.self_attn.q_proj.weight"
  int layer = -1;
  WeightSlot slot = WeightSlot::kEmbed;
  int64_t row_offset = 0;       // first row of the fused tensor this part fills
  std::vector<int64_t> shape;   // of the Hugging Face tensor
};

// Every tensor of the model, in a stable order (embedding, layers, norm, lm_head). lm_head is
// omitted when the embeddings are tied.
std::vector<HfPart> HfParts(const ModelConfig& c);
// Shape of the fused engine tensor for a slot.
std::vector<int64_t> SlotShape(const ModelConfig& c, WeightSlot s);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_HF_NAMES_H_
