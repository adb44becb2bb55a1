// The preset catalog: the embedded data file loads, holds Kaito v0.4.6's registered presets with
// their v0.4.6 numbers (checked against ../shared/reference/kaito-presets.yaml when present),
// and a malformed file is refused with a message naming the entry and field.
#include "controllers/kaito/preset_catalog.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "api/quantity.h"
#include "base/json.h"
#include "base/yaml.h"

namespace kt::kaito {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;
const char* const kReferencePresets = "../shared/reference/kaito-presets.yaml";

TEST(PresetCatalogTest, EmbeddedCatalogHasAllReferencePresets) {
  const PresetCatalog& c = DefaultPresetCatalog();
  EXPECT_EQ(c.presets().size(), 36u);
  int registered = 0;
  for (const Preset& p : c.presets()) registered += p.in_v0_4_6 ? 1 : 0;
  EXPECT_EQ(registered, 19);
}

TEST(PresetCatalogTest, Phi3MiniHasV046Requirements) {
  const Preset* p = DefaultPresetCatalog().FindRegistered("phi-3-mini-4k-instruct");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->inference.gpu_count, 1);
  EXPECT_EQ(p->inference.total_gpu_memory_bytes, 9 * kGiB);
  EXPECT_EQ(p->inference.per_gpu_memory_bytes, 0);
  EXPECT_EQ(p->inference.disk, "80Gi");
  EXPECT_EQ(p->inference.disk_bytes, 80 * kGiB);
  EXPECT_EQ(p->inference.readiness_timeout_s, 1800);
  ASSERT_TRUE(p->SupportsTuning());
  EXPECT_EQ(p->tuning->total_gpu_memory_bytes, 72 * kGiB);
  EXPECT_EQ(p->Image("mcr.microsoft.com/aks/kaito"),
            "mcr.microsoft.com/aks/kaito/kaito-phi-3-mini-4k-instruct:0.1.1");
  EXPECT_TRUE(p->SupportsRuntime("vllm"));
  EXPECT_FALSE(p->vllm_disallow_lora);
  EXPECT_NE(DefaultPresetCatalog().FindRegistered("phi-3-mini-128k-instruct"), nullptr);
}

TEST(PresetCatalogTest, FalconDisallowsLoraOnVllmAndHasQloraMemory) {
  const Preset* p = DefaultPresetCatalog().FindRegistered("falcon-7b");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->vllm_disallow_lora);
  EXPECT_TRUE(p->vllm_disable_tensor_parallelism);
  ASSERT_TRUE(p->tuning);
  EXPECT_EQ(p->tuning->qlora_per_gpu_memory_bytes, 16 * kGiB);
  const Preset* f40 = DefaultPresetCatalog().FindRegistered("falcon-40b");
  ASSERT_NE(f40, nullptr);
  EXPECT_EQ(f40->inference.gpu_count, 2);
  EXPECT_EQ(f40->inference.total_gpu_memory_bytes, 90 * kGiB);
}

TEST(PresetCatalogTest, Llama31DownloadsAtRuntimeFromBaseImage) {
  const Preset* p = DefaultPresetCatalog().FindRegistered("llama-3.1-8b-instruct");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->download_at_runtime);
  EXPECT_EQ(p->image_name, "kaito-base");
  EXPECT_EQ(p->hf_repo, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_FALSE(p->SupportsTuning());
}

TEST(PresetCatalogTest, FractionalMemoryIsExact) {
  const Preset* p = DefaultPresetCatalog().FindRegistered("deepseek-r1-distill-llama-8b");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->inference.total_gpu_memory, "16.5Gi");
  EXPECT_EQ(p->inference.total_gpu_memory_bytes, 33 * kGiB / 2);
}

