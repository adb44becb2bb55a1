// kaito-serve: the inference server of a Kaito Workspace pod.
//
//   kaito-serve [serve] --preset NAME (--model-dir DIR | --random-weights [--seed N])
//               [--adapter NAME=DIR[:STRENGTH]]... [--adapters-dir /mnt/adapter]
//               --device cpu|cuda --port 5000 [options]
//   kaito-serve dump-logits (--model-dir DIR | --preset NAME --random-weights --seed N)
//               --tokens 1,2,3 [--prefill K] [--adapter NAME=DIR[:STRENGTH]] --out FILE
//   kaito-serve save-random --preset NAME --seed N --out DIR [--dtype bfloat16]
//               [--adapter-out DIR --adapter-rank R --adapter-targets q_proj,v_proj]
//   kaito-serve tokenize (--tokenizer-dir DIR | --tokenizer-json FILE | --preset NAME)
//               [--no-special]   (stdin: one JSON string per line; stdout: JSON id lists)
//   kaito-serve presets
//
// `kaito-serve --help` lists every option. Exit codes: 0 ok, 1 runtime failure, 2 bad usage.
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "base/log.h"
#include "base/real_env.h"
#include "serving/engine/engine_loop.h"
#include "serving/engine/lora_adapter.h"
#include "serving/engine/model_setup.h"
#include "serving/http/serving_server.h"
#include "serving/model/memory_budget.h"
#include "serving/model/presets.h"

namespace kt::serving {
namespace {

const char kUsage[] = R"(kaito-serve: Kaito-compatible LLM inference server (CPU reference backend)

usage: kaito-serve [serve] --preset NAME (--model-dir DIR | --random-weights [--seed N]) [options]
       kaito-serve dump-logits (--model-dir DIR | --preset NAME --random-weights --seed N)
                   --tokens 1,2,3 [--prefill K] [--adapter NAME=DIR[:STRENGTH]]
                   [--device cpu|cuda] --out FILE
       kaito-serve save-random --preset NAME --seed N --out DIR [--dtype bfloat16]
                   [--adapter-out DIR --adapter-rank R --adapter-targets a,b,c]
       kaito-serve tokenize (--tokenizer-dir DIR | --tokenizer-json FILE | --preset NAME)
                   [--no-special]
       kaito-serve presets

serve options:
  --preset NAME              Kaito preset (kaito-serve presets lists them)
  --model-dir DIR            config.json + safetensors (+ tokenizer files)
  --random-weights           seeded random weights of the preset's architecture
  --seed N                   seed for --random-weights (default 0)
  --tokenizer-dir DIR        tokenizer files elsewhere than the model directory
  --tokenizer-json FILE      a tokenizer.json file
  --adapter NAME=DIR[:S]     a PEFT LoRA adapter with strength S (default 1); repeatable
  --adapters-dir DIR         load every adapter under DIR, strength from env var NAME (Kaito)
  --device cpu|cuda          kernels that run the model (default cpu; cuda runs bf16)
  --cuda-device N            which CUDA device (default 0)
  --host ADDR                bind address (default 0.0.0.0)
  --port N                   port (default 5000)
  --served-model-name NAME   OpenAI model id (default: the preset name)
  --dtype float32|bfloat16   weights in memory (default float32; cuda: bfloat16)
  --kv-dtype float32|bfloat16  KV cache (default float32; cuda: bfloat16, the only one it runs)
  --kv-cache-bytes N         KV cache size (default 1073741824)
  --num-kv-blocks N          KV cache size in blocks (overrides --kv-cache-bytes)
  --block-size N             tokens per KV block (default 16)
  --max-batch-tokens N       token budget per step (default 2048)
  --max-num-seqs N           running sequences (default 64)
  --max-waiting N            queued requests before 429 (default 256)
  --max-model-len N          context length (default: the model's)
  --max-tokens-limit N       largest max_tokens a request may ask for (default 8192)
  --request-timeout DUR      e.g. 600s (default 600s)
  --shutdown-grace DUR       after SIGTERM drained the engine, time left for the last
                             responses to reach their clients (default 2s)
  --body-bytes-max N         request body limit (default 3145728)
  --threads N                OpenBLAS threads (default 1)
  --io-threads N             HTTP threads (default 2)
  --longrope-policy P        transformers (default) | vllm
  --log-level LEVEL          debug|info|warning|error
)";

struct Flags {
  std::string command = "serve";
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, bool> switches;

