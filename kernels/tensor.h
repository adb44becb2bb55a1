// Tensor: a non-owning view of memory that a kernel reads or writes: (pointer, dtype, shape,
// strides, memory space). Ops take views, never own or allocate their operands.
//
// Strides are in ELEMENTS, not bytes. Every op requires the innermost dimension to be
// contiguous (stride 1); outer strides are free, so a view can select the q/k/v columns of a
// fused projection output, or one sequence of a batch, without copying.
//
// An "absent" optional operand is a default-constructed Tensor (data == nullptr).
// MemorySpace says whose memory the pointer is: host (CPU backend) or device (CUDA backend);
// a backend rejects views of the other space with Invalid.
//
// Views are plain values: copy freely; thread-safety is that of the memory they point to.
#ifndef KT_KERNELS_TENSOR_H_
#define KT_KERNELS_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"
#include "kernels/dtype.h"

namespace kt::kernels {

enum class MemorySpace : uint8_t { kHost = 0, kDevice = 1 };

inline constexpr int kMaxRank = 4;

struct Tensor {
  void* data = nullptr;
  DType dtype = DType::kF32;
  int rank = 0;
  int64_t shape[kMaxRank] = {0, 0, 0, 0};
  int64_t stride[kMaxRank] = {0, 0, 0, 0};  // elements
  MemorySpace space = MemorySpace::kHost;

  bool present() const { return data != nullptr; }
  int64_t dim(int i) const { return shape[i]; }
  int64_t numel() const;
  // True when the strides are the row-major strides of the shape.
  bool contiguous() const;
  // Byte address of element (i0, i1, i2, i3); trailing indices default to 0.
  char* at(int64_t i0, int64_t i1 = 0, int64_t i2 = 0, int64_t i3 = 0) const {
    return static_cast<char*>(data) +
           (i0 * stride[0] + i1 * stride[1] + i2 * stride[2] + i3 * stride[3]) *
               static_cast<int64_t>(DTypeSize(dtype));
  }
  template <typename T>
  T* ptr() const {
    return static_cast<T*>(data);
  }
};

// A contiguous (row-major) view.
Tensor MakeTensor(void* data, DType dtype, std::initializer_list<int64_t> shape,
                  MemorySpace space = MemorySpace::kHost);
// A view with explicit strides (elements). REQUIRES: shape.size() == strides.size() <= 4.
Tensor MakeStridedTensor(void* data, DType dtype, std::initializer_list<int64_t> shape,
                         std::initializer_list<int64_t> strides,
                         MemorySpace space = MemorySpace::kHost);
// Bytes spanned from data to one past the last element (0 for an empty view).
int64_t SpanBytes(const Tensor& t);

// "bf16[4,32,96]" (plus "/strides[...]" when not contiguous), for error messages.
std::string Describe(const Tensor& t);

// Validation helpers shared by both backends. `name` names the operand in the message, e.g.
// "gemm: x must be rank 2, got bf16[3,4,5]".
Status ExpectRank(std::string_view op, std::string_view name, const Tensor& t, int rank);
Status ExpectPresent(std::string_view op, std::string_view name, const Tensor& t);
Status ExpectDim(std::string_view op, std::string_view name, const Tensor& t, int axis,
                 int64_t want);
Status ExpectInnerContiguous(std::string_view op, std::string_view name, const Tensor& t);
Status ExpectDType(std::string_view op, std::string_view name, const Tensor& t, DType want);
Status ExpectFloat(std::string_view op, std::string_view name, const Tensor& t);
Status ExpectSpace(std::string_view op, std::string_view name, const Tensor& t, MemorySpace space);

// An op/dtype/shape combination a backend does not implement. It is an Invalid status with
// reason "Unsupported", so callers (and the backend comparison test) can tell it apart from
// bad input: the same arguments may work on the other backend.
Status Unsupported(std::string message);
bool IsUnsupported(const Status& s);

}  // namespace kt::kernels

#endif  // KT_KERNELS_TENSOR_H_
