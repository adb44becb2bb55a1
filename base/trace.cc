#include "base/trace.h"

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
  std::string text;
  text.reserve(members.size() + kind.size() + 48);
  text += "{\"k\":";
  AppendJsonString(text, kind);
  if (!members.empty()) text += ',';
  text += members;
  text += ",\"t\":\"";
  text += FormatRfc3339Micro(t);
  text += "\"}\n";
  Append(text);
}

void Trace::Append(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  hash_->Update(line);
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
  return hash_->HexDigest();
}

}  // namespace kt