  bool Has(const std::string& k) const { return values.count(k) || switches.count(k); }
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = values.find(k);
    return it == values.end() ? def : it->second.back();
  }
  std::vector<std::string> All(const std::string& k) const {
    auto it = values.find(k);
    return it == values.end() ? std::vector<std::string>{} : it->second;
  }
};

const std::vector<std::string> kSwitches = {"random-weights", "no-special", "help"};

Result<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  int i = 1;
  if (argc > 1 && argv[1][0] != '-') {
    f.command = argv[1];
    i = 2;
  }
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) return BadRequest("unexpected argument \"" + a + "\"");
    a = a.substr(2);
    std::string value;
    size_t eq = a.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    if (std::find(kSwitches.begin(), kSwitches.end(), a) != kSwitches.end()) {
      f.switches[a] = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) return BadRequest("--" + a + " needs a value");
      value = argv[++i];
    }
    f.values[a].push_back(value);
  }
  return f;
}

Result<int64_t> IntFlag(const Flags& f, const std::string& k, int64_t def, int64_t lo, int64_t hi) {
  if (!f.values.count(k)) return def;
  std::string s = f.Get(k);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < lo || v > hi) {
    return BadRequest("--" + k + " must be an integer in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got \"" + s + "\"");
  }
  return static_cast<int64_t>(v);
}

Result<ModelSetupOptions> SetupFromFlags(const Flags& f) {
  ModelSetupOptions o;
  o.preset = f.Get("preset");
  o.model_dir = f.Get("model-dir");
  o.random_weights = f.Has("random-weights");
  KT_ASSIGN_OR_RETURN(int64_t seed, IntFlag(f, "seed", 0, 0, INT64_MAX));
  o.seed = static_cast<uint64_t>(seed);
  o.tokenizer_dir = f.Get("tokenizer-dir");
  o.tokenizer_json = f.Get("tokenizer-json");
  if (o.random_weights && !o.model_dir.empty()) {
    return BadRequest("--model-dir and --random-weights exclude each other");
  }
  auto device = kernels::ParseBackendKind(f.Get("device", "cpu"));
  if (!device.ok()) return BadRequest("--device must be cpu or cuda");
  o.device = device.value();
  KT_ASSIGN_OR_RETURN(int64_t cuda_device, IntFlag(f, "cuda-device", 0, 0, 1024));
  o.cuda_device = static_cast<int>(cuda_device);
  // CUDA runs bf16: weights are converted on the device anyway, so load them as bf16.
  const char* default_dtype = o.device == kernels::BackendKind::kCuda ? "bfloat16" : "float32";
  KT_ASSIGN_OR_RETURN(o.dtype, ParseTorchDType(f.Get("dtype", default_dtype)));
  KT_ASSIGN_OR_RETURN(o.kv_dtype, ParseTorchDType(f.Get("kv-dtype", default_dtype)));
  for (const std::string& s : f.All("adapter")) {
    KT_ASSIGN_OR_RETURN(AdapterSpec a, ParseAdapterSpec(s));
    o.adapters.push_back(std::move(a));
  }
  if (f.values.count("adapters-dir")) {
    KT_ASSIGN_OR_RETURN(auto found, DiscoverAdapters(f.Get("adapters-dir")));
    o.adapters.insert(o.adapters.end(), found.begin(), found.end());
  }
  KT_ASSIGN_OR_RETURN(int64_t kv_bytes, IntFlag(f, "kv-cache-bytes", 1ll << 30, 1 << 16, 1ll << 42));
  o.kv_cache_bytes = static_cast<uint64_t>(kv_bytes);
  KT_ASSIGN_OR_RETURN(int64_t blocks, IntFlag(f, "num-kv-blocks", 0, 0, 1 << 24));
  o.num_kv_blocks = static_cast<int32_t>(blocks);
  KT_ASSIGN_OR_RETURN(int64_t bs, IntFlag(f, "block-size", 16, 1, 1024));
  o.block_size = static_cast<int32_t>(bs);
  KT_ASSIGN_OR_RETURN(int64_t mbt, IntFlag(f, "max-batch-tokens", 2048, 1, 1 << 20));
  o.max_batch_tokens = static_cast<int32_t>(mbt);
  KT_ASSIGN_OR_RETURN(int64_t seqs, IntFlag(f, "max-num-seqs", 64, 1, 1 << 16));
  o.max_num_seqs = static_cast<int32_t>(seqs);
  KT_ASSIGN_OR_RETURN(int64_t waiting, IntFlag(f, "max-waiting", 256, 0, 1 << 20));
  o.max_waiting = static_cast<int32_t>(waiting);
  KT_ASSIGN_OR_RETURN(int64_t mml, IntFlag(f, "max-model-len", 0, 0, 1 << 24));
  o.max_model_len = static_cast<int32_t>(mml);
  KT_ASSIGN_OR_RETURN(int64_t threads, IntFlag(f, "threads", 1, 1, 256));
  o.threads = static_cast<int>(threads);
  std::string policy = f.Get("longrope-policy", "transformers");
  if (policy == "transformers") {
    o.rope_policy = LongRopePolicy::kTransformers;
  } else if (policy == "vllm") {
    o.rope_policy = LongRopePolicy::kAlwaysLong;
  } else {
    return BadRequest("--longrope-policy must be transformers or vllm");
  }
  return o;
}

