// InferenceSpec and AdapterSpec rules.
#include <set>

#include "controllers/kaito/labels.h"
#include "controllers/webhook/go_compat.h"
#include "controllers/webhook/names.h"
#include "controllers/webhook/rules.h"

namespace kt::webhook {
namespace {

// PresetParam.Validate (pkg/model/interface.go): what the chosen runtime cannot do.
std::string RuntimeProblems(const kaito::Preset& preset, kaito::RuntimeName runtime,
                            const std::vector<kaito::AdapterSpec>& adapters) {
  if (runtime != kaito::RuntimeName::kVllm) return "";
  bool strength = false;
  for (const kaito::AdapterSpec& a : adapters) strength = strength || a.strength.has_value();
  std::vector<std::string> problems;
  if (!adapters.empty() && preset.vllm_disallow_lora) {
    problems.push_back("vLLM does not support LoRA adapters for this model: " + preset.name);
  }
  if (strength) problems.emplace_back("vLLM does not support adapter strength");
  return JoinStrings(problems, "; ");
}

}  // namespace

FieldErrors ValidateAdapterNamesUnique(const std::vector<kaito::AdapterSpec>& adapters) {
  FieldErrors errs;
  std::set<std::string> seen;
  for (const kaito::AdapterSpec& a : adapters) {
    if (!a.source) continue;  // reported as a missing Source
    if (!seen.insert(a.source->name).second) {
      errs.Also(FieldErrors::Generic("Duplicate adapter source name found: " + a.source->name));
    }
  }
  return errs;
}

FieldErrors ValidateInferenceCreate(const kaito::InferenceSpec& i, kaito::RuntimeName runtime,
                                    kaito::ApiVersion version, const ValidationContext& ctx) {
  FieldErrors errs;
  if (!i.preset && !i.has_template) {
    errs.Also(FieldErrors::MissingField({"Preset or Template must be specified"}));
  }
  if (i.preset && i.has_template) {
    errs.Also(FieldErrors::Generic("Preset and Template cannot be set at the same time"));
  }
  if (i.preset) {
    const kaito::PresetSpec& spec = *i.preset;
    const kaito::Preset* preset = ctx.presets->FindRegistered(spec.name);
    if (preset == nullptr) {
      errs.Also(FieldErrors::InvalidValue("Unsupported inference preset name " + spec.name,
                                          "presetName"));
      return errs;  // Kaito stops here (the checks below need the preset)
    }
    if (version == kaito::ApiVersion::kV1alpha1) {
      if (preset->image_access_mode == kaito::kAccessModePrivate &&
          spec.access_mode != kaito::kAccessModePrivate) {
        errs.Also(FieldErrors::Generic(
            "This preset only supports private AccessMode, AccessMode must be private to "
            "continue"));
      }
      if (spec.access_mode == kaito::kAccessModePrivate && spec.image.empty()) {
        errs.Also(FieldErrors::Generic(
            "When AccessMode is private, an image must be provided in PresetOptions"));
      }
    }
    std::string problems = RuntimeProblems(*preset, runtime, i.adapters);
    if (!problems.empty()) errs.Also(FieldErrors::Generic("Runtime validation: " + problems));
    if (version == kaito::ApiVersion::kV1beta1) {
      if (preset->download_at_runtime && spec.model_access_secret.empty()) {
        errs.Also(FieldErrors::Generic(
            "This preset requires a modelAccessSecret with HF_TOKEN key under presetOptions to "
            "download the model"));
      } else if (!preset->download_at_runtime && !spec.model_access_secret.empty()) {
        errs.Also(FieldErrors::Generic(
            "This preset does not require a modelAccessSecret with HF_TOKEN key under "
            "presetOptions"));
      }
    }
  }
  if (static_cast<int>(i.adapters.size()) > kaito::kAdaptersMax) {
    errs.Also(FieldErrors::Generic("Number of Adapters exceeds the maximum limit, maximum of " +
                                   std::to_string(kaito::kAdaptersMax) + " allowed"));
  }
  // Kaito's create path checks only names; a missing source would crash its webhook, so it is
  // reported here instead.
  for (const kaito::AdapterSpec& a : i.adapters) {
    if (!a.source) errs.Also(FieldErrors::MissingField({"Source"}));
  }
  errs.Also(ValidateAdapterNamesUnique(i.adapters));
  return errs;
}

FieldErrors ValidateAdapter(const kaito::AdapterSpec& a) {
  FieldErrors errs;
  if (!a.source) return FieldErrors::MissingField({"Source"});
  const kaito::DataSource& s = *a.source;
  errs.Also(ValidateDataSourceCreate(s).ViaField("Adapters"));
  if (s.name.empty()) {
    errs.Also(FieldErrors::MissingField({"Name of Adapter field must be specified"}));
  } else if (auto msgs = IsDns1123Subdomain(s.name); !msgs.empty()) {
    errs.Also(FieldErrors::InvalidValue(JoinStrings(msgs, ", "), "adapters.source.name"));
  }
  if (s.image.empty()) {
    errs.Also(FieldErrors::MissingField({"Image of Adapter field must be specified"}));
  }
  const std::string strength = a.strength.value_or("1.0");
  double on_error = 0;
  auto value = ParseGoFloat(strength, &on_error);
  double v = value.ok() ? *value : on_error;
  if (!value.ok()) {
    errs.Also(FieldErrors::Generic(
        "Invalid strength value for Adapter '" + s.name + "': " + value.status().message(),
        {"adapter"}));
  }
  if (v < 0 || v > 1.0) {
    errs.Also(FieldErrors::Generic(
        "Strength value for Adapter '" + s.name + "' must be between 0 and 1", {"adapter"}));
  }
  return errs;
}

FieldErrors ValidateInferenceUpdate(const kaito::InferenceSpec& i,
                                    const kaito::InferenceSpec& old) {
  FieldErrors errs;
  if (i.preset != old.preset) errs.Also(FieldErrors::Generic("field is immutable", {"preset"}));
  if (i.has_template != old.has_template) {
    errs.Also(FieldErrors::Generic("field cannot be unset/set if it was set/unset", {"template"}));
  }
  for (const kaito::AdapterSpec& a : i.adapters) errs.Also(ValidateAdapter(a));
  errs.Also(ValidateAdapterNamesUnique(i.adapters));
  return errs;
}

}  // namespace kt::webhook
