// URL decoding and query parsing as Kubernetes clients encode them.
#include "base/net/http.h"

#include <gtest/gtest.h>

namespace kt::net {
namespace {

TEST(HttpTest, QueryValuesAreDecoded) {
  auto q = ParseQuery("labelSelector=app%3Dx%2Cenv+in+(a%2Cb)&watch=true&flag&limit=500");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].second, "app=x,env in (a,b)");
  EXPECT_EQ(q[2].first, "flag");
  EXPECT_EQ(q[2].second, "");
  EXPECT_EQ(q[3].second, "500");
}

TEST(HttpTest, InvalidEscapesAreKeptVerbatim) {
  EXPECT_EQ(UrlDecode("100%zz%4", false), "100%zz%4");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
  EXPECT_EQ(UrlDecode("a+b", true), "a b");
}

TEST(HttpTest, EncodeRoundTrips) {
  std::string s = "metadata.name=ws-1,x in (a b)";
  EXPECT_EQ(UrlDecode(UrlEncode(s), true), s);
}

TEST(HttpTest, HeaderLookupIgnoresCase) {
  HttpResponse r;
  r.SetHeader("Content-Type", "a");
  r.SetHeader("content-type", "b");
  EXPECT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "b");
}

}  // namespace
}  // namespace kt::net
