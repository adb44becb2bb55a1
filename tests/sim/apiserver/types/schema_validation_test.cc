// Custom resources are checked against their structural schema with kube-apiserver's
// messages (type, required, enum, pattern, bounds, lengths, item counts, formats, nullable,
// maps, int-or-string, embedded resources, list types), unknown fields follow
// fieldValidation Strict/Warn/Ignore, pruning drops unknown fields, and defaults fill absent
// fields.
#include "sim/apiserver/types/schema.h"

#include "sim/apiserver/types/field_error.h"
#include "sim/apiserver/types/object_meta.h"
#include "sim/apiserver/types/type_registry.h"
#include "test_util.h"

namespace kt::sim {
namespace {

using testing::J;
using testing::Y;

class SchemaValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Json crd = Y(R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              ratio: {type: number, exclusiveMaximum: true, maximum: 1}
              mode: {type: string, enum: [fast, slow], default: slow}
              code: {type: string, pattern: '^[a-z]+$', minLength: 2, maxLength: 5}
              title: {type: string, minLength: 3, maxLength: 9}
              tags: {type: array, items: {type: string}, maxItems: 2, minItems: 1}
              set: {type: array, items: {type: string}, x-kubernetes-list-type: set}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port]
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    name: {type: string, default: http}
              labels: {type: object, additionalProperties: {type: string}}
              when: {type: string, format: date-time}
              maybe: {type: string, nullable: true}
              port: {x-kubernetes-int-or-string: true}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
              any: {x-kubernetes-preserve-unknown-fields: true}
              enabled: {type: boolean}
              nested:
                type: object
                default: {}
                properties:
                  level: {type: integer, default: 3}
              pod:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              ready: {type: boolean}
)");
    ASSERT_TRUE(r_.AddCrd(crd).ok());
    type_ = r_.Find({"example.com", "v1", "gadgets"});
    ASSERT_NE(type_, nullptr);
  }

  Json Obj(const char* spec) {
    Json o = J(R"({"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"}})");
    o["spec"] = J(spec);
    return o;
  }

  // The message of validating spec, which must be Invalid.
  std::string Invalid(const char* spec) {
    ValidationResult v = r_.Validate(*type_, Obj(spec), "Strict");
    EXPECT_TRUE(v.status.Is(StatusCode::kInvalid)) << spec << " -> " << v.status.ToString();
    return v.status.message();
  }

  TypeRegistry r_;
  const ResourceType* type_ = nullptr;
};

TEST_F(SchemaValidationTest, ValidObjectPasses) {
  ValidationResult v = r_.Validate(
      *type_,
      Obj(R"({"size":3,"ratio":0.5,"mode":"fast","code":"abc","tags":["a"],"labels":{"a":"b"},
             "when":"2026-01-01T00:00:00Z","maybe":null,"port":"http","free":{"x":{"y":1}},
             "pod":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}})"),
      "Strict");
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
}

TEST_F(SchemaValidationTest, WrongTypeUsesKubeMessage) {
  EXPECT_EQ(Invalid(R"({"size":"three"})"),
            "Gadget.example.com \"g\" is invalid: spec.size: Invalid value: \"string\": "
            "spec.size in body must be of type integer: \"string\"");
}

TEST_F(SchemaValidationTest, MissingRequiredField) {
  EXPECT_EQ(Invalid(R"({"mode":"fast"})"),
            "Gadget.example.com \"g\" is invalid: spec.size: Required value");
}

TEST_F(SchemaValidationTest, EnumListsSupportedValues) {
  EXPECT_NE(Invalid(R"({"size":1,"mode":"medium"})")
                .find("spec.mode: Unsupported value: \"medium\": supported values: \"fast\", "
                      "\"slow\""),
            std::string::npos);
}

