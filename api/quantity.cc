#include "api/quantity.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace kt::api {

Result<Quantity> Quantity::Parse(std::string_view text) {
  auto bad = [&] {
    return BadRequest("quantities must match the regular expression "
                      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': \"" +
                      std::string(text) + "\"");
  };
  if (text.empty() || text.size() > 64) return bad();
  size_t i = 0;
  bool neg = false;
  if (text[i] == '+' || text[i] == '-') {
    neg = text[i] == '-';
    ++i;
  }
  // Mantissa as an exact decimal: integer digits and fraction digits.
  __int128 mantissa = 0;
  int frac_digits = 0;
  bool any_digit = false, seen_dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
      if (mantissa > (static_cast<__int128>(1) << 100)) return bad();
      mantissa = mantissa * 10 + (c - '0');
      if (seen_dot) ++frac_digits;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return bad();
  std::string_view suffix = text.substr(i);
  // Scale = multiplier as (base^exp) applied to milli-units.
  int dec_exp = 0;        // power of ten
  __int128 bin_mult = 1;  // power of two multiplier
  if (suffix.empty()) {
  } else if (suffix == "m") dec_exp = -3;
  else if (suffix == "u") dec_exp = -6;
  else if (suffix == "n") dec_exp = -9;
  else if (suffix == "k") dec_exp = 3;
  else if (suffix == "M") dec_exp = 6;
  else if (suffix == "G") dec_exp = 9;
  else if (suffix == "T") dec_exp = 12;
  else if (suffix == "P") dec_exp = 15;
  else if (suffix == "E") dec_exp = 18;
  else if (suffix == "Ki") bin_mult = static_cast<__int128>(1) << 10;
  else if (suffix == "Mi") bin_mult = static_cast<__int128>(1) << 20;
  else if (suffix == "Gi") bin_mult = static_cast<__int128>(1) << 30;
  else if (suffix == "Ti") bin_mult = static_cast<__int128>(1) << 40;
  else if (suffix == "Pi") bin_mult = static_cast<__int128>(1) << 50;
  else if (suffix == "Ei") bin_mult = static_cast<__int128>(1) << 60;
  else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view e = suffix.substr(1);
    bool eneg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      eneg = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 3) return bad();
    int v = 0;
    for (char c : e) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad();
      v = v * 10 + (c - '0');
    }
    dec_exp = eneg ? -v : v;
  } else {
    return bad();
  }
  // value_milli = mantissa * 10^(dec_exp + 3 - frac_digits) * bin_mult, rounded up to a milli.
  // Every product is checked before it is formed: 128 bits hold mantissa (< 2^101) times a
  // binary suffix only when the pair is not too large, and each further *10 only from <= 2^63.
  const __int128 limit = static_cast<__int128>(std::numeric_limits<int64_t>::max());
  auto too_large = [&] {
    return BadRequest("quantity too large or too precise: \"" + std::string(text) + "\"");
  };
  const __int128 max128 = ~(static_cast<unsigned __int128>(1) << 127);
  if (mantissa > max128 / bin_mult) return too_large();
  __int128 v = mantissa * bin_mult;
  int exp10 = dec_exp + 3 - frac_digits;
  while (exp10 > 0) {
    if (v > limit) return too_large();
    v *= 10;
    --exp10;
  }
  bool remainder = false;
  while (exp10 < 0) {
    if (v % 10 != 0) remainder = true;
    v /= 10;
    ++exp10;
  }
  if (remainder) v += 1;  // Kubernetes rounds sub-milli precision up
  if (v > limit) return too_large();
  int64_t milli = static_cast<int64_t>(v);
  return Quantity(neg ? -milli : milli);
}

std::string Quantity::ToString() const {
  if (milli_ % 1000 != 0) return std::to_string(milli_) + "m";
  int64_t units = milli_ / 1000;
  static const char* const kBin[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  static const int kShift[] = {60, 50, 40, 30, 20, 10};
  for (int k = 0; k < 6; ++k) {
    int64_t unit = int64_t{1} << kShift[k];
    if (units != 0 && units % unit == 0 && std::llabs(units) >= unit) {
      return std::to_string(units / unit) + kBin[k];
    }
  }
  return std::to_string(units);
}

}  // namespace kt::api
