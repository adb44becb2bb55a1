// Kubernetes protobuf bodies -> JSON, driven by the compiled-in schema (see kube_protobuf.h).
#include "api/kube_protobuf.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/kube_protobuf_schema.h"
#include "base/base64.h"
#include "base/check.h"
#include "base/json.h"

namespace kt::api {
namespace {

using kube_protobuf_internal::Field;
using kube_protobuf_internal::IsSpecial;
using kube_protobuf_internal::Message;
using kube_protobuf_internal::Scalar;
using kube_protobuf_internal::ValueType;

constexpr std::string_view kMagic("k8s\0", 4);
constexpr int64_t kGoTimeSecondsMin = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kGoTimeSecondsMax = 253402300799;  // 9999-12-31T23:59:59Z
constexpr int kVarintBytesMax = 10;

enum class WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

using Schema = KubeProtobufSchema::Impl;

// Reads protobuf primitives from a byte range; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  bool Done() const { return pos_ >= b_.size(); }

  bool Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < kVarintBytesMax; ++i) {
      if (pos_ >= b_.size()) return false;
      auto c = static_cast<uint8_t>(b_[pos_++]);
      v |= static_cast<uint64_t>(c & 0x7f) << (7 * i);
      if (c < 0x80) {
        *out = v;
        return true;
      }
    }
    return false;
  }
  bool Fixed64(uint64_t* out) {
    if (b_.size() - pos_ < 8) return false;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b_[pos_ + i]);
    pos_ += 8;
    *out = v;
    return true;
  }
  bool Len(std::string_view* out) {
    uint64_t n = 0;
    if (!Varint(&n) || n > b_.size() - pos_) return false;
    *out = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

// Go's time.Duration.String(): "0s", "1.5s", "300ms", "2µs", "1h0m0s".
std::string GoDuration(int64_t d) {
  if (d == 0) return "0s";
  const bool neg = d < 0;
  const uint64_t u = neg ? uint64_t{0} - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
  auto fixed = [](uint64_t v, int digits) {
    uint64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    std::string s = std::to_string(v / scale);
    if (uint64_t frac = v % scale; frac != 0) {
      std::string f = Pad(static_cast<int64_t>(frac), digits);
      while (!f.empty() && f.back() == '0') f.pop_back();
      s += "." + f;
    }
    return s;
  };
  std::string out;
  constexpr uint64_t kSecond = 1000000000, kMinute = 60 * kSecond, kHour = 60 * kMinute;
  if (u < 1000) {
    out = std::to_string(u) + "ns";
  } else if (u < 1000000) {
    out = fixed(u, 3) + "\xc2\xb5s";
  } else if (u < kSecond) {
    out = fixed(u, 6) + "ms";
  } else {
    const uint64_t h = u / kHour, m = (u % kHour) / kMinute, s = u % kMinute;
    if (h) out += std::to_string(h) + "h";
    if (h || m) out += std::to_string(m) + "m";
    out += fixed(s, 9) + "s";
  }
  return neg ? "-" + out : out;
}

// A decoded value and whether it is the Go zero value (dropped unless the field keeps zeros).
struct Decoded {
  Json value;
  bool zero = false;
};

class Decoder {
 public:
  explicit Decoder(const Schema& schema) : schema_(schema) {}

  Result<Json> DecodeMessage(std::string_view bytes, const Message& m, int depth) {
    if (depth > kKubeProtobufDepthMax) {
      return BadRequest("protobuf body: message " + m.name + " is nested deeper than " +
                        std::to_string(kKubeProtobufDepthMax) + " levels");
    }
    Json out = Json::object();
    Reader r(bytes);
    while (!r.Done()) {
      uint64_t key = 0;
      if (!r.Varint(&key)) return Truncated(m, "a field key");
      const uint64_t number = key >> 3;
      const auto wire = static_cast<uint32_t>(key & 7);
      auto it = number > 0 && number < (1u << 29) ? m.fields.find(static_cast<uint32_t>(number))
                                                 : m.fields.end();
      if (it == m.fields.end()) {
        return BadRequest("protobuf body: message " + m.name + " has no field number " +
                          std::to_string(number) + " (wire type " + std::to_string(wire) +
                          ") in the twin's schema; send application/json");
      }
      const Field& f = it->second;
      if (f.map) {
        KT_RETURN_IF_ERROR(DecodeMapEntry(r, wire, m, f, depth, out));
      } else if (f.repeated) {
        KT_RETURN_IF_ERROR(DecodeRepeated(r, wire, m, f, depth, out));
      } else {
        KT_ASSIGN_OR_RETURN(Decoded d, DecodeValue(r, wire, m, f, f.value, depth));
        if (f.inlined) {
          if (d.value.is_object()) {
            for (auto& [k, v] : d.value.items()) out[k] = std::move(v);
          }
        } else if (d.value.is_null() || (d.zero && !f.keep)) {
          out.erase(f.json);
        } else {
          out[f.json] = std::move(d.value);
        }
      }
    }
    return out;
  }

 private:
  static Status Truncated(const Message& m, std::string_view what) {
    return BadRequest("protobuf body: message " + m.name + ": truncated or malformed " + std::string(what));
  }
  static Status WrongWire(const Message& m, uint32_t number, const Field& f, uint32_t wire) {
    return BadRequest("protobuf body: message " + m.name + " field " + std::to_string(number) + " (" +
                      f.json + ") has wire type " + std::to_string(wire) +
                      ", which does not match its type");
  }

  static uint32_t ExpectedWire(const ValueType& t) {
    switch (t.scalar) {
      case Scalar::kInt32:
      case Scalar::kInt64:
      case Scalar::kBool:
        return static_cast<uint32_t>(WireType::kVarint);
      case Scalar::kDouble:
        return static_cast<uint32_t>(WireType::kFixed64);
      default:
        return static_cast<uint32_t>(WireType::kLen);
    }
  }

  static uint32_t FieldNumber(const Message& m, const Field& f) {
    for (const auto& [n, candidate] : m.fields) {
      if (&candidate == &f) return n;
    }
    return 0;
  }

  Result<Decoded> DecodeValue(Reader& r, uint32_t wire, const Message& m, const Field& f,
                              const ValueType& t, int depth) {
    if (wire != ExpectedWire(t)) return WrongWire(m, FieldNumber(m, f), f, wire);
    if (++values_ > kKubeProtobufValuesMax) {
      return BadRequest("protobuf body: more than " + std::to_string(kKubeProtobufValuesMax) + " values");
    }
    switch (t.scalar) {
      case Scalar::kInt32:
      case Scalar::kInt64:
      case Scalar::kBool: {
        uint64_t v = 0;
        if (!r.Varint(&v)) return Truncated(m, "varint of field " + f.json);
        return Scalar64(t.scalar, v);
      }
      case Scalar::kDouble: {
        uint64_t bits = 0;
        if (!r.Fixed64(&bits)) return Truncated(m, "fixed64 of field " + f.json);
        double d = 0;
        static_assert(sizeof(d) == sizeof(bits));
        std::memcpy(&d, &bits, sizeof(d));
        if (!std::isfinite(d)) return BadRequest("protobuf body: field " + f.json + " is not a finite number");
        return Decoded{Json(d), d == 0};
      }
      case Scalar::kString:
      case Scalar::kBytes: {
        std::string_view s;
        if (!r.Len(&s)) return Truncated(m, "length of field " + f.json);
        if (t.scalar == Scalar::kBytes) return Decoded{Json(Base64Encode(s)), s.empty()};
        return Decoded{Json(std::string(s)), s.empty()};
      }
      case Scalar::kMessage: {
        std::string_view s;
        if (!r.Len(&s)) return Truncated(m, "length of field " + f.json);
        if (IsSpecial(t.message)) return DecodeSpecial(s, t.message, f);
        const Message& sub = schema_.messages.at(t.message);
        KT_ASSIGN_OR_RETURN(Json obj, DecodeMessage(s, sub, depth + 1));
        const bool empty = obj.empty();
        return Decoded{std::move(obj), empty};
      }
    }
    return Internal("unreachable");
  }

  static Decoded Scalar64(Scalar s, uint64_t v) {
    if (s == Scalar::kBool) return Decoded{Json(v != 0), v == 0};
    if (s == Scalar::kInt32) {
      auto i = static_cast<int32_t>(static_cast<uint32_t>(v));
      return Decoded{Json(i), i == 0};
    }
    auto i = static_cast<int64_t>(v);
    return Decoded{Json(i), i == 0};
  }

  Status DecodeRepeated(Reader& r, uint32_t wire, const Message& m, const Field& f, int depth, Json& out) {
    Json& arr = out[f.json];
    if (!arr.is_array()) arr = Json::array();
    const bool numeric = f.value.scalar == Scalar::kInt32 || f.value.scalar == Scalar::kInt64 ||
                         f.value.scalar == Scalar::kBool;
    if (numeric && wire == static_cast<uint32_t>(WireType::kLen)) {  // packed
      std::string_view s;
      if (!r.Len(&s)) return Truncated(m, "length of packed field " + f.json);
      Reader packed(s);
      while (!packed.Done()) {
        if (++values_ > kKubeProtobufValuesMax) {
          return BadRequest("protobuf body: more than " + std::to_string(kKubeProtobufValuesMax) + " values");
        }
        uint64_t v = 0;
        if (!packed.Varint(&v)) return Truncated(m, "packed varint of field " + f.json);
        arr.push_back(Scalar64(f.value.scalar, v).value);
      }
      return Status::Ok();
    }
    KT_ASSIGN_OR_RETURN(Decoded d, DecodeValue(r, wire, m, f, f.value, depth));
    arr.push_back(d.value.is_null() ? Json::object() : std::move(d.value));
    return Status::Ok();
  }

  Status DecodeMapEntry(Reader& r, uint32_t wire, const Message& m, const Field& f, int depth, Json& out) {
    if (wire != static_cast<uint32_t>(WireType::kLen)) return WrongWire(m, FieldNumber(m, f), f, wire);
    std::string_view entry;
    if (!r.Len(&entry)) return Truncated(m, "length of map entry " + f.json);
    if (depth + 1 > kKubeProtobufDepthMax) {
      return BadRequest("protobuf body: message " + m.name + " is nested deeper than " +
                        std::to_string(kKubeProtobufDepthMax) + " levels");
    }
    Reader er(entry);
    std::string key;
    Json value;
    bool have_value = false;
    while (!er.Done()) {
      uint64_t k = 0;
      if (!er.Varint(&k)) return Truncated(m, "map entry key of " + f.json);
      const uint64_t number = k >> 3;
      const auto ew = static_cast<uint32_t>(k & 7);
      if (number == 1) {
        if (ew != static_cast<uint32_t>(WireType::kLen)) return WrongWire(m, FieldNumber(m, f), f, ew);
        std::string_view s;
        if (!er.Len(&s)) return Truncated(m, "map key of " + f.json);
        key.assign(s);
      } else if (number == 2) {
        KT_ASSIGN_OR_RETURN(Decoded d, DecodeValue(er, ew, m, f, f.value, depth + 1));
        value = std::move(d.value);
        have_value = true;
      } else {
        return BadRequest("protobuf body: map entry of " + m.name + "." + f.json + " has no field number " +
                          std::to_string(number));
      }
    }
    if (!have_value || value.is_null()) {
      // An absent value is the zero value of the map's value type.
      switch (f.value.scalar) {
        case Scalar::kString:
        case Scalar::kBytes:
          value = "";
          break;
        case Scalar::kMessage:
          if (f.value.message == "Quantity") {
            value = "0";
          } else if (f.value.message == "IntOrString") {
            value = 0;
          } else if (f.value.message == "Duration") {
            value = "0s";
          } else if (IsSpecial(f.value.message)) {
            value = nullptr;  // the zero Time, an empty RawExtension
          } else {
            value = Json::object();
          }
          break;
        case Scalar::kDouble:
          value = 0.0;
          break;
        case Scalar::kBool:
          value = false;
          break;
        default:
          value = 0;
      }
    }
    Json& obj = out[f.json];
    if (!obj.is_object()) obj = Json::object();
    obj[key] = std::move(value);
    return Status::Ok();
  }


 public:
  // The apimachinery messages whose JSON form is not an object.
  Result<Decoded> DecodeSpecial(std::string_view bytes, const std::string& name, const Field& f) {
    Message shape;  // for error messages only
    shape.name = name;
    Reader r(bytes);
    int64_t ints[4] = {0, 0, 0, 0};
    std::string_view strs[4];
    bool seen[4] = {false, false, false, false};
    // Field layouts: Time/MicroTime {1 seconds int64, 2 nanos int32}; Quantity {1 string};
    // IntOrString {1 type int64, 2 intVal int32, 3 strVal string}; Duration {1 int64};
    // RawExtension/FieldsV1 {1 raw bytes}.
    auto is_len = [&](uint64_t n) {
      if (name == "Quantity" || name == "RawExtension" || name == "FieldsV1") return n == 1;
      if (name == "IntOrString") return n == 3;
      return false;
    };
    const uint64_t max_field = name == "IntOrString" ? 3 : (name == "Time" || name == "MicroTime") ? 2 : 1;
    while (!r.Done()) {
      uint64_t key = 0;
      if (!r.Varint(&key)) return Truncated(shape, "a field key");
      const uint64_t n = key >> 3;
      const auto wire = static_cast<uint32_t>(key & 7);
      if (n == 0 || n > max_field) {
        return BadRequest("protobuf body: message " + name + " (field " + f.json + ") has no field number " +
                          std::to_string(n));
      }
      const uint32_t want = is_len(n) ? 2u : 0u;
      if (wire != want) {
        return BadRequest("protobuf body: message " + name + " field " + std::to_string(n) + " (in " + f.json +
                          ") has wire type " + std::to_string(wire) + ", which does not match its type");
      }
      if (want == 2) {
        if (!r.Len(&strs[n])) return Truncated(shape, "length");
      } else {
        uint64_t v = 0;
        if (!r.Varint(&v)) return Truncated(shape, "varint");
        ints[n] = static_cast<int64_t>(v);
      }
      seen[n] = true;
    }
    if (name == "Time" || name == "MicroTime") {
      if (bytes.empty()) return Decoded{Json(), true};  // the zero time (JSON null)
      const int64_t secs = ints[1];
      const auto nanos = static_cast<int32_t>(static_cast<uint32_t>(ints[2]));
      if (secs < kGoTimeSecondsMin || secs > kGoTimeSecondsMax || nanos < 0 || nanos > 999999999) {
        return BadRequest("protobuf body: " + f.json + ": time out of range (seconds " + std::to_string(secs) +
                          ", nanos " + std::to_string(nanos) + ")");
      }
      return Decoded{Json(FormatTime(secs, nanos, name == "MicroTime")), false};
    }
    if (name == "Quantity") {
      if (strs[1].empty()) return Decoded{Json("0"), true};
      return Decoded{Json(std::string(strs[1])), false};
    }
    if (name == "IntOrString") {
      if (ints[1] == 0) {
        auto v = static_cast<int32_t>(static_cast<uint32_t>(ints[2]));
        return Decoded{Json(v), v == 0};
      }
      if (ints[1] == 1) return Decoded{Json(std::string(strs[3])), strs[3].empty()};
      return BadRequest("protobuf body: " + f.json + ": IntOrString type " + std::to_string(ints[1]) +
                        " is neither 0 (int) nor 1 (string)");
    }
    if (name == "Duration") return Decoded{Json(GoDuration(ints[1])), ints[1] == 0};
    // RawExtension, FieldsV1: embedded JSON.
    (void)seen;
    if (strs[1].empty()) return Decoded{Json(), true};
    auto j = ParseJson(strs[1]);
    if (!j.ok()) {
      return BadRequest("protobuf body: " + f.json + ": the embedded object is not JSON (" +
                        j.status().message() + ")");
    }
    return Decoded{std::move(*j), false};
  }

  static std::string FormatTime(int64_t secs, int32_t nanos, bool micro) {
    using namespace std::chrono;
    const sys_seconds t{seconds(secs)};
    const sys_days day = floor<days>(t);
    const year_month_day ymd(day);
    const hh_mm_ss<seconds> hms(t - day);
    std::string s = Pad(static_cast<int>(ymd.year()), 4) + "-" + Pad(static_cast<unsigned>(ymd.month()), 2) + "-" +
                    Pad(static_cast<unsigned>(ymd.day()), 2) + "T" + Pad(hms.hours().count(), 2) + ":" +
                    Pad(hms.minutes().count(), 2) + ":" + Pad(hms.seconds().count(), 2);
    if (micro) s += "." + Pad(nanos / 1000, 6);
    return s + "Z";
  }

  const Schema& schema_;
  int64_t values_ = 0;
};
// (DecodeSpecial is called by DecodeKubeProtobufMessage for the special messages.)

Status ParseTypeMeta(std::string_view bytes, std::string* api_version, std::string* kind) {
  Reader r(bytes);
  while (!r.Done()) {
    uint64_t key = 0;
    if (!r.Varint(&key)) return BadRequest("protobuf body: truncated or malformed TypeMeta");
    const uint64_t n = key >> 3;
    if (n != 1 && n != 2) {
      return BadRequest("protobuf body: message TypeMeta has no field number " + std::to_string(n));
    }
    if ((key & 7) != 2) return BadRequest("protobuf body: TypeMeta field " + std::to_string(n) + " is not a string");
    std::string_view s;
    if (!r.Len(&s)) return BadRequest("protobuf body: truncated or malformed TypeMeta");
    (n == 1 ? api_version : kind)->assign(s);
  }
  return Status::Ok();
}

}  // namespace