TEST_F(SchemaValidationTest, PatternAndLengths) {
  EXPECT_NE(Invalid(R"({"size":1,"code":"AB"})")
                .find("spec.code: Invalid value: \"AB\": spec.code in body should match "
                      "'^[a-z]+$'"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"code":"abcdef"})")
                .find("spec.code: Too long: may not be longer than 5"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"code":"a"})")
                .find("spec.code: Invalid value: \"a\": spec.code in body should be at least 2 "
                      "chars long"),
            std::string::npos);
}

// Lengths count UTF-8 characters, not bytes (kube counts runes), across and within 8-byte words.
TEST_F(SchemaValidationTest, LengthsCountCharactersNotBytes) {
  for (const char* ok : {R"({"size":1,"title":"\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df\u00e9\u00e8"})",
                         R"({"size":1,"title":"a\ud83d\ude00b\ud83d\ude00c\ud83d\ude00d\u20ace"})",
                         R"({"size":1,"title":"\u20ac\u20ac\u20ac"})"}) {
    ValidationResult v = r_.Validate(*type_, Obj(ok), "Strict");
    EXPECT_TRUE(v.status.ok()) << ok << " -> " << v.status.ToString();
  }
  EXPECT_NE(Invalid(R"({"size":1,"title":"\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df\u00e9\u00e8x"})")
                .find("spec.title: Too long: may not be longer than 9"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"title":"\ud83d\ude00\ud83d\ude00"})")
                .find("spec.title in body should be at least 3 chars long"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, NumericBounds) {
  EXPECT_NE(Invalid(R"({"size":0})")
                .find("spec.size: Invalid value: 0: spec.size in body should be greater than or "
                      "equal to 1"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":11})")
                .find("spec.size: Invalid value: 11: spec.size in body should be less than or "
                      "equal to 10"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"ratio":1})")
                .find("spec.ratio in body should be less than 1"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, IntegralFloatsAreIntegers) {
  EXPECT_TRUE(r_.Validate(*type_, Obj(R"({"size":2.0})"), "Strict").status.ok());
  EXPECT_NE(Invalid(R"({"size":2.5})").find("must be of type integer: \"number\""),
            std::string::npos);
}

TEST_F(SchemaValidationTest, ItemCounts) {
  EXPECT_NE(Invalid(R"({"size":1,"tags":["a","b","c"]})")
                .find("spec.tags: Too many: 3: must have at most 2 items"),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"tags":[]})")
                .find("spec.tags in body should have at least 1 items"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, ArrayItemsAreCheckedWithIndexedPaths) {
  EXPECT_NE(Invalid(R"({"size":1,"tags":["a",7]})")
                .find("spec.tags[1]: Invalid value: \"integer\": spec.tags[1] in body must be "
                      "of type string: \"integer\""),
            std::string::npos);
}

TEST_F(SchemaValidationTest, ListTypeSetAndMapRejectDuplicates) {
  EXPECT_NE(Invalid(R"({"size":1,"set":["a","a"]})").find("spec.set[1]: Duplicate value: \"a\""),
            std::string::npos);
  EXPECT_NE(Invalid(R"({"size":1,"ports":[{"port":80},{"port":80,"name":"x"}]})")
                .find("spec.ports[1]: Duplicate value"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, MapValuesFollowAdditionalProperties) {
  EXPECT_NE(Invalid(R"({"size":1,"labels":{"a":1}})").find("spec.labels.a in body must be of type string"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, DateTimeFormat) {
  EXPECT_NE(Invalid(R"({"size":1,"when":"yesterday"})")
                .find("spec.when in body must be of type date-time: \"yesterday\""),
            std::string::npos);
}

TEST_F(SchemaValidationTest, NullOnlyWhereNullable) {
  EXPECT_NE(Invalid(R"({"size":1,"code":null})").find("must be of type string: \"null\""),
            std::string::npos);
}

TEST_F(SchemaValidationTest, IntOrStringAcceptsBothButNotBooleans) {
  EXPECT_TRUE(r_.Validate(*type_, Obj(R"({"size":1,"port":8080})"), "Strict").status.ok());
  EXPECT_NE(Invalid(R"({"size":1,"port":true})").find("must be of type integer,string"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, EmbeddedResourceNeedsApiVersionAndKind) {
  std::string m = Invalid(R"({"size":1,"pod":{"spec":{}}})");
  EXPECT_NE(m.find("spec.pod.apiVersion: Required value"), std::string::npos);
  EXPECT_NE(m.find("spec.pod.kind: Required value"), std::string::npos);
}

TEST_F(SchemaValidationTest, SeveralErrorsAreListedInBrackets) {
  std::string m = Invalid(R"({"size":"x","mode":"y"})");
  EXPECT_EQ(m.rfind("Gadget.example.com \"g\" is invalid: [", 0), 0u) << m;
  EXPECT_EQ(m.back(), ']');
}

TEST_F(SchemaValidationTest, ErrorsCarryCausesForTheStatusBody) {
  ValidationResult v = r_.Validate(*type_, Obj(R"({"size":"x"})"), "Strict");
  ASSERT_EQ(v.errors.size(), 1u);
  Json causes = CausesJson(v.errors);
  EXPECT_EQ(causes[0]["reason"], "FieldValueInvalid");
  EXPECT_EQ(causes[0]["field"], "spec.size");
  EXPECT_EQ(causes[0]["message"],
            "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");
}

TEST_F(SchemaValidationTest, MetadataNameMustBeADnsSubdomain) {
  Json o = Obj(R"({"size":1})");
  o["metadata"]["name"] = "Bad_Name";
  ValidationResult v = r_.Validate(*type_, o, "Strict");
  ASSERT_TRUE(v.status.Is(StatusCode::kInvalid));
  EXPECT_NE(v.status.message().find("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC "
                                    "1123 subdomain must consist of"),
            std::string::npos);
}

TEST_F(SchemaValidationTest, MetadataLabelsMustBeValid) {
  Json o = Obj(R"({"size":1})");
  o["metadata"]["labels"] = J(R"({"bad key":"v"})");
  EXPECT_TRUE(r_.Validate(*type_, o, "Strict").status.Is(StatusCode::kInvalid));
  o["metadata"]["labels"] = J(R"({"app":5})");
  ValidationResult v = r_.Validate(*type_, o, "Strict");
  EXPECT_NE(v.status.message().find("metadata.labels.app in body must be of type string"),
            std::string::npos)
      << v.status.ToString();
}

TEST_F(SchemaValidationTest, NameOrGenerateNameIsRequired) {
  Json o = Obj(R"({"size":1})");
  o["metadata"].erase("name");
  EXPECT_NE(r_.Validate(*type_, o, "Strict")
                .status.message()
                .find("metadata.name: Required value: name or generateName is required"),
            std::string::npos);
  o["metadata"]["generateName"] = "g-";
  EXPECT_TRUE(r_.Validate(*type_, o, "Strict").status.ok());
}

TEST_F(SchemaValidationTest, StrictRejectsUnknownFieldsAsBadRequest) {
  Json o = Obj(R"({"size":1,"foo":1,"ports":[{"port":80,"bar":2}]})");
  o["top"] = 1;
  o["metadata"]["junk"] = true;
  ValidationResult v = r_.Validate(*type_, o, "Strict");
  ASSERT_TRUE(v.status.Is(StatusCode::kBadRequest)) << v.status.ToString();
  EXPECT_EQ(v.status.message(),
            "Gadget in version \"v1\" cannot be handled as a Gadget: strict decoding error: "
            "unknown field \"metadata.junk\", unknown field \"spec.foo\", unknown field "
            "\"spec.ports[0].bar\", unknown field \"top\"");
}

TEST_F(SchemaValidationTest, PreservedSubtreesHaveNoUnknownFields) {
  Json o = Obj(R"({"size":1,"free":{"anything":{"goes":[1]}},"pod":{"apiVersion":"v1",
                  "kind":"Pod","spec":{"containers":[]}}})");
  EXPECT_TRUE(r_.Validate(*type_, o, "Strict").status.ok());
}

TEST_F(SchemaValidationTest, WarnReportsUnknownFieldsAsWarnings) {
  ValidationResult v = r_.Validate(*type_, Obj(R"({"size":1,"foo":1})"), "Warn");
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.warnings, std::vector<std::string>{"unknown field \"spec.foo\""});
}

TEST_F(SchemaValidationTest, IgnoreSaysNothingAboutUnknownFields) {
  ValidationResult v = r_.Validate(*type_, Obj(R"({"size":1,"foo":1})"), "Ignore");
  EXPECT_TRUE(v.status.ok());
  EXPECT_TRUE(v.warnings.empty());
}

TEST_F(SchemaValidationTest, PruneDropsUnknownFieldsAndNonNullableNulls) {
  Json o = Obj(R"({"size":1,"foo":1,"code":null,"maybe":null,"free":{"x":1},
                  "ports":[{"port":80,"bar":2}]})");
  o["status"] = J(R"({"ready":true,"extra":1})");
  o["metadata"]["junk"] = 1;
  r_.Prune(*type_, o);
  EXPECT_EQ(o["spec"], J(R"({"size":1,"maybe":null,"free":{"x":1},"ports":[{"port":80}]})"));
  EXPECT_EQ(o["status"], J(R"({"ready":true})"));
  EXPECT_FALSE(o["metadata"].contains("junk"));
  EXPECT_EQ(o["apiVersion"], "example.com/v1");
}

TEST_F(SchemaValidationTest, DefaultsFillAbsentFieldsRecursively) {
  Json o = Obj(R"({"size":1,"ports":[{"port":80},{"port":81,"name":"x"}]})");
  r_.ApplyDefaults(*type_, o);
  EXPECT_EQ(o["spec"]["mode"], "slow");
  EXPECT_EQ(o["spec"]["nested"], J(R"({"level":3})"));
  EXPECT_EQ(o["spec"]["ports"], J(R"([{"port":80,"name":"http"},{"port":81,"name":"x"}])"));
}

TEST_F(SchemaValidationTest, DefaultsDoNotCreateAbsentParents) {
  Json o = J(R"({"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"}})");
  r_.ApplyDefaults(*type_, o);
  EXPECT_FALSE(o.contains("spec"));
}

TEST_F(SchemaValidationTest, AdmitPrunesDefaultsAndValidatesInKubeOrder) {
  Json o = Obj(R"({"size":1,"foo":1})");
  ValidationResult v = r_.Admit(*type_, o, "Warn");
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.warnings.size(), 1u);
  EXPECT_FALSE(o["spec"].contains("foo"));
  EXPECT_EQ(o["spec"]["mode"], "slow");
  Json bad = Obj(R"({"size":1,"foo":1})");
  EXPECT_TRUE(r_.Admit(*type_, bad, "Strict").status.Is(StatusCode::kBadRequest));
}

// Admit finds unknown fields in its pruning walk; Validate walks for them alone. Both report
// the same fields in the same order (metadata, nested, in lists), and Admit prunes them.
TEST_F(SchemaValidationTest, AdmitReportsTheUnknownFieldsValidateReports) {
  auto make = [&] {
    Json o = Obj(R"({"size":1,"foo":1,"ports":[{"port":80,"bar":2},{"port":81,"baz":3}]})");
    o["top"] = 1;
    o["metadata"]["junk"] = true;
    return o;
  };
  const std::vector<std::string> expected = {
      "unknown field \"metadata.junk\"", "unknown field \"spec.foo\"",
      "unknown field \"spec.ports[0].bar\"", "unknown field \"spec.ports[1].baz\"",
      "unknown field \"top\""};
  EXPECT_EQ(r_.Validate(*type_, make(), "Warn").warnings, expected);
  Json o = make();
  ValidationResult v = r_.Admit(*type_, o, "Warn");
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(v.warnings, expected);
  EXPECT_EQ(o["spec"]["ports"], J(R"([{"port":80,"name":"http"},{"port":81,"name":"http"}])"));
  EXPECT_FALSE(o.contains("top"));
  Json strict = make();
  EXPECT_EQ(r_.Admit(*type_, strict, "Strict").status.message(),
            r_.Validate(*type_, make(), "Strict").status.message());
}

// Validation notes what pruning would remove (unknown fields, nulls the schema does not allow)
// wherever pruning walks: nested, in list items, under embedded resources and in metadata
// (which prunes as ObjectMeta). Admission skips the pruning walk on that word.
TEST_F(SchemaValidationTest, ValidationNotesWhatPruningWouldRemove) {
  struct Case {
    const char* spec;
    const char* metadata_extra;  // a member added to metadata, as JSON "key":value
    bool prunable;
  };
  const Case cases[] = {
      {R"({"size":1,"maybe":null,"free":{"x":null,"y":1},"labels":{"a":"b"}})", nullptr, false},
      {R"({"size":1,"pod":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}})", nullptr,
       false},
      {R"({"size":1,"foo":1})", nullptr, true},
      {R"({"size":1,"ports":[{"port":80,"bar":2}]})", nullptr, true},
      {R"({"size":1,"code":null})", nullptr, true},
      {R"({"size":1,"any":null})", nullptr, true},  // no type: null is valid, and pruned
      {R"({"size":1,"labels":{"a":null}})", nullptr, true},
      {R"({"size":1,"pod":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","x":1}}})",
       nullptr, true},
      {R"({"size":1,"pod":{"apiVersion":"v1","kind":"Pod","status":{}}})", nullptr, true},
      {R"({"size":1})", R"({"junk":true})", true},
      {R"({"size":1})", R"({"labels":null})", true},
  };
  const Schema& schema = *r_.SchemaOf(*type_);
  for (const Case& c : cases) {
    Json o = Obj(c.spec);
    if (c.metadata_extra != nullptr) o["metadata"].update(J(c.metadata_extra));
    bool prunable = false;
    FieldErrors errors;
    ValidateObjectMeta(o, NameRule::kDnsSubdomain, errors, &prunable);
    ValidateAgainstSchema(schema, o, SchemaWalk{}, errors, &prunable);
    EXPECT_EQ(prunable, c.prunable) << c.spec << " " << (c.metadata_extra ? c.metadata_extra : "");
    Json pruned = o;
    r_.Prune(*type_, pruned);
    EXPECT_EQ(pruned != o, c.prunable) << c.spec;
  }
}

