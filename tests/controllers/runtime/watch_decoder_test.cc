// The watch stream decoder: events split across chunks in any way come out whole and in
// order; blank lines and CRLF are tolerated; malformed JSON, unknown types, events without an
// object and over-long lines are errors, never a crash or an unbounded buffer.
#include "controllers/runtime/watch_decoder.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace kt::ctrl {
namespace {

const std::string kStream =
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"5\"}}}\n"
    "\r\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}\r\n"
    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}";

TEST(WatchDecoderTest, DecodesEventsHoweverTheBytesAreChunked) {
  for (size_t chunk : {1u, 2u, 7u, 64u, 10000u}) {
    WatchDecoder d;
    std::vector<api::WatchEvent> out;
    for (size_t i = 0; i < kStream.size(); i += chunk) {
      ASSERT_TRUE(d.Feed(std::string_view(kStream).substr(i, chunk), &out).ok());
    }
    ASSERT_TRUE(d.Finish(&out).ok());
    ASSERT_EQ(out.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(out[0].type, api::WatchEvent::Type::kAdded);
    EXPECT_EQ(GetString(out[0].object, "metadata.name"), "a");
    EXPECT_EQ(out[1].type, api::WatchEvent::Type::kBookmark);
    EXPECT_EQ(out[2].type, api::WatchEvent::Type::kDeleted);
    EXPECT_EQ(out[3].type, api::WatchEvent::Type::kError);
    EXPECT_EQ(GetInt(out[3].object, "code"), 410);
  }
}

TEST(WatchDecoderTest, RejectsMalformedEvents) {
  for (const char* bad : {"{not json}\n", "{\"type\":\"RENAMED\",\"object\":{}}\n",
                          "{\"type\":\"ADDED\"}\n", "[1,2]\n"}) {
    WatchDecoder d;
    std::vector<api::WatchEvent> out;
    Status s = d.Feed(bad, &out);
    EXPECT_TRUE(s.Is(StatusCode::kBadRequest)) << bad << " -> " << s.ToString();
  }
}

TEST(WatchDecoderTest, RefusesLinesLongerThanItsLimit) {
  WatchDecoder d(/*line_bytes_max=*/64);
  std::vector<api::WatchEvent> out;
  Status s;
  for (int i = 0; i < 10 && s.ok(); ++i) s = d.Feed(std::string(16, 'x'), &out);
  EXPECT_TRUE(s.Is(StatusCode::kBadRequest));
  EXPECT_NE(s.message().find("longer than 64 bytes"), std::string::npos);
}

}  // namespace
}  // namespace kt::ctrl
