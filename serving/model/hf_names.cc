#include "serving/model/hf_names.h"

namespace kt::serving {

bool IsMatrixSlot(WeightSlot s) {
  switch (s) {
    case WeightSlot::kEmbed:
    case WeightSlot::kLmHead:
    case WeightSlot::kQkv:
    case WeightSlot::kO:
    case WeightSlot::kGateUp:
    case WeightSlot::kDown:
      return true;
    default:
      return false;
  }
}

std::vector<int64_t> SlotShape(const ModelConfig& c, WeightSlot s) {
  const int64_t h = c.hidden_size, in = c.intermediate_size;
  switch (s) {
    case WeightSlot::kEmbed:
    case WeightSlot::kLmHead:
      return {c.vocab_size, h};
    case WeightSlot::kFinalNorm:
    case WeightSlot::kInputNorm:
    case WeightSlot::kPostNorm:
    case WeightSlot::kOBias:
    case WeightSlot::kDownBias:
      return {h};
    case WeightSlot::kQkv:
      return {c.qkv_size(), h};
    case WeightSlot::kQkvBias:
      return {c.qkv_size()};
    case WeightSlot::kO:
      return {h, c.q_size()};
    case WeightSlot::kGateUp:
      return {2 * in, h};
    case WeightSlot::kGateUpBias:
      return {2 * in};
    case WeightSlot::kDown:
      return {h, in};
  }
  KT_UNREACHABLE();
  return {};
}

std::vector<HfPart> HfParts(const ModelConfig& c) {
  const int64_t h = c.hidden_size, in = c.intermediate_size;
  std::vector<HfPart> out;
  out.push_back({"model.embed_tokens.weight", -1, WeightSlot::kEmbed, 0, {c.vocab_size, h}});
  for (int layer = 0; layer < c.num_layers; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    auto add = [&](std::string name, WeightSlot slot, int64_t off, std::vector<int64_t> shape) {
      out.push_back({p + name, layer, slot, off, std::move(shape)});
    };
    add("input_layernorm.weight", WeightSlot::kInputNorm, 0, {h});
    if (c.arch == Architecture::kPhi3) {
      add("self_attn.qkv_proj.weight", WeightSlot::kQkv, 0, {c.qkv_size(), h});
    } else {
      add("self_attn.q_proj.weight", WeightSlot::kQkv, 0, {c.q_size(), h});
      add("self_attn.k_proj.weight", WeightSlot::kQkv, c.q_size(), {c.kv_size(), h});
      add("self_attn.v_proj.weight", WeightSlot::kQkv, c.q_size() + c.kv_size(), {c.kv_size(), h});
      if (c.qkv_bias) {
        add("self_attn.q_proj.bias", WeightSlot::kQkvBias, 0, {c.q_size()});
        add("self_attn.k_proj.bias", WeightSlot::kQkvBias, c.q_size(), {c.kv_size()});
        add("self_attn.v_proj.bias", WeightSlot::kQkvBias, c.q_size() + c.kv_size(), {c.kv_size()});
      }
    }
    add("self_attn.o_proj.weight", WeightSlot::kO, 0, {h, c.q_size()});
    if (c.o_bias) add("self_attn.o_proj.bias", WeightSlot::kOBias, 0, {h});
    add("post_attention_layernorm.weight", WeightSlot::kPostNorm, 0, {h});
    if (c.arch == Architecture::kPhi3) {
      add("mlp.gate_up_proj.weight", WeightSlot::kGateUp, 0, {2 * in, h});
    } else {
      add("mlp.gate_proj.weight", WeightSlot::kGateUp, 0, {in, h});
      add("mlp.up_proj.weight", WeightSlot::kGateUp, in, {in, h});
      if (c.mlp_bias) {
        add("mlp.gate_proj.bias", WeightSlot::kGateUpBias, 0, {in});
        add("mlp.up_proj.bias", WeightSlot::kGateUpBias, in, {in});
      }
    }
    add("mlp.down_proj.weight", WeightSlot::kDown, 0, {h, in});
    if (c.mlp_bias) add("mlp.down_proj.bias", WeightSlot::kDownBias, 0, {h});
  }
  out.push_back({"model.norm.weight", -1, WeightSlot::kFinalNorm, 0, {h}});
  if (!c.tie_word_embeddings) {
    out.push_back({"lm_head.weight", -1, WeightSlot::kLmHead, 0, {c.vocab_size, h}});
  }
  return out;
}

}  // namespace kt::serving
