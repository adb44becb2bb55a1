// OpenAPI v2 (GET /openapi/v2) has what kubectl 1.27/1.28 need for `explain` and client-side
// validation: a Swagger 2.0 document whose definitions carry each kind's schema with its
// x-kubernetes-group-version-kind, whose every $ref points into #/definitions and resolves,
// whose schemas obey the rules of kubectl's OpenAPI parser (no type or properties beside a
// $ref, every array has items, no v3-only keywords), and whose PATCH operations carry the
// GVK and the fieldValidation parameter. The gnostic protobuf encoding round-trips through the
// project's protobuf decoder (a schema of the gnostic messages written below) and matches
// known bytes; content negotiation and If-None-Match behave as kube-apiserver's.
#include <functional>

#include "api/kube_protobuf.h"
#include "sim/apiserver/types/openapi_v2.h"
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;

constexpr char kWorkspace[] = "sh.kaito.v1beta1.Workspace";
constexpr char kObjectMeta[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

Json Document() {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  return OpenApiV2Document(r);
}

// Calls f(schema, where) for every schema object of the document (definitions, and parameter
// and response schemas of the paths).
void ForEachSchema(const Json& doc, const std::function<void(const Json&, const std::string&)>& f) {
  std::function<void(const Json&, const std::string&)> walk = [&](const Json& s, const std::string& where) {
    if (!s.is_object()) return;
    f(s, where);
    if (s.contains("properties")) {
      for (const auto& [name, sub] : s["properties"].items()) walk(sub, where + "." + name);
    }
    if (s.contains("items")) walk(s["items"], where + "[]");
    if (s.contains("additionalProperties")) walk(s["additionalProperties"], where + "{}");
  };
  for (const auto& [name, s] : doc["definitions"].items()) walk(s, name);
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [verb, op] : item.items()) {
      if (!op.is_object()) continue;
      const Json params = op.value("parameters", Json::array());
      const Json responses = op.value("responses", Json::object());
      for (const Json& p : params) {
        if (p.contains("schema")) walk(p["schema"], path + " " + verb + " body");
      }
      for (const auto& [code, resp] : responses.items()) {
        if (resp.contains("schema")) walk(resp["schema"], path + " " + verb + " " + code);
      }
    }
  }
}

TEST(OpenApiV2Test, DocumentIsSwagger2WithAKindSchemaPerDefinition) {
  Json doc = Document();
  EXPECT_EQ(doc["swagger"], "2.0");
  EXPECT_EQ(doc["info"]["title"], "Kubernetes");
  EXPECT_FALSE(doc.contains("components"));
  ASSERT_TRUE(doc["definitions"].contains(kWorkspace));
  const Json& ws = doc["definitions"][kWorkspace];
  EXPECT_EQ(ws["type"], "object");
  EXPECT_EQ(ws["x-kubernetes-group-version-kind"],
            J(R"([{"group":"kaito.sh","version":"v1beta1","kind":"Workspace"}])"));
  EXPECT_EQ(ws["properties"]["metadata"]["$ref"], std::string("#/definitions/") + kObjectMeta);
  EXPECT_EQ(ws["properties"]["resource"]["properties"]["instanceType"]["type"], "string");
  EXPECT_TRUE(doc["definitions"].contains(kObjectMeta));
  EXPECT_TRUE(doc["definitions"].contains("sh.kaito.v1beta1.WorkspaceList"));
  for (const char* name : {"io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.Deployment",
                           "io.k8s.api.core.v1.ConfigMap", "sh.karpenter.v1.NodeClaim"}) {
    ASSERT_TRUE(doc["definitions"].contains(name)) << name;
    EXPECT_TRUE(doc["definitions"][name]["x-kubernetes-group-version-kind"].is_array()) << name;
  }
}

TEST(OpenApiV2Test, EveryKindOfTheRegistryHasADefinitionWithItsGvk) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  Json doc = OpenApiV2Document(r);
  for (const ResourceType* t : r.All()) {
    Json gvk = {{"group", t->gvr.group}, {"version", t->gvr.version}, {"kind", t->kind}};
    bool found = false;
    for (const auto& [name, s] : doc["definitions"].items()) {
      for (const Json& g : s.value("x-kubernetes-group-version-kind", Json::array())) found |= g == gvk;
    }
    EXPECT_TRUE(found) << gvk.dump();
  }
}