int Fail(const Status& s, int code = 1) {
  std::fprintf(stderr, "kaito-serve: %s\n", s.message().c_str());
  return code;
}

int Serve(const Flags& f) {
  auto setup = SetupFromFlags(f);
  if (!setup.ok()) return Fail(setup.status(), 2);
  if (setup->preset.empty()) return Fail(BadRequest("--preset is required"), 2);
  auto port = IntFlag(f, "port", 5000, 0, 65535);
  auto limit = IntFlag(f, "max-tokens-limit", 8192, 1, 1 << 24);
  auto body = IntFlag(f, "body-bytes-max", 3 << 20, 1024, 1ll << 32);
  auto io_threads = IntFlag(f, "io-threads", 2, 1, 64);
  auto timeout = ParseDuration(f.Get("request-timeout", "600s"));
  auto grace = ParseDuration(f.Get("shutdown-grace", "2s"));
  for (const Status& s : {port.status(), limit.status(), body.status(), io_threads.status(),
                          timeout.status(), grace.status()}) {
    if (!s.ok()) return Fail(s, 2);
  }
  auto preset = FindPreset(setup->preset);
  if (!preset.ok()) return Fail(preset.status(), 2);

  RealEnv env;
  SetLogClock([&env] { return env.Now(); });
  ServingOptions so;
  so.served_model_name = f.Get("served-model-name", setup->preset);
  so.chat_format = preset.value()->chat_format;
  so.max_tokens_limit = limit.value();
  so.request_timeout = timeout.value();
  net::HttpServerOptions ho;
  ho.bind_address = f.Get("host", "0.0.0.0");
  ho.port = static_cast<uint16_t>(port.value());
  ho.body_bytes_max = static_cast<uint64_t>(body.value());
  ho.server_name = "kaito-serve";
  ServingServer server(env, so, ho);
  env.RunInBackground(static_cast<int>(io_threads.value()));
  if (Status s = server.Start(); !s.ok()) return Fail(s);
  KT_LOG(INFO) << "listening on " << server.base_url() << " (probes answer 500 until the model is loaded)";

  auto loaded = SetUpModel(env, setup.value());
  if (!loaded.ok()) {
    server.Stop();
    env.Stop();
    env.Join();
    return Fail(loaded.status());
  }
  KT_LOG(INFO) << "model " << setup->preset << " ready: " << ArchitectureName(loaded->config.arch)
               << ", " << loaded->config.ParameterCount() << " parameters, tokenizer "
               << loaded->tokenizer_source << ", " << loaded->engine->kv_capacity_tokens()
               << " KV tokens, context " << loaded->engine->max_model_len();
  // /chat applies the merged adapters (Kaito's transformers runtime merges them).
  if (!loaded->kaito_adapter.empty()) {
    KT_LOG(INFO) << "adapters loaded: " << loaded->engine->adapters().size() - 1;
  }
  EngineLoop loop(env, std::move(loaded->engine));
  loop.Start();
  ServingServer* active = &server;
  active->SetEngine(&loop, loaded->kaito_adapter);

  std::promise<int> signalled;
  boost::asio::signal_set signals(env.io(), SIGINT, SIGTERM);
  signals.async_wait([&signalled](const boost::system::error_code& ec, int sig) {
    if (!ec) signalled.set_value(sig);
  });
  int sig = signalled.get_future().get();
  size_t in_flight = loop.in_flight();
  KT_LOG(INFO) << "signal " << sig << ": finishing " << in_flight << " in-flight requests";
  active->BeginShutdown();
  loop.Drain();
  // The engine is done, but the io threads may still be writing the last responses and
  // stream chunks; the HTTP server cuts open connections when stopped. base/net has no
  // "every write flushed" signal, so give them a bounded grace period first.
  if (in_flight > 0) std::this_thread::sleep_for(grace.value());
  active->Stop();
  loop.Stop();
  env.Stop();
  env.Join();
  KT_LOG(INFO) << "shut down cleanly";
  return 0;
}

