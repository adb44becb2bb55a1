// JsonPath::Parse never crashes on arbitrary expressions; an accepted path evaluates over
// arbitrary JSON without crashing and within its result bound.
#include "base/check.h"
#include "fuzz/sim/apiserver/fuzz_input.h"
#include "sim/apiserver/types/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = kt::fuzz::Parts(data, size, 2);
  auto path = kt::sim::JsonPath::Parse(parts[0]);
  if (!path.ok()) {
    KT_CHECK(path.status().Is(kt::StatusCode::kBadRequest));
    return 0;
  }
  static const kt::Json sample = kt::Json::parse(
      R"({"a":{"b":[1,{"c":"d"},[2,3]],"e.f":true},"status":{"conditions":[{"type":"Ready","status":"True","n":2}]}})");
  auto r = path->Eval(sample, 50);
  KT_CHECK(r.size() <= 50);
  if (parts.size() > 1) {
    auto doc = kt::fuzz::ParsePart(parts[1]);
    if (doc) {
      auto r2 = path->Eval(*doc, 50);
      KT_CHECK(r2.size() <= 50);
      for (const kt::Json* v : r2) (void)kt::sim::JsonPath::Text(*v);
    }
  }
  return 0;
}