TEST(OpenApiV2Test, SchemasFollowTheRulesOfKubectlsParser) {
  Json doc = Document();
  int refs = 0;
  ForEachSchema(doc, [&](const Json& s, const std::string& where) {
    for (const char* v3_only : {"nullable", "oneOf", "anyOf", "not", "allOf"}) {
      EXPECT_FALSE(s.contains(v3_only)) << where << " has " << v3_only;
    }
    if (s.contains("$ref")) {
      ++refs;
      std::string ref = s["$ref"];
      ASSERT_EQ(ref.rfind("#/definitions/", 0), 0u) << where << ": " << ref;
      EXPECT_TRUE(doc["definitions"].contains(ref.substr(14))) << where << ": unknown " << ref;
      EXPECT_FALSE(s.contains("type")) << where << ": a $ref with a type";
      EXPECT_FALSE(s.contains("properties")) << where << ": a $ref with properties";
    }
    if (s.contains("type") && s["type"] == "array") {
      EXPECT_TRUE(s.contains("items") && s["items"].is_object()) << where << ": an array without items";
    }
    if (s.contains("type")) {
      EXPECT_TRUE(s["type"].is_string()) << where;
      std::string t = s["type"];
      EXPECT_TRUE(t == "object" || t == "array" || t == "string" || t == "integer" || t == "number" ||
                  t == "boolean")
          << where << ": type " << t;
    }
  });
  EXPECT_GT(refs, 10);
}

TEST(OpenApiV2Test, PatchOperationsCarryTheGvkAndFieldValidation) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  Json doc = OpenApiV2Document(r);
  const Json& item = doc["paths"]["/apis/kaito.sh/v1beta1/namespaces/{namespace}/workspaces/{name}"];
  const Json& patch = item["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"],
            J(R"({"group":"kaito.sh","version":"v1beta1","kind":"Workspace"})"));
  EXPECT_EQ(patch["operationId"], "patchKaitoShV1beta1NamespacedWorkspace");
  bool field_validation = false;
  bool body = false;
  for (const Json& p : patch["parameters"]) {
    if (p["name"] == "fieldValidation") {
      field_validation = p["in"] == "query" && p["type"] == "string";
    }
    if (p["in"] == "body") body = p["schema"]["type"] == "object" && p["required"] == true;
  }
  EXPECT_TRUE(field_validation) << patch.dump();
  EXPECT_TRUE(body) << patch.dump();
  EXPECT_TRUE(std::find(patch["consumes"].begin(), patch["consumes"].end(),
                        "application/apply-patch+yaml") != patch["consumes"].end());
  EXPECT_EQ(patch["responses"]["200"]["schema"]["$ref"], std::string("#/definitions/") + kWorkspace);
  const Json& put = item["put"];
  bool put_body = false;
  for (const Json& p : put["parameters"]) {
    if (p["in"] == "body") put_body = p["schema"]["$ref"] == std::string("#/definitions/") + kWorkspace;
  }
  EXPECT_TRUE(put_body) << put.dump();
  EXPECT_EQ(item["parameters"][0]["in"], "path");
  EXPECT_EQ(item["parameters"][0]["type"], "string");
  // Every kind's PATCH has both (kubectl's v2 query-parameter check walks these).
  for (const ResourceType* t : r.All()) {
    bool found = false;
    for (const auto& [path, pi] : doc["paths"].items()) {
      if (!pi.contains("patch")) continue;
      if (pi["patch"]["x-kubernetes-group-version-kind"]["kind"] != t->kind ||
          pi["patch"]["x-kubernetes-group-version-kind"]["group"] != t->gvr.group) {
        continue;
      }
      for (const Json& p : pi["patch"]["parameters"]) found |= p["name"] == "fieldValidation";
    }
    EXPECT_TRUE(found) << t->kind;
  }
}

TEST(OpenApiV2Test, SchemaLoweringFollowsKubeApiserversCrdRules) {
  // allOf of one $ref becomes a $ref (with its description; no default beside it).
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"allOf":[{"$ref":"#/components/schemas/A"}],"default":{},"description":"d"})")),
            J(R"({"$ref":"#/definitions/A","description":"d"})"));
  // nullable drops type, items and properties, and the field is no longer required.
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"type":"object","required":["a","b"],"properties":{
              "a":{"type":"string","nullable":true},"b":{"type":"array","nullable":true,"items":{"type":"string"}}}})")),
            J(R"({"type":"object","properties":{"a":{},"b":{}}})"));
  // x-kubernetes-preserve-unknown-fields keeps the type but drops properties and items.
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"type":"object","x-kubernetes-preserve-unknown-fields":true,
              "properties":{"a":{"type":"string"}}})")),
            J(R"({"type":"object","x-kubernetes-preserve-unknown-fields":true})"));
  // An array without items becomes an arbitrary value.
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"type":"array","description":"d"})")), J(R"({"description":"d"})"));
  // v3-only keywords go; int-or-string stays a vendor extension without a type.
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],
              "pattern":"^x$"})")),
            J(R"({"x-kubernetes-int-or-string":true,"pattern":"^x$"})"));
  // Nested schemas are lowered too.
  EXPECT_EQ(OpenApiV3SchemaToV2(J(R"({"type":"object","additionalProperties":{"type":"string","nullable":true},
              "properties":{"l":{"type":"array","items":{"oneOf":[{}],"type":"integer","format":"int32"}}}})")),
            J(R"({"type":"object","additionalProperties":{},
              "properties":{"l":{"type":"array","items":{"type":"integer","format":"int32"}}}})"));
}

