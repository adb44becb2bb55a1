#include "controllers/webhook/validation.h"

#include "base/json.h"
#include "controllers/kaito/labels.h"
#include "controllers/webhook/defaulting.h"
#include "controllers/webhook/names.h"
#include "controllers/webhook/rules.h"

namespace kt::webhook {

FieldErrors ValidateWorkspaceName(std::string_view name) {
  std::vector<std::string> msgs = IsDns1123Label(name);
  if (msgs.empty()) return {};
  return FieldErrors::InvalidValue(JoinStrings(msgs, ", "), "name");
}

FieldErrors ValidateWorkspaceCreate(const kaito::Workspace& ws) {
  FieldErrors errs;
  if (!ws.inference && !ws.tuning) {
    errs.Also(
        FieldErrors::Generic("Either Inference or Tuning must be specified, not neither", {""}));
  }
  if (ws.inference && ws.tuning) {
    errs.Also(
        FieldErrors::Generic("Either Inference or Tuning must be specified, but not both", {""}));
  }
  return errs;
}

FieldErrors ValidateWorkspaceUpdate(const kaito::Workspace& ws, const kaito::Workspace& old) {
  FieldErrors errs;
  if (old.inference.has_value() != ws.inference.has_value()) {
    errs.Also(FieldErrors::Generic("Inference field cannot be toggled once set", {"inference"}));
  }
  if (old.tuning.has_value() != ws.tuning.has_value()) {
    errs.Also(FieldErrors::Generic("Tuning field cannot be toggled once set", {"tuning"}));
  }
  return errs;
}

FieldErrors ValidateWorkspace(Operation op, const kaito::Workspace* old_ws,
                              const kaito::Workspace& ws, const ValidationContext& ctx,
                              std::vector<std::string>* warnings) {
  FieldErrors errs = ValidateWorkspaceName(ws.name);
  if (op == Operation::kCreate) {
    errs.Also(ValidateWorkspaceCreate(ws).ViaField("spec"));
    if (ws.inference) {
      const bool bypass =
          ws.annotations.count(std::string(kaito::kAnnotationBypassResourceChecks)) != 0;
      const kaito::RuntimeName runtime = kaito::RuntimeOf(ws.annotations, ctx.vllm_enabled);
      errs.Also(
          ValidateResourceCreateWithInference(ws.resource, *ws.inference, bypass, ctx, warnings)
              .ViaField("resource"));
      errs.Also(
          ValidateInferenceCreate(*ws.inference, runtime, ws.version, ctx).ViaField("inference"));
      errs.Also(ValidateInferenceConfig(ws, ctx));
    }
    if (ws.tuning) {
      errs.Also(ValidateResourceCreateWithTuning(ws.resource).ViaField("resource"));
      errs.Also(ValidateTuningCreate(*ws.tuning, ws.ns, ctx).ViaField("tuning"));
    }
    return errs;
  }
  KT_CHECK(old_ws != nullptr) << "an update needs the old object";
  errs.Also(ValidateWorkspaceUpdate(ws, *old_ws).ViaField("spec"));
  errs.Also(ValidateResourceUpdate(ws.resource, old_ws->resource).ViaField("resource"));
  // (With one side missing, the toggle error above is the whole story.)
  if (ws.inference && old_ws->inference) {
    errs.Also(ValidateInferenceUpdate(*ws.inference, *old_ws->inference).ViaField("inference"));
  }
  if (ws.tuning && old_ws->tuning) {
    errs.Also(ValidateTuningUpdate(*ws.tuning, *old_ws->tuning).ViaField("tuning"));
  }
  return errs;
}

Verdict Validate(Operation op, const Json* old_object, const Json& new_object,
                 const ValidationContext& ctx) {
  Verdict v;
  auto deny = [&](std::string message) {
    v.allowed = false;
    v.message = std::move(message);
    return v;
  };
  const kaito::SkuTable& skus = *ctx.skus;
  auto ws = kaito::DecodeWorkspace(WithCrdDefaults(new_object, skus));
  if (!ws.ok()) {
    return deny("decoding request failed: cannot decode incoming new object: " +
                ws.status().message());
  }
  std::optional<kaito::Workspace> old_ws;
  if (op == Operation::kUpdate) {
    if (old_object == nullptr)
      return deny("decoding request failed: the old object may not be nil");
    auto decoded = kaito::DecodeWorkspace(WithCrdDefaults(*old_object, skus));
    if (!decoded.ok()) {
      return deny("decoding request failed: cannot decode incoming old object: " +
                  decoded.status().message());
    }
    old_ws = std::move(decoded).value();
  }
  FieldErrors errs = ValidateWorkspace(op, old_ws ? &*old_ws : nullptr, *ws, ctx, &v.warnings);
  if (!errs.empty()) {
    std::vector<std::string> warnings = std::move(v.warnings);
    deny("validation failed: " + errs.ToString());
    v.warnings = std::move(warnings);
  }
  return v;
}

}  // namespace kt::webhook