Result<std::vector<int32_t>> ParseTokens(const std::string& s) {
  std::vector<int32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    std::string t = s.substr(i, j - i);
    char* end = nullptr;
    long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || v < 0 || v > INT32_MAX) return BadRequest("bad token id \"" + t + "\"");
    out.push_back(static_cast<int32_t>(v));
    i = j + 1;
  }
  return out;
}

int DumpLogits(const Flags& f) {
  auto setup = SetupFromFlags(f);
  if (!setup.ok()) return Fail(setup.status(), 2);
  auto tokens = ParseTokens(f.Get("tokens"));
  if (!tokens.ok() || tokens->empty()) return Fail(BadRequest("--tokens 1,2,3 is required"), 2);
  auto prefill = IntFlag(f, "prefill", 0, 0, 1 << 24);
  if (!prefill.ok()) return Fail(prefill.status(), 2);
  std::string out_path = f.Get("out");
  if (out_path.empty()) return Fail(BadRequest("--out FILE is required"), 2);
  const Preset* preset = nullptr;
  auto weights = LoadWeights(setup.value(), &preset);
  if (!weights.ok()) return Fail(weights.status());
  const int64_t vocab = weights->config.vocab_size;
  auto logits = ComputeLogits(std::move(weights).value(), tokens.value(),
                              static_cast<int32_t>(prefill.value()), setup->adapters,
                              setup->device);
  if (!logits.ok()) return Fail(logits.status());
  std::ofstream out(out_path);
  out << "{\"tokens\":" << Json(tokens.value()).dump() << ",\"vocab_size\":" << vocab
      << ",\"logits\":[";
  char buf[32];
  for (size_t i = 0; i < logits->size(); ++i) {
    out << (i ? ",[" : "[");
    for (size_t v = 0; v < (*logits)[i].size(); ++v) {
      std::snprintf(buf, sizeof buf, "%s%.9g", v ? "," : "", (*logits)[i][v]);
      out << buf;
    }
    out << "]";
  }
  out << "]}\n";
  if (!out) return Fail(Internal("cannot write " + out_path));
  return 0;
}