// A built-in kind has no defaults: its valid objects with nothing to prune are admitted on the
// validation walk alone, and the rest the long way, so that either way Admit stores what
// prune, default and validate in kube's order store, with the same warnings and errors.
TEST(AdmitTest, AdmitsAsPruneDefaultValidateDo) {
  TypeRegistry r;
  const ResourceType* cm = r.Find({"", "v1", "configmaps"});
  ASSERT_NE(cm, nullptr);
  const char* objects[] = {
      R"({"metadata":{"name":"a","namespace":"d"},"data":{"k":"v"}})",
      R"({"metadata":{"name":"a","namespace":"d","junk":1},"data":{"k":"v"}})",
      R"({"metadata":{"name":"a","namespace":"d"},"data":{"k":null},"extra":{"x":1}})",
      R"({"metadata":{"name":"a","namespace":"d"},"data":{"k":1}})",
      R"({"metadata":{"name":"A_","namespace":"d"},"data":{"k":"v"},"junk":2})",
      R"({"metadata":{"name":"a","namespace":"d","labels":null},"immutable":null})",
  };
  for (const char* text : objects) {
    for (const char* mode : {"Strict", "Warn", "Ignore"}) {
      Json base = J(text);
      base["apiVersion"] = "v1";
      base["kind"] = "ConfigMap";
      Json admitted = base;
      ValidationResult got = r.Admit(*cm, admitted, mode);
      Json expected = base;
      std::vector<std::string> unknown = UnknownFields(*r.SchemaOf(*cm), expected, SchemaWalk{});
      r.Prune(*cm, expected);
      r.ApplyDefaults(*cm, expected);
      if (std::string_view(mode) == "Strict" && !unknown.empty()) {
        EXPECT_TRUE(got.status.Is(StatusCode::kBadRequest)) << text << " " << mode;
        continue;
      }
      const ValidationResult want = r.Validate(*cm, expected, "Ignore");
      EXPECT_EQ(got.status.ToString(), want.status.ToString()) << text << " " << mode;
      EXPECT_EQ(got.warnings.size(), std::string_view(mode) == "Warn" ? unknown.size() : 0u)
          << text;
      if (got.status.ok()) {
        EXPECT_EQ(admitted, expected) << text << " " << mode;
      }
    }
  }
}

