// Call: one HTTP request fanned out to one or more engine requests (OpenAI "choices"), and the
// fan-in of their outputs back to the client.
//
// Engine outputs arrive on the engine loop's thread; the HTTP exchange was created on an io
// thread; the timeout fires on a timer. Call serializes them: each choice's text, tokens and
// logprobs accumulate here; a streaming call writes SSE events as outputs arrive (buffering
// any that come before the stream is open); the response is sent exactly once, by whichever
// comes first of "every choice finished", the timeout, or an error. A client that disconnects
// from a stream aborts the call's engine requests.
//
// Thread-safe.
#ifndef KT_SERVING_HTTP_CALL_H_
#define KT_SERVING_HTTP_CALL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/net/http_server.h"
#include "serving/engine/engine.h"

namespace kt::serving {

struct ChoiceState {
  std::string request_id;  // engine request id
  std::string text;
  std::vector<int32_t> token_ids;
  std::vector<SampledToken> logprobs;
  bool finished = false;
  FinishReason reason = FinishReason::kNone;
  std::string error;
  StatusCode error_code = StatusCode::kOk;
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  // Called (under the call's lock) for each output of a choice when streaming; returns the
  // SSE payloads to write, each a complete "data: ...\n\n" event.
  using StreamEvents =
      std::function<std::vector<std::string>(int choice, const RequestOutput& out, const ChoiceState& state)>;
  // Called once when every choice finished: the final response (non-streaming) or the
  // closing events (streaming; the stream is closed after they are written).
  using Finalize = std::function<void(Call& call)>;

  Call(std::shared_ptr<net::Exchange> exchange, size_t num_choices, bool stream);

  void set_stream_events(StreamEvents f) { stream_events_ = std::move(f); }
  void set_finalize(Finalize f) { finalize_ = std::move(f); }
  void set_on_abort(std::function<void()> f) { on_abort_ = std::move(f); }

  // Streaming only: sends the status/headers and flushes events buffered so far.
  void OpenStream();
  // From the engine loop.
  void Deliver(size_t choice, const RequestOutput& out);
  // Ends the call with an error response (or an SSE error event when the stream is open) and
  // aborts unfinished choices. Ignored once the call has responded.
  void Fail(int http_status, const std::string& message,
            const std::function<net::HttpResponse()>& response,
            const std::function<std::string()>& sse_event);

  // For Finalize: results and the ways to answer.
  const std::vector<ChoiceState>& choices() const { return choices_; }
  bool streaming() const { return stream_mode_; }
  void Respond(net::HttpResponse r);  // non-streaming
  void WriteEvent(std::string event);  // streaming
  bool responded() const;

 private:
  void WriteLocked(std::string event);

  mutable std::mutex mu_;
  std::shared_ptr<net::Exchange> exchange_;
  std::shared_ptr<net::ResponseStream> stream_;
  std::vector<std::string> buffered_;
  std::vector<ChoiceState> choices_;
  size_t finished_ = 0;
  bool stream_mode_;
  bool responded_ = false;
  bool finalizing_ = false;
  StreamEvents stream_events_;
  Finalize finalize_;
  std::function<void()> on_abort_;
};

}  // namespace kt::serving

#endif  // KT_SERVING_HTTP_CALL_H_
