#include "kernels/tensor.h"

#include <sstream>

namespace kt::kernels {
namespace {

Tensor Build(void* data, DType dtype, std::initializer_list<int64_t> shape, MemorySpace space) {
  KT_CHECK(shape.size() <= static_cast<size_t>(kMaxRank)) << "rank " << shape.size();
  Tensor t;
  t.data = data;
  t.dtype = dtype;
  t.rank = static_cast<int>(shape.size());
  t.space = space;
  int i = 0;
  for (int64_t s : shape) t.shape[i++] = s;
  return t;
}

std::string Prefix(std::string_view op, std::string_view name) {
  std::string s(op);
  s += ": ";
  s += name;
  return s;
}

}  // namespace

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= shape[i];
  return n;
}

bool Tensor::contiguous() const {
  int64_t expect = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (shape[i] != 1 && stride[i] != expect) return false;
    expect *= shape[i];
  }
  return true;
}

Tensor MakeTensor(void* data, DType dtype, std::initializer_list<int64_t> shape,
                  MemorySpace space) {
  Tensor t = Build(data, dtype, shape, space);
  int64_t s = 1;
  for (int i = t.rank - 1; i >= 0; --i) {
    t.stride[i] = s;
    s *= t.shape[i];
  }
  return t;
}

Tensor MakeStridedTensor(void* data, DType dtype, std::initializer_list<int64_t> shape,
                         std::initializer_list<int64_t> strides, MemorySpace space) {
  KT_CHECK(shape.size() == strides.size()) << "shape and strides differ in rank";
  Tensor t = Build(data, dtype, shape, space);
  int i = 0;
  for (int64_t s : strides) t.stride[i++] = s;
  return t;
}

int64_t SpanBytes(const Tensor& t) {
  if (t.rank == 0) return t.data ? static_cast<int64_t>(DTypeSize(t.dtype)) : 0;
  int64_t last = 0;
  for (int i = 0; i < t.rank; ++i) {
    if (t.shape[i] == 0) return 0;
    last += (t.shape[i] - 1) * t.stride[i];
  }
  return (last + 1) * static_cast<int64_t>(DTypeSize(t.dtype));
}

std::string Describe(const Tensor& t) {
  if (!t.present()) return "<absent>";
  std::ostringstream os;
  os << DTypeName(t.dtype) << "[";
  for (int i = 0; i < t.rank; ++i) os << (i ? "," : "") << t.shape[i];
  os << "]";
  if (!t.contiguous()) {
    os << "/strides[";
    for (int i = 0; i < t.rank; ++i) os << (i ? "," : "") << t.stride[i];
    os << "]";
  }
  if (t.space == MemorySpace::kDevice) os << "@device";
  return os.str();
}

Status ExpectPresent(std::string_view op, std::string_view name, const Tensor& t) {
  if (t.present()) return Status::Ok();
  return Invalid(Prefix(op, name) + " is required");
}

Status ExpectRank(std::string_view op, std::string_view name, const Tensor& t, int rank) {
  KT_RETURN_IF_ERROR(ExpectPresent(op, name, t));
  if (t.rank == rank) {
    for (int i = 0; i < rank; ++i) {
      if (t.shape[i] < 0) return Invalid(Prefix(op, name) + " has a negative dim: " + Describe(t));
    }
    return Status::Ok();
  }
  return Invalid(Prefix(op, name) + " must be rank " + std::to_string(rank) + ", got " +
                 Describe(t));
}

Status ExpectDim(std::string_view op, std::string_view name, const Tensor& t, int axis,
                 int64_t want) {
  if (t.shape[axis] == want) return Status::Ok();
  return Invalid(Prefix(op, name) + " dim " + std::to_string(axis) + " must be " +
                 std::to_string(want) + ", got " + Describe(t));
}

Status ExpectInnerContiguous(std::string_view op, std::string_view name, const Tensor& t) {
  if (t.rank == 0 || t.stride[t.rank - 1] == 1 || t.shape[t.rank - 1] <= 1) return Status::Ok();
  return Invalid(Prefix(op, name) + " must have a contiguous innermost dim, got " + Describe(t));
}

Status ExpectDType(std::string_view op, std::string_view name, const Tensor& t, DType want) {
  if (t.dtype == want) return Status::Ok();
  return Invalid(Prefix(op, name) + " must be " + std::string(DTypeName(want)) + ", got " +
                 Describe(t));
}

Status ExpectFloat(std::string_view op, std::string_view name, const Tensor& t) {
  if (IsFloatType(t.dtype)) return Status::Ok();
  return Invalid(Prefix(op, name) + " must be a float type, got " + Describe(t));
}

Status ExpectSpace(std::string_view op, std::string_view name, const Tensor& t, MemorySpace space) {
  if (!t.present() || t.space == space) return Status::Ok();
  return Invalid(Prefix(op, name) + " is in " +
                 (t.space == MemorySpace::kHost ? "host" : "device") +
                 " memory but this backend works on " +
                 (space == MemorySpace::kHost ? "host" : "device") + " memory");
}

Status Unsupported(std::string message) {
  return Invalid(std::move(message)).WithReason("Unsupported");
}

bool IsUnsupported(const Status& s) { return !s.ok() && s.reason() == "Unsupported"; }

}  // namespace kt::kernels
