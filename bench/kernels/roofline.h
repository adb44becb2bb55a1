// The roofline the kernel benchmarks report against (bench/kernels/roofline_h100.json: copy
// bandwidth and cuBLAS bf16 GEMM peak measured on an H100 80GB HBM3, plus the targets).
#ifndef KT_BENCH_KERNELS_ROOFLINE_H_
#define KT_BENCH_KERNELS_ROOFLINE_H_

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "base/json.h"

namespace kt::kernels::bench {

struct Roofline {
  std::string card;
  double copy_tbps = 0;
  double gemm_tflops = 0;
  double target_decode_gemm = 0, target_decode_attention = 0, target_prefill_gemm = 0;
  double target_prefill_attention_tflops = 0, target_elementwise = 0;
};

inline const Roofline& LoadRoofline() {
  static const Roofline r = [] {
    Roofline out;
    std::ifstream in(KT_ROOFLINE_JSON);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = ParseJson(ss.str());
    if (!j.ok()) {
      std::cerr << "roofline: cannot read " << KT_ROOFLINE_JSON << ": " << j.status().ToString()
                << "\n";
      return out;
    }
    const Json& v = *j;
    out.card = v.value("card", "");
    out.copy_tbps = v.value("copy_TBps", 0.0);
    out.gemm_tflops = v.value("gemm_bf16_TFLOPs", 0.0);
    const Json t = v.value("targets", Json::object());
    out.target_decode_gemm = t.value("decode_gemm_b1_copy_fraction", 0.0);
    out.target_decode_attention = t.value("decode_attention_4k_copy_fraction", 0.0);
    out.target_prefill_gemm = t.value("prefill_gemm_fraction_of_cublaslt_best", 0.0);
    out.target_prefill_attention_tflops = t.value("prefill_attention_d128_4k_causal_TFLOPs", 0.0);
    out.target_elementwise = t.value("elementwise_copy_fraction", 0.0);
    return out;
  }();
  return r;
}

}  // namespace kt::kernels::bench

#endif  // KT_BENCH_KERNELS_ROOFLINE_H_
