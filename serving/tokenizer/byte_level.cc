#include "serving/tokenizer/byte_level.h"

#include <array>

#include "serving/tokenizer/utf8.h"

namespace kt::serving {

namespace {
struct Tables {
  std::array<char32_t, 256> to_char{};
  std::array<int, 324> to_byte{};  // indexed by char < 324, -1 when unmapped
};

const Tables& GetTables() {
  static const Tables t = [] {
    Tables t;
    t.to_byte.fill(-1);
    auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    int next = 0;
    for (int b = 0; b < 256; ++b) {
      char32_t c = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
      t.to_char[b] = c;
      t.to_byte[c] = b;
    }
    return t;
  }();
  return t;
}
}  // namespace

char32_t ByteToChar(uint8_t b) { return GetTables().to_char[b]; }

std::optional<uint8_t> CharToByte(char32_t c) {
  if (c >= 324) return std::nullopt;
  int b = GetTables().to_byte[c];
  if (b < 0) return std::nullopt;
  return static_cast<uint8_t>(b);
}

std::string BytesToByteLevel(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) AppendUtf8(ByteToChar(b), out);
  return out;
}

std::string ByteLevelToBytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const Utf8Char& c : DecodeUtf8(text)) {
    if (auto b = CharToByte(c.cp)) {
      out.push_back(static_cast<char>(*b));
    } else {
      out.append(text.substr(c.offset, c.length));
    }
  }
  return out;
}

}  // namespace kt::serving
