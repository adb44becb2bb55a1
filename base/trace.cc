#include "base/trace.h"

#include <optional>
#include <ostream>

#include "base/sha256.h"

namespace kt {

Trace::Trace() : hash_(std::make_unique<Sha256>()) {}
Trace::~Trace() = default;

void Trace::Record(Time t, std::string_view kind, Json fields) {
  if (!fields.is_object()) fields = Json::object();
  fields["t"] = FormatRfc3339Micro(t);
  fields["k"] = kind;
  std::string text = fields.dump();
  text += '\n';
  Append(text);
}

void Trace::RecordMembers(Time t, std::string_view kind, std::string_view members) {
  // Recorded on every API write: the line is built in a buffer kept by the thread, and the
  // time is formatted once per distinct instant (many lines share one under a virtual clock).
  thread_local std::string text;
  thread_local std::optional<Time> formatted_at;
  thread_local std::string formatted;
  if (formatted_at != t) {
    formatted = FormatRfc3339Micro(t);
    formatted_at = t;
  }
  text.clear();
  text += "{\"k\":";
  AppendJsonString(text, kind);
  if (!members.empty()) text += ',';
  text += members;
  text += ",\"t\":\"";
  text += formatted;
  text += "\"}\n";
  Append(text);
}

void Trace::Append(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  unhashed_ += line;
  if (unhashed_.size() >= kHashChunkBytes) HashUnhashedLocked();
  ++lines_;
  if (sink_ != nullptr) *sink_ << line;
}

void Trace::SetSink(std::ostream* out) {
  std::lock_guard<std::mutex> lock(mu_);
  sink_ = out;
}

uint64_t Trace::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

std::string Trace::Digest() const {
  std::lock_guard<std::mutex> lock(mu_);
  HashUnhashedLocked();
  return hash_->HexDigest();
}

void Trace::HashUnhashedLocked() const {
  hash_->Update(unhashed_);
  unhashed_.clear();
}

}  // namespace kt
