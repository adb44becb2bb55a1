#include "controllers/kaito/data_file.h"

#include <fstream>
#include <sstream>

#include "api/quantity.h"
#include "base/json.h"

namespace kt::kaito::internal {

Result<std::string> ReadDataFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open data file " + path);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return Internal("cannot read data file " + path);
  if (size > kDataFileBytesMax) {
    return Invalid("data file " + path + " is larger than " + std::to_string(kDataFileBytesMax) +
                   " bytes");
  }
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) return Internal("cannot read data file " + path);
  return text;
}

bool FieldReader::Has(std::string_view key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

void FieldReader::Fail(std::string_view key, std::string_view problem) {
  if (!status_.ok()) return;
  status_ = Invalid(context_ + ": " + std::string(key) + ": " + std::string(problem));
}

std::string FieldReader::String(std::string_view key) {
  if (!Has(key)) {
    Fail(key, "required field is missing");
    return "";
  }
  return OptString(key);
}

std::string FieldReader::OptString(std::string_view key, std::string_view fallback) {
  if (!Has(key)) return std::string(fallback);
  const Json& v = *object_.find(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  Fail(key, "expected a string");
  return std::string(fallback);
}

int64_t FieldReader::Int(std::string_view key) {
  if (!Has(key)) {
    Fail(key, "required field is missing");
    return 0;
  }
  return OptInt(key).value_or(0);
}

std::optional<int64_t> FieldReader::OptInt(std::string_view key) {
  if (!Has(key)) return std::nullopt;
  const Json& v = *object_.find(key);
  if (!v.is_number_integer()) {
    Fail(key, "expected an integer, got " + DumpJson(v));
    return std::nullopt;
  }
  return v.get<int64_t>();
}

bool FieldReader::Bool(std::string_view key, bool fallback) {
  if (!Has(key)) return fallback;
  const Json& v = *object_.find(key);
  if (!v.is_boolean()) {
    Fail(key, "expected true or false, got " + DumpJson(v));
    return fallback;
  }
  return v.get<bool>();
}

std::optional<int64_t> FieldReader::OptQuantityBytes(std::string_view key, std::string* text) {
  if (!Has(key)) return std::nullopt;
  std::string s = OptString(key);
  if (!status_.ok()) return std::nullopt;
  auto q = api::Quantity::Parse(s);
  if (!q.ok()) {
    Fail(key, q.status().message());
    return std::nullopt;
  }
  if (q->milli() < 0) {
    Fail(key, "must not be negative");
    return std::nullopt;
  }
  if (text != nullptr) *text = s;
  return q->units();
}

const Json* FieldReader::Object(std::string_view key) {
  if (!Has(key)) return nullptr;
  const Json& v = *object_.find(key);
  if (!v.is_object()) {
    Fail(key, "expected a mapping");
    return nullptr;
  }
  return &v;
}

const Json* FieldReader::Array(std::string_view key) {
  if (!Has(key)) return nullptr;
  const Json& v = *object_.find(key);
  if (!v.is_array()) {
    Fail(key, "expected a list");
    return nullptr;
  }
  return &v;
}

}  // namespace kt::kaito::internal