TEST(OpenApiV2Test, ProtobufEncodingMatchesKnownBytes) {
  // Document {1 swagger: "2.0"}
  auto a = EncodeOpenApiV2Protobuf(J(R"({"swagger":"2.0"})"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, std::string("\x0a\x03" "2.0", 5));
  // Document {9 Definitions {1 NamedSchema {1 "S", 2 Schema {22 TypeItem {1 "string"}, 11 maxLength 3}}}}
  auto b = EncodeOpenApiV2Protobuf(J(R"({"definitions":{"S":{"maxLength":3,"type":"string"}}})"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const std::string schema = std::string("\x58\x03", 2) + "\xb2\x01\x08\x0a\x06string";
  const std::string named = std::string("\x0a\x01S\x12", 4) + static_cast<char>(schema.size()) + schema;
  const std::string defs = std::string("\x0a") + static_cast<char>(named.size()) + named;
  EXPECT_EQ(*b, std::string("\x4a") + static_cast<char>(defs.size()) + defs);
  // A vendor extension is NamedAny {1 name, 2 Any {2 yaml}}, the value as JSON text.
  auto c = EncodeOpenApiV2Protobuf(J(R"({"x-a":true})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, std::string("\x82\x01\x0e\x0a\x03x-a\x12\x07\x12\x05true\n", 17));
}

// The gnostic messages the encoder writes, in the project decoder's schema language; Named*
// messages {1 name, 2 value} decode as maps. A field the encoder writes that is missing here
// fails the decode (unknown field number).
constexpr char kGnosticSchema[] = R"(
kinds: {}
messages:
  Document: {1: "swagger string", 2: "info Info", 3: "host string", 4: "basePath string",
             5: "schemes []string", 6: "consumes []string", 7: "produces []string",
             8: "paths Paths", 9: "definitions Definitions", 16: "ext map<string,Any>"}
  Info: {1: "title string", 2: "version string", 3: "description string", 4: "termsOfService string",
         7: "ext map<string,Any>"}
  Any: {2: "yaml string"}
  Paths: {1: "ext map<string,Any>", 2: "path map<string,PathItem>"}
  PathItem: {1: "$ref string", 2: "get Operation", 3: "put Operation", 4: "post Operation",
             5: "delete Operation", 6: "options Operation", 7: "head Operation", 8: "patch Operation",
             9: "parameters []ParametersItem", 10: "ext map<string,Any>"}
  Operation: {1: "tags []string", 2: "summary string", 3: "description string", 5: "operationId string",
              6: "produces []string", 7: "consumes []string", 8: "parameters []ParametersItem",
              9: "responses Responses", 10: "schemes []string", 11: "deprecated bool",
              13: "ext map<string,Any>"}
  ParametersItem: {1: "parameter Parameter"}
  Parameter: {1: "body BodyParameter", 2: "nonBody NonBodyParameter"}
  BodyParameter: {1: "description string", 2: "name string", 3: "in string", 4: "required bool",
                  5: "schema Schema", 6: "ext map<string,Any>"}
  NonBodyParameter: {1: "header PathParam", 2: "formData QueryParam", 3: "query QueryParam",
                     4: "path PathParam"}
  QueryParam: {1: "required bool", 2: "in string", 3: "description string", 4: "name string",
               6: "type string", 7: "format string", 10: "default Any", 17: "pattern string",
               20: "uniqueItems bool", 21: "enum []Any", 23: "ext map<string,Any>"}
  PathParam: {1: "required bool", 2: "in string", 3: "description string", 4: "name string",
              5: "type string", 6: "format string", 9: "default Any", 16: "pattern string",
              19: "uniqueItems bool", 20: "enum []Any", 22: "ext map<string,Any>"}
  Responses: {1: "code map<string,ResponseValue>", 2: "ext map<string,Any>"}
  ResponseValue: {1: "response Response"}
  Response: {1: "description string", 2: "schema SchemaItem", 5: "ext map<string,Any>"}
  SchemaItem: {1: "schema Schema"}
  Definitions: {1: "schemas map<string,Schema>"}
  Properties: {1: "schemas map<string,Schema>"}
  TypeItem: {1: "value []string"}
  ItemsItem: {1: "schema []Schema"}
  AdditionalPropertiesItem: {1: "schema Schema", 2: "boolean bool keep"}
  Schema: {1: "$ref string", 2: "format string", 3: "title string", 4: "description string",
           5: "default Any", 6: "multipleOf double", 7: "maximum double", 8: "exclusiveMaximum bool",
           9: "minimum double", 10: "exclusiveMinimum bool", 11: "maxLength int64",
           12: "minLength int64", 13: "pattern string", 14: "maxItems int64", 15: "minItems int64",
           16: "uniqueItems bool", 17: "maxProperties int64", 18: "minProperties int64",
           19: "required []string", 20: "enum []Any", 21: "additionalProperties AdditionalPropertiesItem",
           22: "type TypeItem", 23: "items ItemsItem", 24: "allOf []Schema", 25: "properties Properties",
           26: "discriminator string", 27: "readOnly bool", 30: "example Any", 31: "ext map<string,Any>"}
)";

Json DecodeDocument(const std::string& bytes) {
  auto schema = api::KubeProtobufSchema::Parse(kGnosticSchema);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return Json();
  auto decoded = api::DecodeKubeProtobufMessage("Document", bytes, **schema);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : Json();
}

Json YamlOf(const Json& any) { return testing::Y(any["yaml"].get<std::string>()); }

TEST(OpenApiV2Test, ProtobufRoundTripsThroughADecoderOfTheGnosticMessages) {
  Json doc = Document();
  auto bytes = EncodeOpenApiV2Protobuf(doc);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Json d = DecodeDocument(*bytes);
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d["swagger"], "2.0");
  EXPECT_EQ(d["info"]["title"], "Kubernetes");
  // Every definition and path survives, by name.
  EXPECT_EQ(d["definitions"]["schemas"].size(), doc["definitions"].size());
  EXPECT_EQ(d["paths"]["path"].size(), doc["paths"].size());
  const Json& ws = d["definitions"]["schemas"][kWorkspace];
  EXPECT_EQ(ws["type"]["value"], J(R"(["object"])"));
  EXPECT_EQ(YamlOf(ws["ext"]["x-kubernetes-group-version-kind"]),
            J(R"([{"group":"kaito.sh","version":"v1beta1","kind":"Workspace"}])"));
  const Json& props = ws["properties"]["schemas"];
  EXPECT_EQ(props["metadata"]["$ref"], std::string("#/definitions/") + kObjectMeta);
  EXPECT_EQ(props["resource"]["properties"]["schemas"]["instanceType"]["type"]["value"], J(R"(["string"])"));
  EXPECT_EQ(props["resource"]["properties"]["schemas"]["instanceType"]["description"],
            doc["definitions"][kWorkspace]["properties"]["resource"]["properties"]["instanceType"]["description"]);
  // The PATCH operation: GVK extension and the fieldValidation query parameter.
  const Json& patch = d["paths"]["path"]["/apis/kaito.sh/v1beta1/namespaces/{namespace}/workspaces/{name}"]["patch"];
  EXPECT_EQ(YamlOf(patch["ext"]["x-kubernetes-group-version-kind"]),
            J(R"({"group":"kaito.sh","version":"v1beta1","kind":"Workspace"})"));
  bool field_validation = false;
  for (const Json& p : patch["parameters"]) {
    const Json* q = FindPath(p, "parameter.nonBody.query");
    if (q != nullptr && (*q)["name"] == "fieldValidation") {
      field_validation = (*q)["in"] == "query" && (*q)["type"] == "string";
    }
  }
  EXPECT_TRUE(field_validation) << patch.dump();
  EXPECT_EQ(patch["responses"]["code"]["200"]["response"]["schema"]["schema"]["$ref"],
            std::string("#/definitions/") + kWorkspace);
}

TEST(OpenApiV2Test, ProtobufCarriesNumbersBooleansEnumsAndDefaults) {
  Json doc = J(R"({"definitions":{"S":{"type":"object","properties":{
      "n":{"type":"number","minimum":0.5,"maximum":10,"exclusiveMaximum":true,"multipleOf":0.25},
      "e":{"type":"string","enum":["a","b"],"default":"a","minLength":1},
      "m":{"type":"object","additionalProperties":false},
      "s":{"type":"object","additionalProperties":{"type":"integer","format":"int64"}},
      "l":{"type":"array","items":{"type":"string"},"maxItems":4,"uniqueItems":true}},
      "required":["n"]}}})");
  auto bytes = EncodeOpenApiV2Protobuf(doc);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Json s = DecodeDocument(*bytes)["definitions"]["schemas"]["S"];
  const Json& p = s["properties"]["schemas"];
  EXPECT_EQ(s["required"], J(R"(["n"])"));
  EXPECT_EQ(p["n"]["minimum"], 0.5);
  EXPECT_EQ(p["n"]["maximum"], 10.0);
  EXPECT_EQ(p["n"]["exclusiveMaximum"], true);
  EXPECT_EQ(p["n"]["multipleOf"], 0.25);
  EXPECT_EQ(YamlOf(p["e"]["enum"][1]), "b");
  EXPECT_EQ(YamlOf(p["e"]["default"]), "a");
  EXPECT_EQ(p["e"]["minLength"], 1);
  EXPECT_EQ(p["m"]["additionalProperties"], J(R"({"boolean":false})"));
  EXPECT_EQ(p["s"]["additionalProperties"]["schema"]["format"], "int64");
  EXPECT_EQ(p["l"]["items"]["schema"][0]["type"]["value"][0], "string");
  EXPECT_EQ(p["l"]["maxItems"], 4);
  EXPECT_EQ(p["l"]["uniqueItems"], true);
}

