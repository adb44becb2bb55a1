// A trace digest depends only on the recorded content.
#include "base/trace.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "base/sha256.h"

namespace kt {
namespace {

TEST(TraceTest, SameLinesSameDigestDifferentLinesDifferentDigest) {
  Trace a, b, c;
  Time t = FromUnixSeconds(1767225600);
  for (Trace* tr : {&a, &b}) {
    tr->Record(t, "create", {{"name", "ws"}, {"rv", 1}});
    tr->Record(t + 1s, "update", {{"name", "ws"}, {"rv", 2}});
  }
  c.Record(t, "create", {{"name", "ws"}, {"rv", 1}});
  c.Record(t + 2s, "update", {{"name", "ws"}, {"rv", 2}});
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_NE(a.Digest(), c.Digest());
  EXPECT_EQ(a.lines(), 2u);
}

TEST(TraceTest, SinkReceivesJsonLines) {
  Trace tr;
  std::ostringstream out;
  tr.SetSink(&out);
  tr.Record(FromUnixSeconds(0), "x", {{"a", 1}});
  EXPECT_EQ(out.str(), "{\"a\":1,\"k\":\"x\",\"t\":\"1970-01-01T00:00:00.000000Z\"}\n");
}

TEST(TraceTest, RecordMembersWritesTheLineRecordWould) {
  Trace by_json, by_members;
  std::ostringstream a, b;
  by_json.SetSink(&a);
  by_members.SetSink(&b);
  const Time t = FromUnixSeconds(1767225600) + 5us;
  by_json.Record(t, "apiserver", {{"key", "ns/we\"ird\n"}, {"op", "create"}, {"rv", 7}});
  std::string members = "\"key\":";
  AppendJsonString(members, "ns/we\"ird\n");
  members += ",\"op\":\"create\",\"rv\":7";
  by_members.RecordMembers(t, "apiserver", members);
  by_json.Record(t, "bare", Json());
  by_members.RecordMembers(t, "bare", "");
  // Times that change, and come back (RecordMembers formats each distinct one once).
  for (const Time u : {t + 1us, t + 1us, t, FromUnixSeconds(0), t + 1us}) {
    by_json.Record(u, "tick", {{"n", 1}});
    by_members.RecordMembers(u, "tick", "\"n\":1");
  }
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(by_json.Digest(), by_members.Digest());
}

// Lines are hashed in chunks: the digest is the SHA-256 of every line so far, whenever it is
// read, across chunk boundaries, and reading it does not change what follows.
TEST(TraceTest, DigestIsTheHashOfAllLinesWheneverItIsRead) {
  Trace tr;
  std::ostringstream out;
  tr.SetSink(&out);
  const Time t = FromUnixSeconds(1767225600);
  for (int i = 0; i < 500; ++i) {  // ~30 KiB: several chunks
    tr.RecordMembers(t, "apiserver", "\"rv\":" + std::to_string(i));
    if (i == 0 || i == 77 || i == 499) {
      EXPECT_EQ(tr.Digest(), Sha256Hex(out.str())) << "after line " << i;
    }
  }
  EXPECT_EQ(tr.lines(), 500u);
}

}  // namespace
}  // namespace kt
