// Base64: RFC 4648's test vectors both ways, the URL-safe alphabet and unpadded input decode,
// whitespace is skipped, and malformed input is a BadRequest that says where.
#include "base/base64.h"

#include <gtest/gtest.h>

namespace kt {
namespace {

TEST(Base64Test, Rfc4648VectorsRoundTrip) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64Test, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  auto back = Base64Decode(Base64Encode(all));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(Base64Test, UnpaddedUrlSafeAndWrappedInputDecode) {
  EXPECT_EQ(*Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(*Base64Decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*Base64Decode("+/8="), "\xfb\xff");
  EXPECT_EQ(*Base64Decode("Zm9v\nYmFy\r\n"), "foobar");
}

TEST(Base64Test, MalformedInputIsBadRequest) {
  for (const char* bad : {"Zm9v!", "Zg==Zg", "Z", "Zm9vY", "Zg==="}) {
    auto r = Base64Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().Is(StatusCode::kBadRequest)) << bad;
    EXPECT_NE(r.status().message().find("base64"), std::string::npos) << bad;
  }
  EXPECT_NE(Base64Decode("Zm9v!").status().message().find("offset 4"), std::string::npos);
}

}  // namespace
}  // namespace kt
