// WatchDecoder: splits a Kubernetes watch stream (newline-delimited JSON
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}) into WatchEvents, however
// the bytes are chunked. Malformed lines and lines over line_bytes_max are errors
// (BadRequest), so a broken server cannot make the client buffer without bound. Blank lines
// are skipped. Not thread-safe (one per stream).
#ifndef KT_CONTROLLERS_RUNTIME_WATCH_DECODER_H_
#define KT_CONTROLLERS_RUNTIME_WATCH_DECODER_H_

#include <string>
#include <string_view>
#include <vector>

#include "api/kube_client.h"

namespace kt::ctrl {

Result<api::WatchEvent> ParseWatchEvent(std::string_view line);

class WatchDecoder {
 public:
  static constexpr size_t kLineBytesMaxDefault = 16 * 1024 * 1024;
  explicit WatchDecoder(size_t line_bytes_max = kLineBytesMaxDefault)
      : line_bytes_max_(line_bytes_max) {}

  // Appends the events completed by `data`.
  Status Feed(std::string_view data, std::vector<api::WatchEvent>* out);
  // At end of stream: a last event without its newline is accepted.
  Status Finish(std::vector<api::WatchEvent>* out);

 private:
  size_t line_bytes_max_;
  std::string buffer_;
};

}  // namespace kt::ctrl

#endif  // KT_CONTROLLERS_RUNTIME_WATCH_DECODER_H_
