// ReferenceModel: a deliberately naive float64 implementation of the decoder forward pass,
// written from the Hugging Face modeling code's semantics and sharing no arithmetic with the
// engine. It is the oracle the CPU backend's logits are checked against.
//
// What it shares with the engine: config.json parsing (ModelConfig, tested on its own) and the
// safetensors container reader (tested on its own). Everything numeric is separate: dtype
// widening, RoPE frequencies (default, linear, llama3, LongRoPE) and the cos/sin multiplier,
// the causal and sliding-window masks (key j visible to query i iff i - W < j <= i), GQA head
// mapping, biases, PEFT LoRA (y += strength * alpha / r * B A x, or alpha / sqrt(r) with
// use_rslora) and tied embeddings. There is no KV cache: each call recomputes the whole
// sequence, and LongRoPE factors are chosen per token with the transformers rule documented in
// serving/model/rope.h (long iff max(prompt_len, position + 1) > original_max).
//
// Slow by design (O(T^2) attention, scalar loops); use tiny configs. Not thread-safe.
#ifndef KT_TESTS_SERVING_REFERENCE_REFERENCE_MODEL_H_
#define KT_TESTS_SERVING_REFERENCE_REFERENCE_MODEL_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "serving/model/model_config.h"

namespace kt::serving::testing {

class ReferenceModel {
 public:
  // Reads <dir>/config.json and the safetensors weights under Hugging Face names.
  static Result<std::unique_ptr<ReferenceModel>> Load(const std::string& dir);

  // Loads a PEFT adapter directory (adapter_config.json + adapter_model.safetensors).
  Status AddAdapter(const std::string& name, const std::string& dir);

  // Logits (vocab values) at every position of `tokens`. `prompt_len` (default: all tokens)
  // drives the LongRoPE factor choice; `adapter` ("" for none) and `strength` select LoRA.
  std::vector<std::vector<double>> Forward(const std::vector<int>& tokens, int prompt_len = -1,
                                           const std::string& adapter = "",
                                           double strength = 1.0) const;
  // With several adapters applied at once, each at its strength (their deltas add up).
  std::vector<std::vector<double>> Forward(const std::vector<int>& tokens, int prompt_len,
                                           const std::vector<std::pair<std::string, double>>& adapters) const;

  const ModelConfig& config() const { return config_; }

 private:
  struct Matrix {
    int rows = 0, cols = 0;
    std::vector<double> v;  // row-major
  };
  struct Lora {
    Matrix a, b;  // A [r, in], B [out, r]
  };
  struct Adapter {
    double scale = 1.0;  // alpha / r (or alpha / sqrt(r))
    std::map<std::string, Lora> modules;  // "layers.0.self_attn.q_proj" -> A, B
  };

  ReferenceModel() = default;
  const Matrix& W(const std::string& name) const;
  const Matrix* MaybeW(const std::string& name) const;
  // y = W x (+ bias) (+ LoRA delta of module `module` under `adapter`).
  using Applied = std::vector<std::pair<const Adapter*, double>>;
  std::vector<double> Linear(const std::string& module, const std::vector<double>& x,
                             const Applied& adapters) const;
  std::vector<double> InvFreq(bool long_factors) const;
  double Mscale() const;

  ModelConfig config_;
  std::map<std::string, Matrix> weights_;
  std::map<std::string, Adapter> adapters_;
};

}  // namespace kt::serving::testing

#endif  // KT_TESTS_SERVING_REFERENCE_REFERENCE_MODEL_H_