int SaveRandom(const Flags& f) {
  auto setup = SetupFromFlags(f);
  if (!setup.ok()) return Fail(setup.status(), 2);
  setup->random_weights = true;
  std::string out = f.Get("out");
  if (out.empty()) return Fail(BadRequest("--out DIR is required"), 2);
  auto save_dtype = ParseTorchDType(f.Get("dtype", "float32"));
  if (!save_dtype.ok()) return Fail(save_dtype.status(), 2);
  setup->dtype = save_dtype.value();
  const Preset* preset = nullptr;
  auto weights = LoadWeights(setup.value(), &preset);
  if (!weights.ok()) return Fail(weights.status());
  if (Status s = SaveModelDir(weights.value(), out, {.dtype = save_dtype.value()}); !s.ok()) return Fail(s);
  std::string adapter_out = f.Get("adapter-out");
  if (!adapter_out.empty()) {
    RandomLoraOptions lo;
    auto rank = IntFlag(f, "adapter-rank", 8, 1, 256);
    if (!rank.ok()) return Fail(rank.status(), 2);
    lo.rank = static_cast<int>(rank.value());
    lo.alpha = 2.0 * lo.rank;
    lo.seed = setup->seed + 1;
    std::string targets = f.Get("adapter-targets");
    if (!targets.empty()) {
      lo.target_modules.clear();
      size_t i = 0;
      while (i <= targets.size()) {
        size_t j = targets.find(',', i);
        if (j == std::string::npos) j = targets.size();
        lo.target_modules.push_back(targets.substr(i, j - i));
        i = j + 1;
      }
    } else if (weights->config.arch == Architecture::kPhi3) {
      lo.target_modules = {"qkv_proj", "o_proj", "gate_up_proj", "down_proj"};
    }
    auto adapter = RandomLoraAdapter(weights->config, lo, "random");
    if (!adapter.ok()) return Fail(adapter.status(), 2);
    if (Status s = SaveLoraAdapter(adapter.value(), weights->config, adapter_out, out); !s.ok()) return Fail(s);
  }
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

int Tokenize(const Flags& f) {
  auto setup = SetupFromFlags(f);
  if (!setup.ok()) return Fail(setup.status(), 2);
  const Preset* preset = nullptr;
  ModelConfig config;
  if (!setup->preset.empty()) {
    auto p = FindPreset(setup->preset);
    if (!p.ok()) return Fail(p.status(), 2);
    preset = p.value();
    if (preset->config) config = *preset->config;
  }
  if (!setup->model_dir.empty()) {
    auto c = LoadModelConfig(setup->model_dir);
    if (c.ok()) config = c.value();
  }
  std::string source;
  Status error;
  auto tok = ChooseTokenizer(setup.value(), preset, config, &source, &error);
  if (!tok) return Fail(error);
  const bool special = !f.Has("no-special");
  std::string line;
  while (std::getline(std::cin, line)) {
    auto j = ParseJson(line);
    if (!j.ok() || !j->is_string()) return Fail(BadRequest("each input line must be a JSON string"), 2);
    std::vector<int32_t> ids = tok->Encode(j->get<std::string>(), special);
    Json out = {{"ids", ids}, {"decoded", tok->Decode(ids, true)}};
    std::printf("%s\n", DumpJson(out).c_str());
  }
  return 0;
}

int ListPresets() {
  for (const Preset& p : BuiltinPresets()) {
    std::printf("%-32s %-42s %s\n", p.name.c_str(), p.hf_id.c_str(),
                p.config ? std::string(ArchitectureName(p.config->arch)).c_str() : "(needs --model-dir)");
  }
  return 0;
}

}  // namespace
}  // namespace kt::serving

int main(int argc, char** argv) {
  using namespace kt::serving;
  auto flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "kaito-serve: %s\n\n%s", flags.status().message().c_str(), kUsage);
    return 2;
  }
  if (flags->Has("help") || flags->command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags->values.count("log-level")) {
    auto level = kt::ParseLogLevel(flags->Get("log-level"));
    if (!level.ok()) return Fail(level.status(), 2);
    kt::SetLogLevel(level.value());
  }
  const std::string& cmd = flags->command;
  if (cmd == "serve") return Serve(flags.value());
  if (cmd == "dump-logits") return DumpLogits(flags.value());
  if (cmd == "save-random") return SaveRandom(flags.value());
  if (cmd == "tokenize") return Tokenize(flags.value());
  if (cmd == "presets") return ListPresets();
  std::fprintf(stderr, "kaito-serve: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
