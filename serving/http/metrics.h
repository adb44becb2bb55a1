// ServingMetrics: Prometheus text exposition of the server, under vLLM's metric names so
// dashboards and autoscalers built for vLLM read kaito-serve unchanged:
//   gauges      vllm:num_requests_running, vllm:num_requests_waiting,
//               vllm:gpu_cache_usage_perc (vLLM v0) and vllm:kv_cache_usage_perc (v1), 0..1
//   counters    vllm:prompt_tokens_total, vllm:generation_tokens_total,
//               vllm:num_preemptions_total, vllm:request_success_total{finished_reason}
//   histograms  vllm:time_to_first_token_seconds, vllm:time_per_output_token_seconds (v0)
//               and vllm:inter_token_latency_seconds (v1), vllm:e2e_request_latency_seconds,
//               vllm:request_prompt_tokens, vllm:request_generation_tokens
// Every series carries model_name="<served model>". Bucket bounds are vLLM's.
//
// Thread-safe (one mutex).
#ifndef KT_SERVING_HTTP_METRICS_H_
#define KT_SERVING_HTTP_METRICS_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/prometheus_text.h"
#include "serving/engine/engine.h"

namespace kt::serving {

class ServingMetrics {
 public:
  explicit ServingMetrics(std::string model_name);

  void ObserveFirstToken(double seconds);
  void ObserveInterToken(double seconds);
  void ObserveFinished(FinishReason reason, double e2e_seconds, int prompt_tokens,
                       int generation_tokens);
  // The exposition text, with gauges and engine counters from `stats`.
  std::string Render(const EngineStats& stats) const;

 private:
  std::string labels_;
  mutable std::mutex mu_;
  prometheus::Histogram ttft_, itl_, e2e_, prompt_tokens_, generation_tokens_;  // guarded by mu_
  std::map<std::string, uint64_t> finished_;                        // guarded by mu_
};

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_METRICS_H_
