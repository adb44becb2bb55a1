// OpenAPI v2 (GET /openapi/v2): the Swagger 2.0 document kubectl 1.27/1.28 read for `explain`
// and for client-side validation, served as JSON or as the gnostic `openapi.v2.Document`
// protobuf message client-go asks for (Accept:
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf).
//
// The v2 document is derived from the OpenAPI v3 documents of TypeRegistry (openapi.cc), so
// both come from one set of schemas: components.schemas become definitions ($ref
// "#/definitions/..."), requestBody becomes a body parameter, response content a response
// schema, and each schema is lowered to what v2 and kubectl's parser accept, the way
// kube-apiserver publishes CRDs in v2 (no oneOf/anyOf/not; nullable and
// x-kubernetes-preserve-unknown-fields drop type/items/properties; an array without items
// loses its type; allOf:[{$ref}] becomes $ref).
//
// Thread-safety: the registry must not change during a call (the ApiServer serializes access
// to it); ServeOpenApiV2 fills the registry's Memo cache, so it needs the same lock as any
// registry access.
#ifndef KT_SIM_APISERVER_TYPES_OPENAPI_V2_H_
#define KT_SIM_APISERVER_TYPES_OPENAPI_V2_H_

#include <string>
#include <string_view>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim {

class TypeRegistry;

inline constexpr std::string_view kOpenApiV2ProtobufAccept =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
// The Content-Type kube-apiserver answers protobuf with (note the "." before v1.0).
inline constexpr std::string_view kOpenApiV2ProtobufContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

// The whole Swagger 2.0 document: every served kind of every group version.
Json OpenApiV2Document(const TypeRegistry& types);

// One OpenAPI v3 schema lowered to v2 (see the file comment). Exposed for tests.
Json OpenApiV3SchemaToV2(const Json& v3_schema);

// The gnostic openapi.v2.Document protobuf encoding of a v2 document as OpenApiV2Document
// builds it. Vendor extensions and default/enum/example values are carried as
// Any{yaml: <JSON text>} (JSON is YAML). Members the gnostic message has no field for are
// left out. InvalidArgument-style BadRequest when `doc` is not an object, or a value has the
// wrong JSON type for its field.
Result<std::string> EncodeOpenApiV2Protobuf(const Json& doc);

// The answer to GET /openapi/v2 for an Accept and If-None-Match header.
struct OpenApiV2Reply {
  int status = 200;               // 200, or 304 when If-None-Match names the current ETag
  std::string content_type;       // application/json or kOpenApiV2ProtobufContentType
  std::string etag;               // quoted, e.g. "\"0A1B...\"" (different per format)
  std::string body;               // empty for 304
};
// Negotiates like kube-apiserver: an empty Accept, */*, application/* or application/json get
// JSON; the gnostic protobuf media type (with "@v1.0" or ".v1.0") gets protobuf; anything
// else is NotAcceptable (406). q=0 ranges are ignored; higher q wins, ties by order.
Result<OpenApiV2Reply> ServeOpenApiV2(const TypeRegistry& types, std::string_view accept,
                                      std::string_view if_none_match);

}  // namespace kt::sim

#endif  // KT_SIM_APISERVER_TYPES_OPENAPI_V2_H_
