// Server-assigned identity: UIDs are RFC 4122 version-4 UUIDs drawn from the Env's seeded
// stream, generateName suffixes use kube's alphabet.
#include "sim/apiserver/object_identity.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "base/json.h"
#include "base/random.h"

namespace kt::sim {
namespace {

TEST(ObjectIdentityTest, UidIsVersion4UuidOfTheStreamsNextTwoWords) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  Rng rng(7), mirror(7);
  for (int i = 0; i < 1000; ++i) {
    const std::string uid = NewUid(rng);
    ASSERT_TRUE(std::regex_match(uid, shape)) << uid;
    uint64_t a = mirror.Next(), b = mirror.Next();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char want[40];
    std::snprintf(want, sizeof(want), "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                  static_cast<unsigned>(a & 0xffff), static_cast<unsigned>(b >> 48),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    ASSERT_EQ(uid, want);
  }
}

TEST(ObjectIdentityTest, GenerateNameSuffixIsFiveCharactersOfKubesAlphabet) {
  Rng rng(3);
  for (int i = 0; i < 100; ++i) {
    const std::string s = GenerateNameSuffix(rng);
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << s;
  }
}

// Anything but apiVersion, kind, metadata and status is the spec: a member added, removed or
// changed (on either side of the skipped keys in key order) changes it.
TEST(ObjectIdentityTest, SpecChangedLooksPastMetadataAndStatusOnly) {
  const Json base = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                     {"metadata", {{"name", "cm"}, {"resourceVersion", "1"}}},
                     {"data", {{"k", "v"}}}, {"status", {{"phase", "A"}}}};
  Json same = base;
  same["metadata"]["resourceVersion"] = "2";
  same["status"]["phase"] = "B";
  same["apiVersion"] = "v2";
  same.erase("kind");
  EXPECT_FALSE(SpecChanged(base, same));
  Json data_changed = base;
  data_changed["data"]["k"] = "w";
  EXPECT_TRUE(SpecChanged(base, data_changed));
  Json added_first = base, added_last = base, added_between = base;
  added_first["aaa"] = 1;      // before every skipped key
  added_last["zzz"] = 1;       // after them all
  added_between["immutable"] = true;  // between kind and metadata
  for (const Json* j : {&added_first, &added_last, &added_between}) {
    EXPECT_TRUE(SpecChanged(base, *j)) << *j;
    EXPECT_TRUE(SpecChanged(*j, base)) << *j;  // removed
  }
  Json number_form = base;
  number_form["replicas"] = 1;
  Json as_float = number_form;
  as_float["replicas"] = 1.0;  // the same value, as Kubernetes decodes it
  EXPECT_FALSE(SpecChanged(number_form, as_float));
}

TEST(ObjectIdentityTest, SameIgnoringBookkeepingSkipsResourceVersionAndManagedFieldTimes) {
  const Json base = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"data", {{"k", "v"}}},
      {"metadata",
       {{"name", "cm"}, {"resourceVersion", "1"},
        {"managedFields", {{{"manager", "m"}, {"operation", "Update"}, {"time", "t1"}}}}}}};
  Json bookkeeping = base;
  bookkeeping["metadata"]["resourceVersion"] = "2";
  bookkeeping["metadata"]["managedFields"][0]["time"] = "t2";
  EXPECT_TRUE(SameIgnoringBookkeeping(base, bookkeeping));
  Json no_rv = base;
  no_rv["metadata"].erase("resourceVersion");
  EXPECT_TRUE(SameIgnoringBookkeeping(base, no_rv));
  EXPECT_TRUE(SameIgnoringBookkeeping(no_rv, base));

  Json data_changed = base;
  data_changed["data"]["k"] = "w";
  Json other_key = base;  // as many members, one key different
  other_key.erase("data");
  other_key["spec"] = {{"k", "v"}};
  Json label_added = base;
  label_added["metadata"]["labels"] = {{"a", "b"}};
  Json manager_changed = base;
  manager_changed["metadata"]["managedFields"][0]["manager"] = "n";
  for (const Json* j : {&data_changed, &other_key, &label_added, &manager_changed}) {
    EXPECT_FALSE(SameIgnoringBookkeeping(base, *j)) << *j;
    EXPECT_FALSE(SameIgnoringBookkeeping(*j, base)) << *j;
  }
}

}  // namespace
}  // namespace kt::sim
