// /metrics text: vLLM's metric names with model_name labels, cumulative histogram buckets
// ending in +Inf with _sum and _count, success counters per finish reason, and engine gauges.
#include "serving/http/metrics.h"

#include <gtest/gtest.h>

namespace kt::serving {
namespace {

TEST(MetricsTest, RendersVllmNamesAndCumulativeBuckets) {
  ServingMetrics m("tiny");
  m.ObserveFirstToken(0.003);
  m.ObserveFirstToken(0.5);
  m.ObserveInterToken(0.02);
  m.ObserveFinished(FinishReason::kLength, 1.2, 10, 5);
  EngineStats s;
  s.running = 2;
  s.waiting = 1;
  s.kv_cache_usage = 0.25;
  s.prompt_tokens_total = 10;
  s.generation_tokens_total = 5;
  std::string text = m.Render(s);
  for (const char* want :
       {"vllm:num_requests_running{model_name=\"tiny\"} 2\n",
        "vllm:num_requests_waiting{model_name=\"tiny\"} 1\n",
        "vllm:gpu_cache_usage_perc{model_name=\"tiny\"} 0.25\n",
        "vllm:kv_cache_usage_perc{model_name=\"tiny\"} 0.25\n",
        "vllm:prompt_tokens_total{model_name=\"tiny\"} 10\n",
        "vllm:generation_tokens_total{model_name=\"tiny\"} 5\n",
        "vllm:request_success_total{model_name=\"tiny\",finished_reason=\"length\"} 1\n",
        "vllm:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"0.001\"} 0\n",
        "vllm:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"0.005\"} 1\n",
        "vllm:time_to_first_token_seconds_bucket{model_name=\"tiny\",le=\"+Inf\"} 2\n",
        "vllm:time_to_first_token_seconds_count{model_name=\"tiny\"} 2\n",
        "# TYPE vllm:e2e_request_latency_seconds histogram\n",
        "# TYPE vllm:inter_token_latency_seconds histogram\n"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want;
  }
}

}  // namespace
}  // namespace kt::serving