Result<Json> DecodeKubeProtobufMessage(std::string_view message, std::string_view raw,
                                       const KubeProtobufSchema& schema) {
  const Schema& s = *schema.impl_;
  Decoder d(s);
  if (IsSpecial(message)) {
    Field f;
    f.json = std::string(message);
    KT_ASSIGN_OR_RETURN(Decoded v, d.DecodeSpecial(raw, f.json, f));
    return std::move(v.value);
  }
  auto it = s.messages.find(std::string(message));
  if (it == s.messages.end()) return NotFound("protobuf schema has no message " + std::string(message));
  return d.DecodeMessage(raw, it->second, 1);
}

Result<Json> DecodeKubeProtobuf(std::string_view body, const KubeProtobufSchema& schema) {
  if (body.size() < kMagic.size() || body.substr(0, kMagic.size()) != kMagic) {
    return BadRequest("protobuf body: missing the \"k8s\\0\" magic prefix");
  }
  Reader r(body.substr(kMagic.size()));
  std::string api_version, kind, encoding;
  std::string_view raw;
  while (!r.Done()) {
    uint64_t key = 0;
    if (!r.Varint(&key)) return BadRequest("protobuf body: truncated or malformed runtime.Unknown envelope");
    const uint64_t n = key >> 3;
    if (n < 1 || n > 4) {
      return BadRequest("protobuf body: message runtime.Unknown has no field number " + std::to_string(n));
    }
    if ((key & 7) != 2) {
      return BadRequest("protobuf body: runtime.Unknown field " + std::to_string(n) + " has wire type " +
                        std::to_string(key & 7) + ", which does not match its type");
    }
    std::string_view s;
    if (!r.Len(&s)) return BadRequest("protobuf body: truncated or malformed runtime.Unknown envelope");
    if (n == 1) {
      KT_RETURN_IF_ERROR(ParseTypeMeta(s, &api_version, &kind));
    } else if (n == 2) {
      raw = s;
    } else if (n == 3) {
      encoding.assign(s);
    }
  }
  if (api_version.empty() || kind.empty()) {
    return BadRequest("protobuf body: the envelope has no apiVersion/kind");
  }
  if (!encoding.empty()) {
    return Status(StatusCode::kUnsupportedMediaType,
                  "protobuf body: content encoding \"" + encoding + "\" is not supported; send application/json");
  }
  const Schema& s = *schema.impl_;
  auto it = s.kinds.find(api_version + "/" + kind);
  if (it == s.kinds.end()) {
    const std::string gv = api_version.find('/') == std::string::npos ? "/" + api_version : api_version;
    return Status(StatusCode::kUnsupportedMediaType,
                  "protobuf is not supported for " + gv + ", Kind=" + kind + "; send application/json");
  }
  Decoder d(s);
  KT_ASSIGN_OR_RETURN(Json obj, d.DecodeMessage(raw, s.messages.at(it->second), 1));
  obj["apiVersion"] = api_version;
  obj["kind"] = kind;
  return obj;
}

Result<Json> DecodeKubeProtobuf(std::string_view body) {
  return DecodeKubeProtobuf(body, KubeProtobufSchema::Default());
}

}  // namespace kt::api
