// The byte <-> character map of byte-level BPE (GPT-2's bytes_to_unicode): printable Latin-1
// bytes map to themselves, the other 68 bytes to U+0100.. in order, so every byte string is a
// string of visible characters the BPE vocabulary is written in.
// Pure functions; thread-safe.
#ifndef KT_SERVING_TOKENIZER_BYTE_LEVEL_H_
#define KT_SERVING_TOKENIZER_BYTE_LEVEL_H_

#include <optional>
#include <string>
#include <string_view>

namespace kt::serving {

char32_t ByteToChar(uint8_t b);
std::optional<uint8_t> CharToByte(char32_t c);
// Each byte of `bytes` as its character, UTF-8 encoded.
std::string BytesToByteLevel(std::string_view bytes);
// The inverse; characters outside the map are kept as their UTF-8 bytes.
std::string ByteLevelToBytes(std::string_view text);

}  // namespace kt::serving

#endif  // KT_SERVING_TOKENIZER_BYTE_LEVEL_H_
