// libFuzzer target: the safetensors reader on arbitrary bytes (a hostile or truncated
// checkpoint). Parsing must succeed or fail with a Status; when it succeeds every entry lies
// inside the buffer and converting it to float32 is safe.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/check.h"
#include "serving/model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kt::serving;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto f = SafetensorsFile::FromBytes(bytes);
  if (!f.ok()) return 0;
  for (const auto& [name, e] : f.value()->entries()) {
    KT_CHECK(e.nbytes == static_cast<size_t>(e.numel()) * DTypeSize(e.dtype));
    if (e.nbytes <= (1u << 20)) (void)EntryToTensor(e, DType::kF32);
  }
  return 0;
}
