// TuningSpec, DataSource and DataDestination rules (Kaito v0.4: volumes not implemented yet,
// images must be full lower-case repository references).
#include <cctype>

#include "controllers/kaito/labels.h"
#include "controllers/webhook/names.h"
#include "controllers/webhook/rules.h"

namespace kt::webhook {
namespace {

constexpr std::string_view kVolumeNotImplemented = "Volume support is not implemented yet";

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The image checks shared by sources ("input") and destinations ("output").
void CheckImage(std::string_view image, std::string_view direction, FieldErrors* errs) {
  switch (CheckImageReference(image)) {
    case ImageCheck::kOk:
      break;
    case ImageCheck::kNotFullReference:
      errs->Also(FieldErrors::InvalidValue(
          "Invalid image format, require full " + std::string(direction) + " image URL", "Image"));
      break;
    case ImageCheck::kRepositoryNotLowercase:
      errs->Also(FieldErrors::InvalidValue("repository name must be lowercase", "Image"));
      break;
  }
}

}  // namespace

FieldErrors ValidateDataSourceCreate(const kaito::DataSource& s) {
  FieldErrors errs;
  int specified = 0;
  if (!s.urls.empty()) ++specified;
  if (s.has_volume) {
    errs.Also(FieldErrors::InvalidValue(kVolumeNotImplemented, "Volume"));
    ++specified;
  }
  if (!s.image.empty()) {
    CheckImage(s.image, "input", &errs);
    ++specified;
  }
  if (specified != 1) {
    errs.Also(FieldErrors::Generic("Exactly one of URLs, Volume, or Image must be specified",
                                   {"URLs", "Volume", "Image"}));
  }
  return errs;
}

FieldErrors ValidateDataSourceUpdate(const kaito::DataSource& s, const kaito::DataSource* old,
                                     bool is_tuning) {
  FieldErrors errs;
  if (is_tuning && old != nullptr && old->name != s.name) {
    errs.Also(
        FieldErrors::InvalidValue("During tuning Name field cannot be changed once set", "Name"));
  }
  if (s.has_volume) errs.Also(FieldErrors::InvalidValue(kVolumeNotImplemented, "Volume"));
  return errs;
}

FieldErrors ValidateDataDestinationCreate(const kaito::DataDestination& d) {
  FieldErrors errs;
  int specified = 0;
  if (d.has_volume) {
    errs.Also(FieldErrors::InvalidValue(kVolumeNotImplemented, "Volume"));
    ++specified;
  }
  if (!d.image.empty()) {
    CheckImage(d.image, "output", &errs);
    if (d.image_push_secret.empty()) {
      errs.Also(FieldErrors::MissingField({"Must specify imagePushSecret with destination image"}));
    }
    ++specified;
  }
  if (specified == 0) {
    errs.Also(FieldErrors::MissingField({"At least one of Volume or Image must be specified"}));
  }
  return errs;
}

FieldErrors ValidateDataDestinationUpdate(const kaito::DataDestination& d) {
  if (d.has_volume) return FieldErrors::InvalidValue(kVolumeNotImplemented, "Volume");
  return {};
}

FieldErrors ValidateTuningCreate(const kaito::TuningSpec& t, std::string_view workspace_namespace,
                                 const ValidationContext& ctx) {
  FieldErrors errs;
  const std::string method = ToLower(t.method);
  if (method != kaito::kTuningMethodLora && method != kaito::kTuningMethodQlora) {
    errs.Also(FieldErrors::InvalidValue(t.method, "Method"));
  }
  FieldErrors config_errs;
  if (t.config.empty()) {
    if (ctx.release_namespace.empty()) {
      errs.Also(FieldErrors::Generic(
          "Failed to determine release namespace: no release namespace is configured (pod "
          "namespace file or RELEASE_NAMESPACE)",
          {"namespace"}));
    }
    std::string_view default_name;
    if (method == kaito::kTuningMethodLora) default_name = kaito::kDefaultLoraConfigTemplate;
    if (method == kaito::kTuningMethodQlora) default_name = kaito::kDefaultQloraConfigTemplate;
    config_errs = ValidateTuningConfigMap(ctx.release_namespace, method, default_name, ctx);
  } else {
    config_errs = ValidateTuningConfigMap(workspace_namespace, method, t.config, ctx);
  }
  if (!config_errs.empty()) {
    errs.Also(FieldErrors::Generic(
        "Failed to evaluate validateConfigMap: " + config_errs.ToString(), {"Config"}));
  }
  if (!t.input) {
    errs.Also(FieldErrors::MissingField({"Input"}));
  } else {
    errs.Also(ValidateDataSourceCreate(*t.input).ViaField("Input"));
  }
  if (!t.output) {
    errs.Also(FieldErrors::MissingField({"Output"}));
  } else {
    errs.Also(ValidateDataDestinationCreate(*t.output).ViaField("Output"));
  }
  if (!t.preset) {
    errs.Also(FieldErrors::MissingField({"Preset"}));
  } else if (ctx.presets->FindRegistered(t.preset->name) == nullptr) {
    errs.Also(FieldErrors::InvalidValue("Unsupported tuning preset name " + t.preset->name,
                                        "presetName"));
  }
  return errs;
}

FieldErrors ValidateTuningUpdate(const kaito::TuningSpec& t, const kaito::TuningSpec& old) {
  FieldErrors errs;
  if (!t.input) {
    errs.Also(FieldErrors::MissingField({"Input"}));
  } else {
    errs.Also(ValidateDataSourceUpdate(*t.input, old.input ? &*old.input : nullptr, true)
                  .ViaField("Input"));
  }
  if (!t.output) {
    errs.Also(FieldErrors::MissingField({"Output"}));
  } else {
    errs.Also(ValidateDataDestinationUpdate(*t.output).ViaField("Output"));
  }
  if (t.preset != old.preset)
    errs.Also(FieldErrors::Generic("Preset cannot be changed", {"Preset"}));
  if (ToLower(t.method) != ToLower(old.method)) {
    errs.Also(FieldErrors::Generic("Method cannot be changed", {"Method"}));
  }
  return errs;
}

}  // namespace kt::webhook
