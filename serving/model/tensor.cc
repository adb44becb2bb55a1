#include "serving/model/tensor.h"

#include <cstring>

namespace kt::serving {

namespace {
int64_t CountElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    KT_CHECK(d >= 0) << "negative dimension in " << ShapeToString(shape);
    n *= d;
  }
  return n;
}
}  // namespace

std::string ShapeToString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape)
    : dtype_(dtype), shape_(std::move(shape)), numel_(CountElements(shape_)) {
  // new[] without () leaves the bytes uninitialized: loading 8 GB of weights should not
  // first write 8 GB of zeros.
  data_.reset(new uint8_t[nbytes() == 0 ? 1 : nbytes()]);
}

Tensor Tensor::Zeros(DType dtype, std::vector<int64_t> shape) {
  Tensor t(dtype, std::move(shape));
  std::memset(t.data(), 0, t.nbytes());
  return t;
}

Tensor Tensor::FromF32(std::vector<int64_t> shape, std::span<const float> values) {
  Tensor t(DType::kF32, std::move(shape));
  KT_CHECK_EQ(static_cast<int64_t>(values.size()), t.numel());
  std::memcpy(t.data(), values.data(), t.nbytes());
  return t;
}

float* Tensor::f32() {
  KT_CHECK(dtype_ == DType::kF32) << "tensor is " << DTypeName(dtype_);
  return reinterpret_cast<float*>(data_.get());
}
const float* Tensor::f32() const {
  KT_CHECK(dtype_ == DType::kF32) << "tensor is " << DTypeName(dtype_);
  return reinterpret_cast<const float*>(data_.get());
}
uint16_t* Tensor::u16() {
  KT_CHECK(dtype_ != DType::kF32) << "tensor is F32";
  return reinterpret_cast<uint16_t*>(data_.get());
}
const uint16_t* Tensor::u16() const {
  KT_CHECK(dtype_ != DType::kF32) << "tensor is F32";
  return reinterpret_cast<const uint16_t*>(data_.get());
}

Tensor Tensor::Clone() const {
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.data(), data(), nbytes());
  return t;
}

Tensor Tensor::To(DType to) const {
  if (to == dtype_) return Clone();
  Tensor t(to, shape_);
  if (dtype_ == DType::kF32) {
    ConvertFromF32(to, f32(), t.data(), static_cast<size_t>(numel_));
  } else if (to == DType::kF32) {
    ConvertToF32(dtype_, data(), t.f32(), static_cast<size_t>(numel_));
  } else {
    std::vector<float> tmp = ToF32Vector();
    ConvertFromF32(to, tmp.data(), t.data(), tmp.size());
  }
  return t;
}

std::vector<float> Tensor::ToF32Vector() const {
  std::vector<float> out(static_cast<size_t>(numel_));
  ConvertToF32(dtype_, data(), out.data(), out.size());
  return out;
}

std::string Tensor::ShapeString() const { return ShapeToString(shape_); }

}  // namespace kt::serving
