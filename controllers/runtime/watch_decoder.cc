#include "controllers/runtime/watch_decoder.h"

#include "base/json.h"

namespace kt::ctrl {

Result<api::WatchEvent> ParseWatchEvent(std::string_view line) {
  auto parsed = ParseJson(line);
  if (!parsed.ok()) return BadRequest("malformed watch event: " + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object()) return BadRequest("watch event is not a JSON object");
  const std::string type = GetString(j, "type");
  api::WatchEvent ev;
  if (type == "ADDED") ev.type = api::WatchEvent::Type::kAdded;
  else if (type == "MODIFIED") ev.type = api::WatchEvent::Type::kModified;
  else if (type == "DELETED") ev.type = api::WatchEvent::Type::kDeleted;
  else if (type == "BOOKMARK") ev.type = api::WatchEvent::Type::kBookmark;
  else if (type == "ERROR") ev.type = api::WatchEvent::Type::kError;
  else return BadRequest("watch event has unknown type \"" + type + "\"");
  auto it = j.find("object");
  if (it == j.end() || !it->is_object()) return BadRequest("watch event " + type + " has no object");
  ev.object = *it;
  return ev;
}

Status WatchDecoder::Feed(std::string_view data, std::vector<api::WatchEvent>* out) {
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    std::string_view piece = data.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (buffer_.size() + piece.size() > line_bytes_max_) {
      buffer_.clear();
      return BadRequest("watch event longer than " + std::to_string(line_bytes_max_) + " bytes");
    }
    buffer_.append(piece);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    std::string line;
    line.swap(buffer_);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    KT_ASSIGN_OR_RETURN(api::WatchEvent ev, ParseWatchEvent(line));
    out->push_back(std::move(ev));
  }
  return Status::Ok();
}

Status WatchDecoder::Finish(std::vector<api::WatchEvent>* out) {
  if (buffer_.find_first_not_of(" \t\r") == std::string::npos) {
    buffer_.clear();
    return Status::Ok();
  }
  std::string line;
  line.swap(buffer_);
  KT_ASSIGN_OR_RETURN(api::WatchEvent ev, ParseWatchEvent(line));
  out->push_back(std::move(ev));
  return Status::Ok();
}

}  // namespace kt::ctrl