TEST(OpenApiV2Test, ProtobufEncodingRefusesWrongTypesAndDeepNesting) {
  auto a = EncodeOpenApiV2Protobuf(J(R"({"swagger":2})"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kBadRequest);
  EXPECT_NE(a.status().message().find("swagger must be a string"), std::string::npos) << a.status().ToString();
  auto b = EncodeOpenApiV2Protobuf(J(R"({"definitions":{"S":{"maxLength":"3"}}})"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("definitions.S.maxLength must be an integer"), std::string::npos);
  Json deep = {{"type", "string"}};
  for (int i = 0; i < 200; ++i) deep = {{"type", "object"}, {"properties", {{"x", deep}}}};
  auto c = EncodeOpenApiV2Protobuf(Json{{"definitions", {{"D", deep}}}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("nests deeper than"), std::string::npos);
  EXPECT_FALSE(EncodeOpenApiV2Protobuf(J("[]")).ok());
}

TEST(OpenApiV2Test, ServesJsonOrProtobufByAcceptAndHonoursIfNoneMatch) {
  TypeRegistry r;
  testing::InstallProjectCrds(r);
  for (const char* accept : {"", "application/json", "*/*", "application/json, */*"}) {
    auto reply = ServeOpenApiV2(r, accept, "");
    ASSERT_TRUE(reply.ok()) << accept;
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->content_type, "application/json") << accept;
    EXPECT_EQ(J(reply->body)["swagger"], "2.0");
  }
  auto pb = ServeOpenApiV2(r, kOpenApiV2ProtobufAccept, "");
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->content_type, kOpenApiV2ProtobufContentType);
  EXPECT_EQ(DecodeDocument(pb->body)["swagger"], "2.0");
  // Weights: protobuf preferred over JSON; q=0 never chosen.
  auto weighted = ServeOpenApiV2(
      r, "application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "");
  ASSERT_TRUE(weighted.ok());
  EXPECT_EQ(weighted->content_type, kOpenApiV2ProtobufContentType);
  auto none = ServeOpenApiV2(r, "text/html, application/json;q=0", "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotAcceptable);
  // ETags are quoted, differ per format, and a matching If-None-Match is 304 without a body.
  auto json = ServeOpenApiV2(r, "application/json", "");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->etag.front(), '"');
  EXPECT_NE(json->etag, pb->etag);
  auto again = ServeOpenApiV2(r, kOpenApiV2ProtobufAccept, "\"other\", " + pb->etag);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(again->etag, pb->etag);
  auto stale = ServeOpenApiV2(r, kOpenApiV2ProtobufAccept, "\"other\"");
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 200);
}

TEST(OpenApiV2Test, DocumentFollowsCrdChanges) {
  TypeRegistry r;
  auto before = ServeOpenApiV2(r, "application/json", "");
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(J(before->body)["definitions"].contains(kWorkspace));
  testing::InstallProjectCrds(r);
  auto after = ServeOpenApiV2(r, "application/json", before->etag);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
  EXPECT_NE(after->etag, before->etag);
  EXPECT_TRUE(J(after->body)["definitions"].contains(kWorkspace));
}

}  // namespace
}  // namespace kt::sim
