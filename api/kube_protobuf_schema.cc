// Loads the protobuf schema (api/data/kube_proto_schema.yaml, or a given YAML text) into
// KubeProtobufSchema::Impl, checking that every reference resolves.
#include <charconv>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/kube_protobuf_schema.h"
#include "base/check.h"
#include "base/json.h"
#include "base/yaml.h"

namespace kt::api {

// Generated at configure time from api/data/kube_proto_schema.yaml.
std::string_view EmbeddedKubeProtoSchemaYaml();

namespace kube_protobuf_internal {
namespace {

using Schema = KubeProtobufSchema::Impl;

ValueType ParseValueType(std::string_view t) {
  if (t == "string") return {Scalar::kString, {}};
  if (t == "int32") return {Scalar::kInt32, {}};
  if (t == "int64") return {Scalar::kInt64, {}};
  if (t == "bool") return {Scalar::kBool, {}};
  if (t == "bytes") return {Scalar::kBytes, {}};
  if (t == "double") return {Scalar::kDouble, {}};
  return {Scalar::kMessage, std::string(t)};
}

// "<json> <type> [keep] [inline]" with type string|int32|...|<Message>|[]<type>|map<string,<type>>.
Result<Field> ParseField(const std::string& message, const std::string& number, std::string_view spec) {
  const std::string where = "protobuf schema: " + message + "." + number + ": ";
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && spec[i] == ' ') ++i;
    size_t j = i;
    while (j < spec.size() && spec[j] != ' ') ++j;
    if (j > i) words.push_back(spec.substr(i, j - i));
    i = j;
  }
  if (words.size() < 2) return Invalid(where + "want \"<json name> <type> [keep] [inline]\", got \"" + std::string(spec) + "\"");
  Field f;
  f.json = std::string(words[0]);
  std::string_view type = words[1];
  if (type.starts_with("[]")) {
    f.repeated = true;
    type.remove_prefix(2);
  } else if (type.starts_with("map<string,") && type.ends_with(">")) {
    f.map = true;
    type = type.substr(11, type.size() - 12);
  }
  if (type.empty()) return Invalid(where + "empty type");
  f.value = ParseValueType(type);
  for (size_t w = 2; w < words.size(); ++w) {
    if (words[w] == "keep") {
      f.keep = true;
    } else if (words[w] == "inline") {
      f.inlined = true;
    } else {
      return Invalid(where + "unknown flag " + std::string(words[w]));
    }
  }
  if (f.inlined && (f.value.scalar != Scalar::kMessage || f.repeated || f.map || IsSpecial(f.value.message))) {
    return Invalid(where + "only a singular schema message can be inline");
  }
  return f;
}

Result<std::unique_ptr<Schema>> LoadSchema(std::string_view yaml) {
  KT_ASSIGN_OR_RETURN(Json doc, ParseYaml(yaml));
  auto s = std::make_unique<Schema>();
  const Json* messages = doc.is_object() ? FindPath(doc, "messages") : nullptr;
  const Json* kinds = doc.is_object() ? FindPath(doc, "kinds") : nullptr;
  if (!messages || !messages->is_object() || !kinds || !kinds->is_object()) {
    return Invalid("protobuf schema: want maps `kinds` and `messages`");
  }
  for (const auto& [name, spec] : messages->items()) {
    if (!spec.is_object()) return Invalid("protobuf schema: message " + name + " is not a map");
    Message m;
    m.name = name;
    for (const auto& [number, field] : spec.items()) {
      uint32_t n = 0;
      auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
      if (ec != std::errc() || p != number.data() + number.size() || n == 0 || n >= (1u << 29)) {
        return Invalid("protobuf schema: " + name + ": bad field number " + number);
      }
      if (!field.is_string()) return Invalid("protobuf schema: " + name + "." + number + " is not a string");
      KT_ASSIGN_OR_RETURN(Field f, ParseField(name, number, field.get<std::string>()));
      m.fields.emplace(n, std::move(f));
    }
    s->messages.emplace(name, std::move(m));
  }
  for (const auto& [gvk, message] : kinds->items()) {
    if (!message.is_string()) return Invalid("protobuf schema: kind " + gvk + " is not a string");
    s->kinds.emplace(gvk, message.get<std::string>());
  }
  // Every reference resolves.
  for (const auto& [name, m] : s->messages) {
    for (const auto& [n, f] : m.fields) {
      if (f.value.scalar != Scalar::kMessage) continue;
      if (!IsSpecial(f.value.message) && !s->messages.count(f.value.message)) {
        return Invalid("protobuf schema: " + name + "." + std::to_string(n) + " refers to unknown message " +
                       f.value.message);
      }
    }
  }
  for (const auto& [gvk, message] : s->kinds) {
    if (!s->messages.count(message)) return Invalid("protobuf schema: kind " + gvk + " -> unknown message " + message);
  }
  return s;
}

}  // namespace
}  // namespace kube_protobuf_internal

KubeProtobufSchema::KubeProtobufSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KubeProtobufSchema::~KubeProtobufSchema() = default;

Result<std::unique_ptr<KubeProtobufSchema>> KubeProtobufSchema::Parse(std::string_view yaml) {
  KT_ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl, kube_protobuf_internal::LoadSchema(yaml));
  return std::unique_ptr<KubeProtobufSchema>(new KubeProtobufSchema(std::move(impl)));
}

const KubeProtobufSchema& KubeProtobufSchema::Default() {
  static const KubeProtobufSchema* schema = [] {
    auto s = Parse(EmbeddedKubeProtoSchemaYaml());
    KT_CHECK(s.ok()) << "api/data/kube_proto_schema.yaml: " << s.status().message();
    return s->release();
  }();
  return *schema;
}

bool KubeProtobufSchema::KnowsKind(std::string_view api_version, std::string_view kind) const {
  return impl_->kinds.count(std::string(api_version) + "/" + std::string(kind)) > 0;
}

size_t KubeProtobufSchema::message_count() const { return impl_->messages.size(); }

}  // namespace kt::api