TEST(PresetCatalogTest, PresetsOutsideV046AreKnownButNotRegistered) {
  const PresetCatalog& c = DefaultPresetCatalog();
  for (const char* name :
       {"llama-2-7b", "llama-2-13b-chat", "gemma-3-4b-instruct", "gpt-oss-20b"}) {
    EXPECT_NE(c.Find(name), nullptr) << name;
    EXPECT_EQ(c.FindRegistered(name), nullptr) << name;
  }
  const Preset* llama2 = c.Find("llama-2-13b-chat");
  EXPECT_EQ(llama2->image_access_mode, "private");
  EXPECT_EQ(llama2->inference.world_size, 2);
  EXPECT_EQ(c.Find("nonexistent"), nullptr);
  EXPECT_EQ(c.FindRegistered("Phi-3-Mini-4k-Instruct"), nullptr);  // names are case-sensitive
}

std::string Quantity(const Json& j, const char* key) {
  const Json* v = FindPath(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

int64_t Bytes(const std::string& q) {
  auto parsed = api::Quantity::Parse(q);
  EXPECT_TRUE(parsed.ok()) << q;
  return parsed.ok() ? parsed->units() : -1;
}

TEST(PresetCatalogTest, EveryV046PresetMatchesTheReference) {
  if (!std::filesystem::exists(kReferencePresets)) GTEST_SKIP() << kReferencePresets << " absent";
  std::ifstream in(kReferencePresets);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ref = ParseYaml(text);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  const PresetCatalog& c = DefaultPresetCatalog();
  std::set<std::string> seen;
  int compared = 0;
  for (const Json& p : (*ref)["presets"]) {
    const std::string name = p["name"].get<std::string>();
    seen.insert(name);
    const Preset* mine = c.Find(name);
    ASSERT_NE(mine, nullptr) << name;
    const Json* v046 = FindPath(p, "v0_4_6");
    EXPECT_EQ(mine->in_v0_4_6, v046 != nullptr && !v046->is_null()) << name;
    if (v046 == nullptr || v046->is_null()) continue;
    ++compared;
    const Json& inf = (*v046)["inference"];
    EXPECT_EQ(mine->inference.gpu_count, std::stoll(Quantity(inf, "GPUCountRequirement"))) << name;
    EXPECT_EQ(mine->inference.total_gpu_memory_bytes,
              Bytes(Quantity(inf, "TotalGPUMemoryRequirement")))
        << name;
    EXPECT_EQ(mine->inference.per_gpu_memory_bytes, Bytes(Quantity(inf, "PerGPUMemoryRequirement")))
        << name;
    EXPECT_EQ(mine->inference.disk_bytes, Bytes(Quantity(inf, "DiskStorageRequirement"))) << name;
    EXPECT_EQ(mine->inference.readiness_timeout_s,
              60 * std::stoll(Quantity(inf, "ReadinessTimeout")))
        << name;
    EXPECT_EQ(mine->vllm_disallow_lora, GetBool(inf, "DisallowLoRA")) << name;
    EXPECT_EQ(mine->vllm_disable_tensor_parallelism, GetBool(inf, "DisableTensorParallelism"))
        << name;
    EXPECT_EQ(mine->distributed_inference, GetBool(*v046, "supports_distributed_inference"))
        << name;
    const Json* tuning = FindPath(*v046, "tuning");
    const bool has_tuning = tuning != nullptr && tuning->is_object();
    ASSERT_EQ(mine->SupportsTuning(), has_tuning) << name;
    if (has_tuning) {
      EXPECT_EQ(mine->tuning->total_gpu_memory_bytes,
                Bytes(Quantity(*tuning, "TotalGPUMemoryRequirement")))
          << name;
      EXPECT_EQ(mine->tuning->per_gpu_memory_bytes,
                Bytes(Quantity(*tuning, "PerGPUMemoryRequirement")))
          << name;
    }
    const Json* sm = FindPath(p, "supported_models_yaml");
    ASSERT_NE(sm, nullptr);
    const Json& tag_entry = (*sm)["v0.4.6"];
    EXPECT_EQ(mine->image_tag, GetString(tag_entry, "tag")) << name;
    EXPECT_EQ(mine->download_at_runtime, GetBool(tag_entry, "downloadAtRuntime")) << name;
    // Runtime arguments: every reference vLLM/transformers parameter is in the data file.
    for (const auto& [field, args] :
         {std::pair{"vllm_run_params", &mine->vllm_args},
          std::pair{"transformers_run_params", &mine->transformers_args}}) {
      const Json* params = FindPath(*v046, field);
      if (params == nullptr || !params->is_object()) continue;
      EXPECT_EQ(params->size(), args->size()) << name << " " << field;
      for (const RuntimeArg& a : *args) {
        ASSERT_TRUE(params->contains(a.name)) << name << " " << a.name;
        const Json& want = (*params)[a.name];
        EXPECT_EQ(a.value, want.is_string() ? want.get<std::string>() : want.dump()) << name;
      }
    }
  }
  EXPECT_EQ(compared, 19);
  EXPECT_EQ(seen.size(), c.presets().size());
}

// --- malformed files ---

Status ParseError(const std::string& yaml) {
  auto c = PresetCatalog::Parse(yaml, "test.yaml");
  EXPECT_FALSE(c.ok());
  return c.ok() ? Status::Ok() : c.status();
}

const char* const kMinimalEntry = R"(
- name: tiny
  image: {name: kaito-tiny, tag: "1"}
  inference: {gpu_count: 1, total_gpu_memory: 1Gi, per_gpu_memory: 0Gi, disk: 10Gi, readiness_timeout_s: 60}
)";

TEST(PresetCatalogTest, MinimalEntryLoads) {
  auto c = PresetCatalog::Parse(std::string("presets:") + kMinimalEntry, "test.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Find("tiny")->inference.disk_bytes, 10 * kGiB);
  EXPECT_EQ(c->FindRegistered("tiny"), nullptr);  // in_v0_4_6 defaults to false
}

TEST(PresetCatalogTest, MalformedFilesNameTheProblem) {
  EXPECT_NE(ParseError("presets: [").message().find("test.yaml"), std::string::npos);
  EXPECT_NE(ParseError("nothing: here").message().find("presets: required list is missing"),
            std::string::npos);
  EXPECT_NE(ParseError("presets:\n- image: {name: x}\n").message().find("presets[0]: name"),
            std::string::npos);
  Status dup = ParseError(std::string("presets:") + kMinimalEntry + kMinimalEntry);
  EXPECT_NE(dup.message().find("duplicate preset name \"tiny\""), std::string::npos);
  Status bad_q = ParseError(R"(presets:
- name: q
  image: {name: a, tag: b}
  inference: {gpu_count: 1, total_gpu_memory: lots, disk: 1Gi, readiness_timeout_s: 1}
)");
  EXPECT_NE(bad_q.message().find("presets[0] (q): inference: total_gpu_memory"), std::string::npos)
      << bad_q.message();
  Status bad_type = ParseError(R"(presets:
- name: q
  image: {name: a, tag: b}
  inference: {gpu_count: two, disk: 1Gi, readiness_timeout_s: 1}
)");
  EXPECT_NE(bad_type.message().find("gpu_count: expected an integer"), std::string::npos)
      << bad_type.message();
  Status no_disk = ParseError(R"(presets:
- name: q
  image: {name: a, tag: b}
  inference: {gpu_count: 1, readiness_timeout_s: 1}
)");
  EXPECT_NE(no_disk.message().find("disk: required field is missing"), std::string::npos);
  Status registered_without_memory = ParseError(R"(presets:
- name: q
  in_v0_4_6: true
  image: {name: a, tag: b}
  inference: {gpu_count: 1, disk: 1Gi, readiness_timeout_s: 1}
)");
  EXPECT_NE(registered_without_memory.message().find("need total_gpu_memory"), std::string::npos);
  EXPECT_EQ(ParseError("presets: [").code(), StatusCode::kInvalid);
}

TEST(PresetCatalogTest, LoadFileReportsMissingFile) {
  auto c = PresetCatalog::LoadFile("/nonexistent/presets.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(PresetCatalogTest, LoadFileReadsTheSourceTreeDataFile) {
  auto c = PresetCatalog::LoadFile("controllers/kaito/data/presets.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->presets().size(), DefaultPresetCatalog().presets().size());
}

}  // namespace
}  // namespace kt::kaito
