// Trace: the record of every state change in a run, as JSON lines stamped with (virtual)
// time, and a running SHA-256 digest over them. Two runs of the same scenario with the same
// seed and build produce the same digest; tests compare digests instead of whole traces.
//
// A trace line is {"t":"<RFC3339 micro>","k":"<kind>",...fields}. Fields are serialized with
// sorted keys, so the line depends only on content.
//
// Thread-safe (RealEnv components may record from several threads; the digest then depends
// on scheduling, which is why determinism is only claimed under SimEnv).
#ifndef KT_BASE_TRACE_H_
#define KT_BASE_TRACE_H_

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/time.h"

namespace kt {

class Sha256;

class Trace {
 public:
  Trace();
  ~Trace();

  // Appends one line. `fields` must be a JSON object (or null for none); it is taken by value
  // so that the usual temporary is extended in place rather than copied.
  void Record(Time t, std::string_view kind, Json fields);
  // The same line from fields serialized by the caller (for recorders on every API write):
  // `members` is the JSON text of the members without braces, in sorted key order, and every
  // key must sort after "k" and before "t" (so the line equals what Record would write).
  void RecordMembers(Time t, std::string_view kind, std::string_view members);

  // Also write each line to `out` (not owned; null to stop). Lines are written as recorded.
  void SetSink(std::ostream* out);

  uint64_t lines() const;
  // Hex SHA-256 of all lines so far (each terminated by '\n').
  std::string Digest() const;

 private:
  void Append(const std::string& line);
  void HashUnhashedLocked() const;

  // Lines are hashed a few KiB at a time (a write's line is ~100 bytes, and each update of the
  // hash costs about as much again as hashing the line).
  static constexpr size_t kHashChunkBytes = 4096;

  mutable std::mutex mu_;
  std::unique_ptr<Sha256> hash_;
  mutable std::string unhashed_;
  std::ostream* sink_ = nullptr;
  uint64_t lines_ = 0;
};

}  // namespace kt

#endif  // KT_BASE_TRACE_H_
