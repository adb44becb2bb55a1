// Helpers for reading Kaito's data files (presets, SKUs, default ConfigMaps): typed field
// reads that turn a missing or mistyped field into an Invalid Status naming the file, the entry
// and the field. Internal to controllers/kaito. Stateless; thread-safe.
#ifndef KT_CONTROLLERS_KAITO_DATA_FILE_H_
#define KT_CONTROLLERS_KAITO_DATA_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::kaito::internal {

// Reads a whole file (bounded by kDataFileBytesMax).
inline constexpr int64_t kDataFileBytesMax = 16 << 20;
Result<std::string> ReadDataFile(const std::string& path);

// Where a field lives, for messages: "presets.yaml: presets[3] (falcon-7b)".
class FieldReader {
 public:
  FieldReader(const Json& object, std::string context)
      : object_(object), context_(std::move(context)) {}

  const Status& status() const { return status_; }
  bool Has(std::string_view key) const;

  std::string String(std::string_view key);  // required
  std::string OptString(std::string_view key, std::string_view fallback = "");
  int64_t Int(std::string_view key);  // required
  std::optional<int64_t> OptInt(std::string_view key);
  bool Bool(std::string_view key, bool fallback);
  // A quantity such as "16Gi" or "16.5Gi", in bytes (whole units).
  std::optional<int64_t> OptQuantityBytes(std::string_view key, std::string* text);
  const Json* Object(std::string_view key);  // optional object (null -> nullptr)
  const Json* Array(std::string_view key);   // optional array

  void Fail(std::string_view key, std::string_view problem);

 private:
  const Json& object_;
  std::string context_;
  Status status_;
};

}  // namespace kt::kaito::internal

#endif  // KT_CONTROLLERS_KAITO_DATA_FILE_H_
