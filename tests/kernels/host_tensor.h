// Test helper: a host tensor that owns its bytes, with random fill and fp32 read-back, plus
// the normalised mean squared error the backend comparisons use.
#ifndef KT_TESTS_KERNELS_HOST_TENSOR_H_
#define KT_TESTS_KERNELS_HOST_TENSOR_H_

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "base/random.h"
#include "kernels/cpu/convert.h"
#include "kernels/tensor.h"

namespace kt::kernels::testing {

class HostTensor {
 public:
  HostTensor() = default;
  HostTensor(DType dtype, std::initializer_list<int64_t> shape)
      : bytes_(Count(shape) * DTypeSize(dtype) + 64) {
    view_ = MakeTensor(bytes_.data(), dtype, shape);
  }
  // A strided view over enough bytes for its span (gaps hold whatever Fill* wrote).
  HostTensor(DType dtype, std::initializer_list<int64_t> shape,
             std::initializer_list<int64_t> strides) {
    view_ = MakeStridedTensor(nullptr, dtype, shape, strides);
    bytes_.resize(SpanBytes(view_) + 64);
    view_.data = bytes_.data();
  }
  HostTensor(const HostTensor&) = delete;
  HostTensor& operator=(const HostTensor&) = delete;
  HostTensor(HostTensor&& o) noexcept = default;
  HostTensor& operator=(HostTensor&& o) noexcept = default;

  const Tensor& t() const { return view_; }
  Tensor& t() { return view_; }
  int64_t numel() const { return view_.numel(); }
  void* data() { return bytes_.data(); }

  // Uniform in [lo, hi), rounded to the dtype.
  void FillUniform(Rng& rng, float lo, float hi) {
    std::vector<float> v(SpanElems());
    for (auto& x : v) x = static_cast<float>(lo + (hi - lo) * rng.Uniform());
    Set(v);
  }
  void FillNormal(Rng& rng, float stddev) {
    std::vector<float> v(SpanElems());
    for (auto& x : v) x = static_cast<float>(rng.Normal(0.0, stddev));
    Set(v);
  }
  // Raw element order (the whole span for strided views).
  void Set(const std::vector<float>& v) {
    cpu::FromF32(v.data(), static_cast<int64_t>(v.size()), view_.dtype, data());
  }
  int64_t SpanElems() const {
    return SpanBytes(view_) / static_cast<int64_t>(DTypeSize(view_.dtype));
  }
  size_t span_bytes() const { return static_cast<size_t>(SpanBytes(view_)); }
  void SetI32(const std::vector<int32_t>& v) { std::memcpy(data(), v.data(), v.size() * 4); }
  void SetI64(const std::vector<int64_t>& v) { std::memcpy(data(), v.data(), v.size() * 8); }
  std::vector<float> Floats() const {
    std::vector<float> v(numel());
    cpu::ToF32(bytes_.data(), view_.dtype, numel(), v.data());
    return v;
  }
  std::vector<int32_t> I32() const {
    std::vector<int32_t> v(numel());
    std::memcpy(v.data(), bytes_.data(), v.size() * 4);
    return v;
  }

 private:
  static int64_t Count(std::initializer_list<int64_t> shape) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
  }
  std::vector<unsigned char> bytes_;
  Tensor view_;
};

// sum((a-b)^2) / sum(b^2); 0 when both are all zero.
inline double Nmse(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double d = static_cast<double>(got[i]) - want[i];
    num += d * d;
    den += static_cast<double>(want[i]) * want[i];
  }
  if (den == 0) return num == 0 ? 0 : 1e30;
  return num / den;
}

}  // namespace kt::kernels::testing

#endif  // KT_TESTS_KERNELS_HOST_TENSOR_H_
