// Tensor: an owning, dense, row-major host array of one DType with a shape.
//
// Weights and adapter matrices live in these on the host; a device backend copies them once
// at load. Movable, not copyable (weights are large; copies are explicit via Clone()).
// Not thread-safe for writes; concurrent reads are fine.
#ifndef KT_SERVING_MODEL_TENSOR_H_
#define KT_SERVING_MODEL_TENSOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "serving/model/dtype.h"

namespace kt::serving {

class Tensor {
 public:
  Tensor() = default;
  // Uninitialized contents. REQUIRES: every dimension >= 0.
  Tensor(DType dtype, std::vector<int64_t> shape);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  static Tensor Zeros(DType dtype, std::vector<int64_t> shape);
  // A float32 tensor holding `values` (size must equal the shape's element count).
  static Tensor FromF32(std::vector<int64_t> shape, std::span<const float> values);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * DTypeSize(dtype_); }
  bool empty() const { return numel_ == 0; }

  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }
  // Typed views. REQUIRES: the matching dtype.
  float* f32();
  const float* f32() const;
  uint16_t* u16();
  const uint16_t* u16() const;

  Tensor Clone() const;
  // This tensor converted to `to` (a clone when already that type).
  Tensor To(DType to) const;
  // All elements as float32 (converted).
  std::vector<float> ToF32Vector() const;

  // "[4096, 3072]"
  std::string ShapeString() const;

 private:
  DType dtype_ = DType::kF32;
  std::vector<int64_t> shape_;
  int64_t numel_ = 0;
  std::unique_ptr<uint8_t[]> data_;
};

std::string ShapeToString(const std::vector<int64_t>& shape);

}  // namespace kt::serving

#endif  // KT_SERVING_MODEL_TENSOR_H_
