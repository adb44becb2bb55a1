// Proves tensor views describe memory correctly (row-major strides, contiguity, spans) and
// that op validation rejects bad shapes, dtypes and memory spaces with messages that name the
// op and operand; Unsupported is told apart from Invalid.
#include "kernels/tensor.h"

#include <gtest/gtest.h>

#include "kernels/ops.h"

namespace kt::kernels {
namespace {

TEST(TensorTest, MakeTensorIsRowMajorContiguous) {
  float buf[24];
  Tensor t = MakeTensor(buf, DType::kF32, {2, 3, 4});
  EXPECT_EQ(t.rank, 3);
  EXPECT_EQ(t.stride[0], 12);
  EXPECT_EQ(t.stride[1], 4);
  EXPECT_EQ(t.stride[2], 1);
  EXPECT_TRUE(t.contiguous());
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(SpanBytes(t), 96);
  EXPECT_EQ(t.at(1, 2, 3), reinterpret_cast<char*>(buf) + 23 * 4);
  EXPECT_EQ(Describe(t), "f32[2,3,4]");
}

TEST(TensorTest, StridedViewSelectsColumnsOfAFusedRow) {
  uint16_t qkv[2 * 12];
  // q of a fused [T, 3 * 4] projection: [T, 2 heads, 2 dims] with row stride 12.
  Tensor q = MakeStridedTensor(qkv, DType::kBF16, {2, 2, 2}, {12, 2, 1});
  EXPECT_FALSE(q.contiguous());
  EXPECT_EQ(SpanBytes(q), (12 + 2 + 1 + 1) * 2);
  EXPECT_EQ(Describe(q), "bf16[2,2,2]/strides[12,2,1]");
}

TEST(TensorTest, ValidationNamesOpAndOperand) {
  float x[6], w[6], y[4];
  GemmArgs a;
  a.x = MakeTensor(x, DType::kF32, {2, 3});
  a.w = MakeTensor(w, DType::kF32, {2, 3});
  a.y = MakeTensor(y, DType::kF32, {2, 2});
  EXPECT_TRUE(Validate(a, MemorySpace::kHost).ok());

  a.w = MakeTensor(w, DType::kF32, {3, 2});
  Status s = Validate(a, MemorySpace::kHost);
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("gemm: w dim 1 must be 3"), std::string::npos) << s.message();

  a.w = MakeTensor(w, DType::kF32, {2, 3});
  s = Validate(a, MemorySpace::kDevice);
  EXPECT_NE(s.message().find("host memory but this backend works on device memory"),
            std::string::npos)
      << s.message();

  a.y = MakeTensor(y, DType::kI32, {2, 2});
  s = Validate(a, MemorySpace::kHost);
  EXPECT_NE(s.message().find("y must be f32, bf16 or f16"), std::string::npos) << s.message();

  a.y = MakeStridedTensor(y, DType::kF32, {2, 2}, {1, 2});
  s = Validate(a, MemorySpace::kHost);
  EXPECT_NE(s.message().find("contiguous innermost"), std::string::npos) << s.message();
}

TEST(TensorTest, MissingRequiredOperandIsInvalid) {
  RmsNormArgs a;
  Status s = Validate(a, MemorySpace::kHost);
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_NE(s.message().find("rms_norm: x is required"), std::string::npos);
}

TEST(TensorTest, UnsupportedIsInvalidWithAReason) {
  Status s = Unsupported("cuda gemm: fp8 weights need sm_89");
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_TRUE(IsUnsupported(s));
  EXPECT_FALSE(IsUnsupported(Invalid("bad")));
  EXPECT_FALSE(IsUnsupported(Status::Ok()));
}

TEST(TensorTest, OpNamesAreStable) {
  EXPECT_EQ(OpName(Op::kGemm), "gemm");
  EXPECT_EQ(OpName(Op::kAttentionDecode), "attention_decode");
  EXPECT_EQ(OpName(Op::kLoraBgmv), "lora_bgmv");
}

}  // namespace
}  // namespace kt::kernels
