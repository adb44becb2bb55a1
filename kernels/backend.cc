#include "kernels/backend.h"

#include <utility>

namespace kt::kernels {

Buffer::Buffer(Buffer&& o) noexcept
    : owner_(std::exchange(o.owner_, nullptr)),
      data_(std::exchange(o.data_, nullptr)),
      bytes_(std::exchange(o.bytes_, 0)) {}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    Reset();
    owner_ = std::exchange(o.owner_, nullptr);
    data_ = std::exchange(o.data_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

Buffer::~Buffer() { Reset(); }

void Buffer::Reset() {
  if (owner_ && data_) owner_->FreeRaw(data_);
  owner_ = nullptr;
  data_ = nullptr;
  bytes_ = 0;
}

Tensor Buffer::View(DType dtype, std::initializer_list<int64_t> shape) const {
  MemorySpace space = owner_ ? owner_->memory_space() : MemorySpace::kHost;
  Tensor t = MakeTensor(data_, dtype, shape, space);
  KT_CHECK(SpanBytes(t) <= static_cast<int64_t>(bytes_))
      << "view " << Describe(t) << " exceeds a buffer of " << bytes_ << " bytes";
  return t;
}

Result<Buffer> Backend::Allocate(size_t bytes) {
  if (bytes == 0) return Buffer();
  KT_ASSIGN_OR_RETURN(void* p, AllocateRaw(bytes));
  return Buffer(this, p, bytes);
}

}  // namespace kt::kernels