// A plain scalar (validation checks only its type) is a string, integer, number or boolean
// with no other rule; a format counts as a rule for strings only (kube checks no number
// formats).
TEST(CompileSchemaTest, PlainScalarsHaveNothingButAType) {
  auto compiled = CompileSchema(J(R"({"type":"object","properties":{
      "s":{"type":"string"}, "i":{"type":"integer","format":"int32"}, "b":{"type":"boolean"},
      "n":{"type":"number","nullable":true},
      "date":{"type":"string","format":"date-time"}, "e":{"type":"string","enum":["a"]},
      "len":{"type":"string","maxLength":3}, "pat":{"type":"string","pattern":"^a$"},
      "min":{"type":"integer","minimum":1}, "mul":{"type":"number","multipleOf":2},
      "all":{"type":"string","allOf":[{"maxLength":3}]}, "ios":{"x-kubernetes-int-or-string":true},
      "o":{"type":"object"}, "l":{"type":"array","items":{"type":"string"}}}})"),
                                "", false, nullptr);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  for (const auto& [name, schema] : (*compiled)->properties) {
    const bool plain = name == "s" || name == "i" || name == "b" || name == "n";
    EXPECT_EQ(schema->plain_scalar, plain) << name;
  }
  EXPECT_TRUE((*compiled)->Property("l")->items->plain_scalar);
}

