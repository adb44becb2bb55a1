// resource.Quantity: "500m", "2", "1.5", "16Gi", "100M", "1e3". Held as an exact count of
// milli-units, which covers CPU (millicores), memory and storage in bytes (up to ~9 PB) and
// GPU counts. Parse errors are BadRequest with the apimachinery wording.
#ifndef KT_API_QUANTITY_H_
#define KT_API_QUANTITY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kt::api {

class Quantity {
 public:
  Quantity() = default;
  static Quantity FromMilli(int64_t milli) { return Quantity(milli); }
  static Quantity FromUnits(int64_t units) { return Quantity(units * 1000); }
  static Result<Quantity> Parse(std::string_view text);

  int64_t milli() const { return milli_; }
  // Whole units, rounded up (as Quantity.Value() does): "500m" -> 1.
  int64_t units() const { return milli_ >= 0 ? (milli_ + 999) / 1000 : -((-milli_) / 1000); }
  double AsDouble() const { return static_cast<double>(milli_) / 1000.0; }
  bool is_zero() const { return milli_ == 0; }

  Quantity operator+(Quantity o) const { return Quantity(milli_ + o.milli_); }
  Quantity operator-(Quantity o) const { return Quantity(milli_ - o.milli_); }
  Quantity& operator+=(Quantity o) {
    milli_ += o.milli_;
    return *this;
  }
  Quantity& operator-=(Quantity o) {
    milli_ -= o.milli_;
    return *this;
  }
  auto operator<=>(const Quantity&) const = default;

  // A compact canonical form: "1500m", "2", "16Gi" (binary suffix when the value is a whole
  // multiple of 1Ki and at least 1Ki, else decimal).
  std::string ToString() const;

 private:
  explicit Quantity(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;
};

}  // namespace kt::api

#endif  // KT_API_QUANTITY_H_
