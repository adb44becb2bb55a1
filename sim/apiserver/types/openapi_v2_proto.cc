// EncodeOpenApiV2Protobuf: a Swagger 2.0 JSON document written as the gnostic
// openapi.v2.Document protobuf message (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto,
// the message client-go decodes from GET /openapi/v2). Field numbers below are that file's.
//
// Proto3 rules: scalars equal to their zero value are not written; repeated and message fields
// are written when present in the JSON (an empty message is a present, zero-length field).
// Maps of the document (paths, definitions, properties, responses, vendor extensions) are
// repeated Named* messages {1 name, 2 value}, in the JSON object's (sorted) order.
#include <bit>
#include <cstdint>
#include <string>

#include "base/json.h"
#include "sim/apiserver/types/openapi_v2.h"

namespace kt::sim {
namespace {

// Nesting of schemas deeper than this is refused (bounds recursion on hostile CRD schemas).
constexpr int kSchemaDepthMax = 128;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2 };

// A protobuf message under construction: fields are appended in call order.
class Wire {
 public:
  void Tag(uint32_t field, WireType type) { Varint((uint64_t{field} << 3) | type); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  // Always written (an element of a repeated field, or a present message).
  void Bytes(uint32_t field, std::string_view b) {
    Tag(field, kLengthDelimited);
    Varint(b.size());
    out_.append(b);
  }
  // Singular proto3 scalars: the zero value is not written.
  void String(uint32_t field, std::string_view s) {
    if (!s.empty()) Bytes(field, s);
  }
  void Bool(uint32_t field, bool b) {
    if (!b) return;
    Tag(field, kVarint);
    Varint(1);
  }
  void Int64(uint32_t field, int64_t v) {
    if (v == 0) return;
    Tag(field, kVarint);
    Varint(static_cast<uint64_t>(v));
  }
  void Double(uint32_t field, double d) {
    if (d == 0) return;
    Tag(field, kFixed64);
    uint64_t bits = std::bit_cast<uint64_t>(d);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

Status WrongType(const std::string& where, const char* want) {
  return Status(StatusCode::kBadRequest, "openapi v2: " + where + " must be " + want);
}

Status PutString(Wire& w, uint32_t field, const Json& v, const std::string& where) {
  if (!v.is_string()) return WrongType(where, "a string");
  w.String(field, v.get<std::string>());
  return Status::Ok();
}

Status PutBool(Wire& w, uint32_t field, const Json& v, const std::string& where) {
  if (!v.is_boolean()) return WrongType(where, "a boolean");
  w.Bool(field, v.get<bool>());
  return Status::Ok();
}

Status PutInt64(Wire& w, uint32_t field, const Json& v, const std::string& where) {
  if (!v.is_number_integer()) return WrongType(where, "an integer");
  w.Int64(field, v.get<int64_t>());
  return Status::Ok();
}

Status PutDouble(Wire& w, uint32_t field, const Json& v, const std::string& where) {
  if (!v.is_number()) return WrongType(where, "a number");
  w.Double(field, v.get<double>());
  return Status::Ok();
}

// repeated string: a JSON array of strings (a lone string is taken as one element).
Status PutStrings(Wire& w, uint32_t field, const Json& v, const std::string& where) {
  if (v.is_string()) {
    w.Bytes(field, v.get<std::string>());
    return Status::Ok();
  }
  if (!v.is_array()) return WrongType(where, "an array of strings");
  for (const Json& e : v) {
    if (!e.is_string()) return WrongType(where, "an array of strings");
    w.Bytes(field, e.get<std::string>());
  }
  return Status::Ok();
}

// Any {1 google.protobuf.Any value, 2 string yaml}: the value as JSON text, which YAML reads.
std::string AnyMessage(const Json& v) {
  Wire any;
  any.Bytes(2, DumpJson(v) + "\n");
  return any.bytes();
}

// NamedAny {1 name, 2 Any value}.
void PutNamedAny(Wire& w, uint32_t field, const std::string& name, const Json& v) {
  Wire named;
  named.String(1, name);
  named.Bytes(2, AnyMessage(v));
  w.Bytes(field, named.bytes());
}

bool IsExtension(const std::string& key) { return key.rfind("x-", 0) == 0; }

// A member of a JSON object written as one field of the message: its key, field number and
// protobuf type. kStrings is `repeated string`; kAny is an Any message, kAnyList `repeated Any`.
enum class Kind { kString, kBool, kInt64, kDouble, kStrings, kAny, kAnyList };
struct Field {
  const char* key;
  uint32_t number;
  Kind kind;
};

// Writes `v` as field `f`.
Status PutField(Wire& w, const Field& f, const Json& v, const std::string& where) {
  switch (f.kind) {
    case Kind::kString: return PutString(w, f.number, v, where);
    case Kind::kBool: return PutBool(w, f.number, v, where);
    case Kind::kInt64: return PutInt64(w, f.number, v, where);
    case Kind::kDouble: return PutDouble(w, f.number, v, where);
    case Kind::kStrings: return PutStrings(w, f.number, v, where);
    case Kind::kAny:
      w.Bytes(f.number, AnyMessage(v));
      return Status::Ok();
    case Kind::kAnyList:
      if (!v.is_array()) return WrongType(where, "an array");
      for (const Json& e : v) w.Bytes(f.number, AnyMessage(e));
      return Status::Ok();
  }
  return Status::Ok();
}

// Writes member `key` when `fields` has it, or as a NamedAny in `extension_field` when it is a
// vendor extension (x-...); other members have no field in the message and are left out.
template <size_t N>
Status PutMember(Wire& w, const Field (&fields)[N], uint32_t extension_field, const std::string& key,
                 const Json& v, const std::string& where) {
  for (const Field& f : fields) {
    if (key == f.key) return PutField(w, f, v, where);
  }
  if (extension_field != 0 && IsExtension(key)) PutNamedAny(w, extension_field, key, v);
  return Status::Ok();
}

// The scalar and Any fields of Schema; the message-valued ones are in EncodeSchema.
constexpr Field kSchemaFields[] = {
    {"$ref", 1, Kind::kString},          {"format", 2, Kind::kString},
    {"title", 3, Kind::kString},         {"description", 4, Kind::kString},
    {"default", 5, Kind::kAny},          {"multipleOf", 6, Kind::kDouble},
    {"maximum", 7, Kind::kDouble},       {"exclusiveMaximum", 8, Kind::kBool},
    {"minimum", 9, Kind::kDouble},       {"exclusiveMinimum", 10, Kind::kBool},
    {"maxLength", 11, Kind::kInt64},     {"minLength", 12, Kind::kInt64},
    {"pattern", 13, Kind::kString},      {"maxItems", 14, Kind::kInt64},
    {"minItems", 15, Kind::kInt64},      {"uniqueItems", 16, Kind::kBool},
    {"maxProperties", 17, Kind::kInt64}, {"minProperties", 18, Kind::kInt64},
    {"required", 19, Kind::kStrings},    {"enum", 20, Kind::kAnyList},
    {"discriminator", 26, Kind::kString}, {"readOnly", 27, Kind::kBool},
    {"example", 30, Kind::kAny}};
constexpr uint32_t kSchemaExtensions = 31;

Status EncodeSchema(const Json& s, Wire& w, const std::string& where, int depth);

// A message-valued field holding a Schema.
Status PutSchema(Wire& w, uint32_t field, const Json& s, const std::string& where, int depth) {
  Wire sub;
  KT_RETURN_IF_ERROR(EncodeSchema(s, sub, where, depth + 1));
  w.Bytes(field, sub.bytes());
  return Status::Ok();
}

// Schema {21 AdditionalPropertiesItem, 22 TypeItem, 23 ItemsItem, 24 allOf, 25 Properties,
// and kSchemaFields}.
Status EncodeSchema(const Json& s, Wire& w, const std::string& where, int depth) {
  if (depth > kSchemaDepthMax) {
    return Status(StatusCode::kBadRequest, "openapi v2: " + where + " nests deeper than " +
                                               std::to_string(kSchemaDepthMax) + " schemas");
  }
  if (!s.is_object()) return WrongType(where, "an object");
  for (const auto& [k, v] : s.items()) {
    const std::string at = where + "." + k;
    if (k == "additionalProperties") {
      Wire item;  // AdditionalPropertiesItem {oneof: 1 Schema schema, 2 bool boolean}
      if (v.is_boolean()) {
        item.Tag(2, kVarint);  // a oneof member is written even when false
        item.Varint(v.get<bool>() ? 1 : 0);
      } else {
        KT_RETURN_IF_ERROR(PutSchema(item, 1, v, at, depth));
      }
      w.Bytes(21, item.bytes());
    } else if (k == "type") {
      Wire type_item;  // TypeItem {1 repeated string value}
      KT_RETURN_IF_ERROR(PutStrings(type_item, 1, v, at));
      w.Bytes(22, type_item.bytes());
    } else if (k == "items") {
      Wire items;  // ItemsItem {1 repeated Schema schema}
      if (v.is_array()) {
        for (const Json& e : v) KT_RETURN_IF_ERROR(PutSchema(items, 1, e, at, depth));
      } else {
        KT_RETURN_IF_ERROR(PutSchema(items, 1, v, at, depth));
      }
      w.Bytes(23, items.bytes());
    } else if (k == "allOf") {
      if (!v.is_array()) return WrongType(at, "an array");
      for (const Json& e : v) KT_RETURN_IF_ERROR(PutSchema(w, 24, e, at, depth));
    } else if (k == "properties") {
      if (!v.is_object()) return WrongType(at, "an object");
      Wire props;  // Properties {1 repeated NamedSchema}
      for (const auto& [name, sub] : v.items()) {
        Wire named;
        named.String(1, name);
        KT_RETURN_IF_ERROR(PutSchema(named, 2, sub, at + "." + name, depth));
        props.Bytes(1, named.bytes());
      }
      w.Bytes(25, props.bytes());
    } else {
      KT_RETURN_IF_ERROR(PutMember(w, kSchemaFields, kSchemaExtensions, k, v, at));
    }
  }
  return Status::Ok();
}

// The fields of the parameter messages; the sub-schemas' numbers differ by location.
constexpr Field kBodyParameterFields[] = {{"description", 1, Kind::kString},
                                          {"name", 2, Kind::kString},
                                          {"in", 3, Kind::kString},
                                          {"required", 4, Kind::kBool}};
constexpr uint32_t kBodyParameterExtensions = 6;
// HeaderParameterSubSchema and PathParameterSubSchema.
constexpr Field kHeaderOrPathFields[] = {
    {"required", 1, Kind::kBool},   {"in", 2, Kind::kString},       {"description", 3, Kind::kString},
    {"name", 4, Kind::kString},     {"type", 5, Kind::kString},     {"format", 6, Kind::kString},
    {"default", 9, Kind::kAny},     {"pattern", 16, Kind::kString}, {"uniqueItems", 19, Kind::kBool},
    {"enum", 20, Kind::kAnyList}};
constexpr uint32_t kHeaderOrPathExtensions = 22;
// QueryParameterSubSchema and FormDataParameterSubSchema.
constexpr Field kQueryOrFormFields[] = {
    {"required", 1, Kind::kBool},   {"in", 2, Kind::kString},        {"description", 3, Kind::kString},
    {"name", 4, Kind::kString},     {"allowEmptyValue", 5, Kind::kBool}, {"type", 6, Kind::kString},
    {"format", 7, Kind::kString},   {"default", 10, Kind::kAny},     {"pattern", 17, Kind::kString},
    {"uniqueItems", 20, Kind::kBool}, {"enum", 21, Kind::kAnyList}};
constexpr uint32_t kQueryOrFormExtensions = 23;

// Parameter {oneof: 1 BodyParameter {..., 5 schema}, 2 NonBodyParameter {oneof: 1 header,
// 2 formData, 3 query, 4 path}}.
Result<std::string> ParameterMessage(const Json& p, const std::string& where) {
  const std::string in = p.value("in", "");
  Wire parameter;
  if (in == "body") {
    Wire body;
    for (const auto& [k, v] : p.items()) {
      if (k == "schema") {
        KT_RETURN_IF_ERROR(PutSchema(body, 5, v, where + ".schema", 0));
      } else {
        KT_RETURN_IF_ERROR(PutMember(body, kBodyParameterFields, kBodyParameterExtensions, k, v, where + "." + k));
      }
    }
    parameter.Bytes(1, body.bytes());
    return parameter.bytes();
  }
  const uint32_t member = in == "header" ? 1 : in == "formData" ? 2 : in == "query" ? 3 : in == "path" ? 4 : 0;
  if (member == 0) {
    return Status(StatusCode::kBadRequest,
                  "openapi v2: " + where + ".in must be body, query, path, header or formData");
  }
  const bool header_or_path = member == 1 || member == 4;
  Wire sub;
  for (const auto& [k, v] : p.items()) {
    const std::string at = where + "." + k;
    if (header_or_path) {
      KT_RETURN_IF_ERROR(PutMember(sub, kHeaderOrPathFields, kHeaderOrPathExtensions, k, v, at));
    } else {
      KT_RETURN_IF_ERROR(PutMember(sub, kQueryOrFormFields, kQueryOrFormExtensions, k, v, at));
    }
  }
  Wire non_body;
  non_body.Bytes(member, sub.bytes());
  parameter.Bytes(2, non_body.bytes());
  return parameter.bytes();
}

// ParametersItem {oneof: 1 Parameter, 2 JsonReference}.
Status EncodeParameter(const Json& p, Wire& w, uint32_t field, const std::string& where) {
  if (!p.is_object()) return WrongType(where, "an object");
  KT_ASSIGN_OR_RETURN(std::string parameter, ParameterMessage(p, where));
  Wire item;
  item.Bytes(1, parameter);
  w.Bytes(field, item.bytes());
  return Status::Ok();
}

Status EncodeParameters(const Json& v, Wire& w, uint32_t field, const std::string& where) {
  if (!v.is_array()) return WrongType(where, "an array");
  for (size_t i = 0; i < v.size(); ++i) {
    KT_RETURN_IF_ERROR(EncodeParameter(v[i], w, field, where + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

// Responses {1 repeated NamedResponseValue {1 name, 2 ResponseValue {1 Response}}, 2 ext}.
Status EncodeResponses(const Json& v, Wire& w, const std::string& where) {
  if (!v.is_object()) return WrongType(where, "an object");
  for (const auto& [code, r] : v.items()) {
    const std::string at = where + "." + code;
    if (IsExtension(code)) {
      PutNamedAny(w, 2, code, r);
      continue;
    }
    if (!r.is_object()) return WrongType(at, "an object");
    Wire response;  // Response {1 description, 2 SchemaItem {1 Schema}, 5 ext}
    for (const auto& [k, rv] : r.items()) {
      if (k == "description") {
        KT_RETURN_IF_ERROR(PutString(response, 1, rv, at + ".description"));
      } else if (k == "schema") {
        Wire schema_item;
        KT_RETURN_IF_ERROR(PutSchema(schema_item, 1, rv, at + ".schema", 0));
        response.Bytes(2, schema_item.bytes());
      } else if (IsExtension(k)) {
        PutNamedAny(response, 5, k, rv);
      }
    }
    Wire value;
    value.Bytes(1, response.bytes());
    Wire named;
    named.String(1, code);
    named.Bytes(2, value.bytes());
    w.Bytes(1, named.bytes());
  }
  return Status::Ok();
}

constexpr Field kOperationFields[] = {
    {"tags", 1, Kind::kStrings},    {"summary", 2, Kind::kString},   {"description", 3, Kind::kString},
    {"operationId", 5, Kind::kString}, {"produces", 6, Kind::kStrings}, {"consumes", 7, Kind::kStrings},
    {"schemes", 10, Kind::kStrings}, {"deprecated", 11, Kind::kBool}};
constexpr uint32_t kOperationExtensions = 13;

// Operation {8 parameters, 9 Responses, and kOperationFields}.
Status EncodeOperation(const Json& op, Wire& w, const std::string& where) {
  if (!op.is_object()) return WrongType(where, "an object");
  for (const auto& [k, v] : op.items()) {
    const std::string at = where + "." + k;
    if (k == "parameters") {
      KT_RETURN_IF_ERROR(EncodeParameters(v, w, 8, at));
    } else if (k == "responses") {
      Wire responses;
      KT_RETURN_IF_ERROR(EncodeResponses(v, responses, at));
      w.Bytes(9, responses.bytes());
    } else {
      KT_RETURN_IF_ERROR(PutMember(w, kOperationFields, kOperationExtensions, k, v, at));
    }
  }
  return Status::Ok();
}

// PathItem {1 $ref, 2 get, 3 put, 4 post, 5 delete, 6 options, 7 head, 8 patch, 9 parameters,
// 10 ext}.
Status EncodePathItem(const Json& item, Wire& w, const std::string& where) {
  if (!item.is_object()) return WrongType(where, "an object");
  static const std::pair<const char*, uint32_t> kOps[] = {
      {"get", 2}, {"put", 3}, {"post", 4}, {"delete", 5}, {"options", 6}, {"head", 7}, {"patch", 8}};
  for (const auto& [k, v] : item.items()) {
    const std::string at = where + "." + k;
    if (k == "$ref") {
      KT_RETURN_IF_ERROR(PutString(w, 1, v, at));
      continue;
    }
    if (k == "parameters") {
      KT_RETURN_IF_ERROR(EncodeParameters(v, w, 9, at));
      continue;
    }
    if (IsExtension(k)) {
      PutNamedAny(w, 10, k, v);
      continue;
    }
    for (const auto& [name, field] : kOps) {
      if (k != name) continue;
      Wire op;
      KT_RETURN_IF_ERROR(EncodeOperation(v, op, at));
      w.Bytes(field, op.bytes());
    }
  }
  return Status::Ok();
}

constexpr Field kInfoFields[] = {{"title", 1, Kind::kString},
                                 {"version", 2, Kind::kString},
                                 {"description", 3, Kind::kString},
                                 {"termsOfService", 4, Kind::kString}};
constexpr uint32_t kInfoExtensions = 7;
constexpr Field kDocumentFields[] = {
    {"swagger", 1, Kind::kString},  {"host", 3, Kind::kString},      {"basePath", 4, Kind::kString},
    {"schemes", 5, Kind::kStrings}, {"consumes", 6, Kind::kStrings}, {"produces", 7, Kind::kStrings}};
constexpr uint32_t kDocumentExtensions = 16;

// Paths {1 ext, 2 repeated NamedPathItem {1 name, 2 PathItem}}.
Result<std::string> PathsMessage(const Json& v) {
  if (!v.is_object()) return WrongType("paths", "an object");
  Wire paths;
  for (const auto& [path, item] : v.items()) {
    if (IsExtension(path)) {
      PutNamedAny(paths, 1, path, item);
      continue;
    }
    Wire path_item;
    KT_RETURN_IF_ERROR(EncodePathItem(item, path_item, "paths." + path));
    Wire named;
    named.String(1, path);
    named.Bytes(2, path_item.bytes());
    paths.Bytes(2, named.bytes());
  }
  return paths.bytes();
}

// Definitions {1 repeated NamedSchema {1 name, 2 Schema}}.
Result<std::string> DefinitionsMessage(const Json& v) {
  if (!v.is_object()) return WrongType("definitions", "an object");
  Wire defs;
  for (const auto& [name, schema] : v.items()) {
    Wire named;
    named.String(1, name);
    KT_RETURN_IF_ERROR(PutSchema(named, 2, schema, "definitions." + name, 0));
    defs.Bytes(1, named.bytes());
  }
  return defs.bytes();
}

}  // namespace

// Document {2 Info, 8 Paths, 9 Definitions, and kDocumentFields}.
Result<std::string> EncodeOpenApiV2Protobuf(const Json& doc) {
  if (!doc.is_object()) return WrongType("the document", "an object");
  Wire w;
  for (const auto& [k, v] : doc.items()) {
    if (k == "info") {
      if (!v.is_object()) return WrongType(k, "an object");
      Wire info;
      for (const auto& [ik, iv] : v.items()) {
        KT_RETURN_IF_ERROR(PutMember(info, kInfoFields, kInfoExtensions, ik, iv, "info." + ik));
      }
      w.Bytes(2, info.bytes());
    } else if (k == "paths") {
      KT_ASSIGN_OR_RETURN(std::string paths, PathsMessage(v));
      w.Bytes(8, paths);
    } else if (k == "definitions") {
      KT_ASSIGN_OR_RETURN(std::string defs, DefinitionsMessage(v));
      w.Bytes(9, defs);
    } else {
      KT_RETURN_IF_ERROR(PutMember(w, kDocumentFields, kDocumentExtensions, k, v, k));
    }
  }
  return w.bytes();
}

}  // namespace kt::sim