TEST(JsonTypeNameTest, NamesEveryJsonType) {
  EXPECT_EQ(JsonTypeName(J("1")), "integer");
  EXPECT_EQ(JsonTypeName(J("1.5")), "number");
  EXPECT_EQ(JsonTypeName(J("\"s\"")), "string");
  EXPECT_EQ(JsonTypeName(J("null")), "null");
  EXPECT_EQ(JsonTypeName(J("[]")), "array");
  EXPECT_EQ(JsonTypeName(J("{}")), "object");
  EXPECT_EQ(JsonTypeName(J("true")), "boolean");
}

// The schema walks look properties up with a cursor over the sorted properties, fed the
// object's members in order: every member is found, in order, repeated keys included, and keys
// between properties find nothing.
TEST(PropertyCursorTest, FindsPropertiesForAscendingKeys) {
  auto compiled = CompileSchema(J(R"({"type":"object","properties":{
      "b":{"type":"string"},"d":{"type":"integer"},"f":{"type":"boolean"}}})"), "", false, nullptr);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const Schema& s = **compiled;
  PropertyCursor props(s);
  EXPECT_EQ(props.Seek("a"), nullptr);
  EXPECT_EQ(props.Seek("b"), s.Property("b"));
  EXPECT_EQ(props.Seek("b"), s.Property("b"));
  EXPECT_EQ(props.Seek("c"), nullptr);
  EXPECT_EQ(props.Seek("d"), s.Property("d"));
  EXPECT_EQ(props.Seek("f"), s.Property("f"));
  EXPECT_EQ(props.Seek("g"), nullptr);
  PropertyCursor skipping(s);
  EXPECT_EQ(skipping.Seek("f"), s.Property("f"));
}

}  // namespace
}  // namespace kt::sim
