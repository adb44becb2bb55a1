// Backend: one implementation of the op set (kernels/ops.h) plus the memory it works on.
// Two exist: the CPU reference (kernels/cpu/cpu_backend.h) and CUDA (kernels/cuda/).
// Create one through kernels/registry.h.
//
// Memory: Allocate() returns a Buffer owning memory in the backend's MemorySpace; views
// (Tensor) into it are passed to ops. CopyToBackend/CopyToHost move bytes to and from host
// memory.
//
// Ordering: ops and copies run in call order. On CUDA they are enqueued on the backend's one
// stream and return once launched; CopyToHost and Synchronize wait for everything before
// them. An op's Status reports validation and launch errors; a fault inside a running kernel
// surfaces as the Status of the next CopyToHost or Synchronize.
//
// Thread-safety: a Backend is used by one thread at a time (external synchronisation).
// A Buffer must not outlive the Backend that allocated it.
#ifndef KT_KERNELS_BACKEND_H_
#define KT_KERNELS_BACKEND_H_

#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "kernels/ops.h"

namespace kt::kernels {

class Backend;

// Owning handle to a backend allocation. Move-only; frees on destruction.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& o) noexcept;
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  // A contiguous view of the whole buffer (or its first elements) as `dtype`.
  Tensor View(DType dtype, std::initializer_list<int64_t> shape) const;

 private:
  friend class Backend;
  Buffer(Backend* owner, void* data, size_t bytes) : owner_(owner), data_(data), bytes_(bytes) {}
  void Reset();

  Backend* owner_ = nullptr;
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;
  virtual MemorySpace memory_space() const = 0;

  // Memory in this backend's space, aligned to 256 bytes. bytes == 0 gives an empty Buffer.
  Result<Buffer> Allocate(size_t bytes);
  virtual Status CopyToBackend(void* dst, const void* host_src, size_t bytes) = 0;
  virtual Status CopyToHost(void* host_dst, const void* src, size_t bytes) = 0;
  virtual Status Memset(void* dst, int byte_value, size_t bytes) = 0;
  virtual Status Synchronize() = 0;

  // The op set; semantics in kernels/ops.h.
  virtual Status Gemm(const GemmArgs& a) = 0;
  virtual Status RmsNorm(const RmsNormArgs& a) = 0;
  virtual Status Rope(const RopeArgs& a) = 0;
  virtual Status SiluMul(const SiluMulArgs& a) = 0;
  virtual Status Embedding(const EmbeddingArgs& a) = 0;
  virtual Status AttentionPrefill(const AttentionPrefillArgs& a) = 0;
  virtual Status AttentionDecode(const AttentionDecodeArgs& a) = 0;
  virtual Status KvAppend(const KvAppendArgs& a) = 0;
  virtual Status Penalties(const PenaltiesArgs& a) = 0;
  virtual Status Sample(const SampleArgs& a) = 0;
  virtual Status LoraBgmv(const LoraBgmvArgs& a) = 0;

 protected:
  friend class Buffer;
  virtual Result<void*> AllocateRaw(size_t bytes) = 0;
  virtual void FreeRaw(void* p) = 0;
};

// Generic dispatch, so code can be written once over argument types (the backend comparison
// test and the benchmarks do this): Run(backend, GemmArgs{...}).
inline Status Run(Backend& b, const GemmArgs& a) { return b.Gemm(a); }
inline Status Run(Backend& b, const RmsNormArgs& a) { return b.RmsNorm(a); }
inline Status Run(Backend& b, const RopeArgs& a) { return b.Rope(a); }
inline Status Run(Backend& b, const SiluMulArgs& a) { return b.SiluMul(a); }
inline Status Run(Backend& b, const EmbeddingArgs& a) { return b.Embedding(a); }
inline Status Run(Backend& b, const AttentionPrefillArgs& a) { return b.AttentionPrefill(a); }
inline Status Run(Backend& b, const AttentionDecodeArgs& a) { return b.AttentionDecode(a); }
inline Status Run(Backend& b, const KvAppendArgs& a) { return b.KvAppend(a); }
inline Status Run(Backend& b, const PenaltiesArgs& a) { return b.Penalties(a); }
inline Status Run(Backend& b, const SampleArgs& a) { return b.Sample(a); }
inline Status Run(Backend& b, const LoraBgmvArgs& a) { return b.LoraBgmv(a); }

}  // namespace kt::kernels

#endif  // KT_KERNELS_BACKEND_H_
