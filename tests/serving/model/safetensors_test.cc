// safetensors reading and writing: tensors round-trip with their dtype, shape and bytes;
// sharded checkpoints resolve through model.safetensors.index.json; and every kind of
// malformed file (truncated, lying header, overlapping or out-of-range offsets, unknown dtype,
// shard names escaping the directory) is an Invalid/NotFound Status naming the problem.
#include "serving/model/safetensors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/json.h"
#include "serving/model/checkpoint.h"
#include "tests/serving/testing/test_models.h"

namespace kt::serving {
namespace {

using testing::TempDir;

std::string WithHeader(const std::string& header, const std::string& data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

TEST(SafetensorsTest, TensorsRoundTripWithDtypeShapeAndMetadata) {
  Tensor a = Tensor::FromF32({2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor b = a.To(DType::kBF16);
  Tensor c = a.To(DType::kF16);
  std::string bytes = SerializeSafetensors({{"a", &a}, {"b", &b}, {"c", &c}}, {{"format", "pt"}});
  auto f = SafetensorsFile::FromBytes(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f.value()->metadata().at("format"), "pt");
  for (const char* name : {"a", "b", "c"}) {
    auto t = f.value()->Read(name, DType::kF32);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().shape(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(t.value().ToF32Vector(), (std::vector<float>{1, 2, 3, 4, 5, 6})) << name;
  }
  EXPECT_EQ(f.value()->Find("b")->dtype, DType::kBF16);
  EXPECT_FALSE(f.value()->Read("missing", DType::kF32).ok());
}

TEST(SafetensorsTest, DataSectionStartsEightByteAligned) {
  Tensor a = Tensor::FromF32({1}, std::vector<float>{7});
  std::string bytes = SerializeSafetensors({{"x", &a}});
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(SafetensorsTest, MalformedFilesAreInvalidNotCrashes) {
  const std::string four = std::string(4, '\0');
  struct Case {
    const char* what;
    std::string bytes;
  } cases[] = {
      {"shorter than the length prefix", "abc"},
      {"header longer than file", WithHeader("{}", "").substr(0, 9) + std::string(1, '\x7f')},
      {"header not JSON", WithHeader("{not json", "")},
      {"header not an object", WithHeader("[1,2]", "")},
      {"unknown dtype", WithHeader(R"({"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", four)},
      {"offsets past the end", WithHeader(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", four)},
      {"size disagrees with shape", WithHeader(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", four)},
      {"negative dimension", WithHeader(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four)},
      {"begin after end", WithHeader(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", four)},
      {"overlapping tensors",
       WithHeader(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                  four)},
      {"huge dims overflow", WithHeader(R"({"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", four)},
  };
  for (const Case& c : cases) {
    auto f = SafetensorsFile::FromBytes(c.bytes);
    EXPECT_FALSE(f.ok()) << c.what;
    if (!f.ok()) {
      EXPECT_EQ(f.status().code(), StatusCode::kInvalid) << c.what;
    }
  }
}

TEST(SafetensorsTest, HeaderLengthOverTheLimitIsRefused) {
  std::string bytes(16, '\0');
  uint64_t n = kSafetensorsHeaderBytesMax + 1;
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  auto f = SafetensorsFile::FromBytes(bytes);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("exceeds the limit"), std::string::npos);
}

TEST(SafetensorsTest, WriteThenOpenFromDisk) {
  TempDir dir;
  Tensor a = Tensor::FromF32({3}, std::vector<float>{1.5f, -2, 0.25f});
  ASSERT_TRUE(WriteSafetensors(dir.Sub("x.safetensors"), {{"a", &a}}).ok());
  auto f = SafetensorsFile::Open(dir.Sub("x.safetensors"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f.value()->Read("a", DType::kF32).value().ToF32Vector(),
            (std::vector<float>{1.5f, -2, 0.25f}));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("x.safetensors.tmp")));
  EXPECT_EQ(SafetensorsFile::Open(dir.Sub("nope.safetensors")).status().code(), StatusCode::kNotFound);
}

TEST(CheckpointTest, ShardedCheckpointResolvesThroughTheIndex) {
  TempDir dir;
  Tensor a = Tensor::FromF32({1}, std::vector<float>{1});
  Tensor b = Tensor::FromF32({1}, std::vector<float>{2});
  ASSERT_TRUE(WriteSafetensors(dir.Sub("model-00001-of-00002.safetensors"), {{"a", &a}}).ok());
  ASSERT_TRUE(WriteSafetensors(dir.Sub("model-00002-of-00002.safetensors"), {{"b", &b}}).ok());
  std::ofstream(dir.Sub("model.safetensors.index.json"))
      << R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
  auto c = Checkpoint::Open(dir.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c.value()->num_files(), 2u);
  EXPECT_EQ(c.value()->Read("b", DType::kF32).value().ToF32Vector(), std::vector<float>{2});
  std::vector<int64_t> wrong = {2};
  EXPECT_EQ(c.value()->Read("a", DType::kF32, &wrong).status().code(), StatusCode::kInvalid);
}

TEST(CheckpointTest, IndexErrorsNameTheProblem) {
  TempDir dir;
  Tensor a = Tensor::FromF32({1}, std::vector<float>{1});
  ASSERT_TRUE(WriteSafetensors(dir.Sub("s1.safetensors"), {{"a", &a}}).ok());
  auto write_index = [&](const std::string& j) {
    std::ofstream(dir.Sub("model.safetensors.index.json"), std::ios::trunc) << j;
  };
  write_index(R"({"weight_map":{"a":"../s1.safetensors"}})");
  auto c = Checkpoint::Open(dir.path());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("plain file name"), std::string::npos);
  write_index(R"({"weight_map":{"zz":"s1.safetensors"}})");
  c = Checkpoint::Open(dir.path());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("does not contain"), std::string::npos);
  write_index(R"({"weight_map":{}})");
  EXPECT_FALSE(Checkpoint::Open(dir.path()).ok());
  EXPECT_EQ(Checkpoint::Open(dir.Sub("missing")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kt::serving
