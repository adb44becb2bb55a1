#include "serving/http/metrics.h"

#include "base/prometheus_text.h"

namespace kt::serving {

namespace {

// vLLM's bucket bounds (vllm/engine/metrics.py).
const std::vector<double> kTtftBuckets = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25,
                                          0.5,   0.75,  1.0,  2.5,  5.0,  7.5,  10.0, 20.0, 40.0,
                                          80.0,  160.0, 640.0, 2560.0};
const std::vector<double> kItlBuckets = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
                                         0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
const std::vector<double> kE2eBuckets = {0.3,  0.5,  0.8,  1.0,  1.5,  2.0,   2.5,   5.0,  10.0,
                                         15.0, 20.0, 30.0, 40.0, 50.0, 60.0,  120.0, 240.0, 480.0,
                                         960.0, 1920.0, 7680.0};
const std::vector<double> kTokenBuckets = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                                           10000, 20000, 50000, 100000};

}  // namespace

ServingMetrics::ServingMetrics(std::string model_name)
    : labels_("model_name=\"" + prometheus::EscapeLabelValue(model_name) + "\""),
      ttft_(kTtftBuckets),
      itl_(kItlBuckets),
      e2e_(kE2eBuckets),
      prompt_tokens_(kTokenBuckets),
      generation_tokens_(kTokenBuckets) {}

void ServingMetrics::ObserveFirstToken(double s) {
  std::lock_guard<std::mutex> lock(mu_);
  ttft_.Observe(s);
}

void ServingMetrics::ObserveInterToken(double s) {
  std::lock_guard<std::mutex> lock(mu_);
  itl_.Observe(s);
}

void ServingMetrics::ObserveFinished(FinishReason reason, double e2e, int prompt_tokens,
                                     int generation_tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  e2e_.Observe(e2e);
  prompt_tokens_.Observe(prompt_tokens);
  generation_tokens_.Observe(generation_tokens);
  ++finished_[std::string(FinishReasonName(reason))];
}

std::string ServingMetrics::Render(const EngineStats& s) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  auto gauge = [&](const char* name, const char* help, double v) {
    prometheus::AppendHeader(out, name, "gauge", help);
    out += std::string(name) + "{" + labels_ + "} " + prometheus::FormatValue(v) + "\n";
  };
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    prometheus::AppendHeader(out, name, "counter", help);
    out += std::string(name) + "{" + labels_ + "} " + std::to_string(v) + "\n";
  };
  gauge("vllm:num_requests_running", "Number of requests in model execution batches.", s.running);
  gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", s.waiting);
  gauge("vllm:gpu_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", s.kv_cache_usage);
  gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", s.kv_cache_usage);
  counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.", s.prompt_tokens_total);
  counter("vllm:generation_tokens_total", "Number of generation tokens processed.",
          s.generation_tokens_total);
  counter("vllm:num_preemptions_total", "Cumulative number of preemption from the engine.",
          s.preemptions_total);
  prometheus::AppendHeader(out, "vllm:request_success_total", "counter",
                           "Count of successfully processed requests.");
  for (const char* reason : {"stop", "length", "abort"}) {
    auto it = finished_.find(reason);
    out += std::string("vllm:request_success_total{") + labels_ + ",finished_reason=\"" + reason +
           "\"} " + std::to_string(it == finished_.end() ? 0 : it->second) + "\n";
  }
  auto histogram = [&](const char* name, const char* help, const prometheus::Histogram& h) {
    prometheus::AppendHeader(out, name, "histogram", help);
    h.AppendSamples(out, name, labels_);
  };
  histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", ttft_);
  histogram("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.",
            itl_);
  histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", itl_);
  histogram("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.",
            e2e_);
  histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", prompt_tokens_);
  histogram("vllm:request_generation_tokens", "Number of generation tokens processed.",
            generation_tokens_);
  return out;
}

}  // namespace kt::serving
