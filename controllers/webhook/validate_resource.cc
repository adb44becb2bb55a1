// ResourceSpec rules: SKU known or passed through, GPU fit against the preset, label selector
// convertible, immutability on update.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "controllers/kaito/labels.h"
#include "controllers/webhook/names.h"
#include "controllers/webhook/rules.h"

namespace kt::webhook {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string digits;
  while (u > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// resource.Quantity's String() for a BinarySI byte count: the largest binary suffix that
// divides it exactly ("16Gi", "16896Mi"), else the plain number.
std::string FormatBinaryBytes(__int128 bytes) {
  static const char* const kSuffix[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  static const int kShift[] = {60, 50, 40, 30, 20, 10};
  __int128 mag = bytes < 0 ? -bytes : bytes;
  for (int k = 0; k < 6; ++k) {
    __int128 unit = static_cast<__int128>(1) << kShift[k];
    if (mag != 0 && mag % unit == 0) return Int128ToString(bytes / unit) + kSuffix[k];
  }
  return Int128ToString(bytes);
}

// Go's %s of a []string: "[a b c]".
std::string GoStringSlice(const std::vector<std::string>& v) {
  return "[" + JoinStrings(v, " ") + "]";
}

bool HasPrefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::string LabelSelectorAsMapError(const kaito::LabelSelectorSpec& s, api::Labels* out) {
  api::Labels m = s.match_labels;
  for (const kaito::LabelSelectorRequirement& e : s.match_expressions) {
    if (e.op == "In") {
      if (e.values.size() != 1) {
        return "operator \"In\" without a single value cannot be converted into the old label "
               "selector format";
      }
      m[e.key] = e.values[0];
    } else if (e.op == "NotIn" || e.op == "Exists" || e.op == "DoesNotExist") {
      return "operator \"" + e.op + "\" cannot be converted into the old label selector format";
    } else {
      return "\"" + e.op + "\" is not a valid selector operator";
    }
  }
  if (out != nullptr) *out = std::move(m);
  return "";
}

FieldErrors ValidateResourceCreateWithInference(const kaito::ResourceSpec& r,
                                                const kaito::InferenceSpec& inference,
                                                bool bypass_resource_checks,
                                                const ValidationContext& ctx,
                                                std::vector<std::string>* warnings) {
  FieldErrors errs;
  std::string preset_name;
  const kaito::Preset* preset = nullptr;
  if (inference.preset) {
    preset_name = ToLower(inference.preset->name);
    preset = ctx.presets->FindRegistered(preset_name);
    // An unknown preset: the inference rules report it; skip the rest, as Kaito does.
    if (preset == nullptr) return errs;
  }
  const std::string& instance_type = r.instance_type;
  auto warn_or_fail = [&](const std::string& message, const std::string& warning) {
    if (bypass_resource_checks) {
      if (warnings != nullptr) warnings->push_back(warning);
    } else {
      errs.Also(FieldErrors::InvalidValue(message, "instanceType"));
    }
  };
  if (const kaito::GpuSku* sku = ctx.skus->Find(instance_type)) {
    if (preset != nullptr) {
      const __int128 count = r.CountOrDefault();
      const __int128 machine_gpus = count * sku->gpu_count;
      const __int128 per_gpu_bytes =
          static_cast<__int128>(sku->gpu_memory_total_gib / sku->gpu_count) * kGiB;
      const __int128 total_bytes = count * sku->gpu_memory_total_gib * kGiB;
      const kaito::PresetRequirements& need = preset->inference;
      const int64_t need_per_gpu = need.per_gpu_memory_bytes.value_or(0);
      const int64_t need_total = need.total_gpu_memory_bytes.value_or(0);
      if (machine_gpus < need.gpu_count) {
        std::string detail = "Instance type " + instance_type + " provides " +
                             Int128ToString(machine_gpus) + ", but preset " + preset_name +
                             " requires at least " + std::to_string(need.gpu_count);
        warn_or_fail("Insufficient number of GPUs: " + detail,
                     "Bypassing resource check: Insufficient number of GPUs detected but "
                     "continuing due to bypass flag. " +
                         detail);
      }
      if (per_gpu_bytes < need_per_gpu) {
        std::string detail = "Instance type " + instance_type + " provides " +
                             FormatBinaryBytes(per_gpu_bytes) + " per GPU, but preset " +
                             preset_name + " requires at least " + FormatBinaryBytes(need_per_gpu) +
                             " per GPU";
        warn_or_fail("Insufficient per GPU memory: " + detail,
                     "Bypassing resource check: Insufficient per GPU memory but continuing due to "
                     "bypass flag. " +
                         detail);
      }
      if (total_bytes < need_total) {
        std::string detail = "Instance type " + instance_type + " has a total of " +
                             FormatBinaryBytes(total_bytes) + ", but preset " + preset_name +
                             " requires at least " + FormatBinaryBytes(need_total);
        warn_or_fail("Insufficient total GPU memory: " + detail,
                     "Bypassing resource check: Insufficient total GPU memory detected but "
                     "continuing due to bypass flag. " +
                         detail);
      }
    }
  } else {
    const bool pass_through = ctx.cloud_provider == kaito::kCloudProviderAzure &&
                              (HasPrefix(instance_type, kaito::kAzureNSeriesPrefix) ||
                               HasPrefix(instance_type, kaito::kAzureDSeriesPrefix));
    if (!pass_through) {
      errs.Also(FieldErrors::InvalidValue(
          "Unsupported instance type " + instance_type +
              ". Supported SKUs: " + GoStringSlice(ctx.skus->SupportedSkuNames()),
          "instanceType"));
    }
  }
  if (r.label_selector) {
    std::string err = LabelSelectorAsMapError(*r.label_selector, nullptr);
    if (!err.empty()) errs.Also(FieldErrors::InvalidValue(err, "labelSelector"));
  }
  return errs;
}

FieldErrors ValidateResourceCreateWithTuning(const kaito::ResourceSpec& r) {
  if (r.CountOrDefault() > 1) {
    return FieldErrors::InvalidValue(
        "Tuning does not currently support multinode configurations. Please set the node count "
        "to 1. Future support with DeepSpeed will allow this.",
        "count");
  }
  return {};
}

FieldErrors ValidateResourceUpdate(const kaito::ResourceSpec& r, const kaito::ResourceSpec& old) {
  FieldErrors errs;
  if (r.count && old.count && *r.count != *old.count) {
    errs.Also(FieldErrors::Generic("field is immutable", {"count"}));
  }
  if (r.instance_type != old.instance_type) {
    errs.Also(FieldErrors::Generic("field is immutable", {"instanceType"}));
  }
  // LabelSelectorAsMap: an absent selector gives a nil map, which differs from an empty one.
  std::optional<api::Labels> new_map, old_map;
  std::string new_err, old_err;
  if (r.label_selector) {
    new_map.emplace();
    new_err = LabelSelectorAsMapError(*r.label_selector, &*new_map);
  }
  if (old.label_selector) {
    old_map.emplace();
    old_err = LabelSelectorAsMapError(*old.label_selector, &*old_map);
  }
  if (!new_err.empty() || !old_err.empty()) {
    errs.Also(
        FieldErrors::Generic("Only allow matchLabels or 'IN' matchExpression", {"labelSelector"}));
  } else if (new_map != old_map) {
    errs.Also(FieldErrors::Generic("field is immutable", {"labelSelector"}));
  }
  return errs;
}

}  // namespace kt::webhook
