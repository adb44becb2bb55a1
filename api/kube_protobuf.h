// Decodes Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf)
// into the JSON object the same request would have carried as application/json.
//
// Wire format: the 4-byte magic "k8s\0", then a runtime.Unknown envelope {1 typeMeta
// {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}; raw is the object's own
// message. The object is decoded generically against a schema (api/data/kube_proto_schema.yaml,
// compiled in): per message, field number -> JSON name and type, plus the apimachinery
// messages with custom JSON forms (Time, MicroTime, Quantity, IntOrString, Duration,
// RawExtension, FieldsV1). gogo-protobuf writes non-pointer scalars even when empty while Go's
// JSON omits them, so zero scalars and empty nested messages are dropped unless the schema marks
// the field `keep` (a pointer, or a Go field without omitempty).
//
// Errors are Status values, never crashes: a bad magic, a truncated varint or length, a wrong
// wire type for a known field, nesting deeper than kKubeProtobufDepthMax, more than
// kKubeProtobufValuesMax values or an unknown field number are BadRequest (400, naming the
// message and field); a kind the schema does not know, or a contentEncoding, is
// UnsupportedMediaType (415, naming the group/version and kind).
//
// Thread-safety: the decoders are pure functions; the default schema is parsed once, on first use
// (thread-safe static initialization), and is read-only afterwards.
#ifndef KT_API_KUBE_PROTOBUF_H_
#define KT_API_KUBE_PROTOBUF_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::api {

inline constexpr std::string_view kKubeProtobufMediaType = "application/vnd.kubernetes.protobuf";
// Nested messages deeper than this are refused (bounds recursion on hostile bodies).
inline constexpr int kKubeProtobufDepthMax = 64;
// Decoded values (fields, list elements, map entries) per body; more is refused, so a body of a
// few bytes per value cannot make the JSON tree balloon (the server also caps the body size).
inline constexpr int64_t kKubeProtobufValuesMax = 1 << 18;

// A parsed schema (the YAML format is described at the top of api/data/kube_proto_schema.yaml).
// Immutable once built; safe to share between threads.
class KubeProtobufSchema {
 public:
  struct Impl;
  // Invalid when the YAML is malformed or a field refers to an unknown message.
  static Result<std::unique_ptr<KubeProtobufSchema>> Parse(std::string_view yaml);
  // The compiled-in schema, parsed on first use (a malformed data file is a bug: KT_CHECK).
  static const KubeProtobufSchema& Default();
  ~KubeProtobufSchema();

  // True when apiVersion/kind ("v1", "Namespace") can be decoded.
  bool KnowsKind(std::string_view api_version, std::string_view kind) const;
  size_t message_count() const;

 private:
  explicit KubeProtobufSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend Result<Json> DecodeKubeProtobuf(std::string_view, const KubeProtobufSchema&);
  friend Result<Json> DecodeKubeProtobufMessage(std::string_view, std::string_view,
                                                const KubeProtobufSchema&);
};

// The JSON object of a whole body: apiVersion and kind from the envelope, then the fields.
Result<Json> DecodeKubeProtobuf(std::string_view body);
Result<Json> DecodeKubeProtobuf(std::string_view body, const KubeProtobufSchema& schema);

// One message's bytes (no magic, no envelope) decoded as schema message `message`, or as one
// of the special messages ("Time", "Quantity", "IntOrString", "Duration", ...). NotFound for a
// message the schema does not have.
Result<Json> DecodeKubeProtobufMessage(std::string_view message, std::string_view raw,
                                       const KubeProtobufSchema& schema = KubeProtobufSchema::Default());

}  // namespace kt::api

#endif  // KT_API_KUBE_PROTOBUF_H_
