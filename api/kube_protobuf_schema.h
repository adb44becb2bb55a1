// The parsed form of api/data/kube_proto_schema.yaml, shared by the schema loader
// (kube_protobuf_schema.cc) and the decoder (kube_protobuf.cc). Internal to api/.
#ifndef KT_API_KUBE_PROTOBUF_SCHEMA_H_
#define KT_API_KUBE_PROTOBUF_SCHEMA_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/kube_protobuf.h"

namespace kt::api {
namespace kube_protobuf_internal {

enum class Scalar { kString, kInt32, kInt64, kBool, kBytes, kDouble, kMessage };

struct ValueType {
  Scalar scalar = Scalar::kString;
  std::string message;  // kMessage: a schema message or one of the special messages
};

struct Field {
  std::string json;
  ValueType value;
  bool repeated = false;
  bool map = false;     // map<string, value>: repeated entry messages {1 key, 2 value}
  bool keep = false;    // keep zero values (Go pointer, or a field without omitempty)
  bool inlined = false; // Go embedded struct: its fields join the parent object
};

struct Message {
  std::string name;
  std::map<uint32_t, Field> fields;
};

// The apimachinery messages with custom JSON forms, decoded by hand rather than by schema.
inline bool IsSpecial(std::string_view name) {
  return name == "Time" || name == "MicroTime" || name == "Quantity" || name == "IntOrString" ||
         name == "Duration" || name == "RawExtension" || name == "FieldsV1";
}

}  // namespace kube_protobuf_internal

struct KubeProtobufSchema::Impl {
  std::unordered_map<std::string, kube_protobuf_internal::Message> messages;
  std::unordered_map<std::string, std::string> kinds;  // "apps/v1/Deployment" -> message
};

}  // namespace kt::api

#endif  // KT_API_KUBE_PROTOBUF_SCHEMA_H_
