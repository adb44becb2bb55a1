#include "serving/http/call.h"

namespace kt::serving {

Call::Call(std::shared_ptr<net::Exchange> exchange, size_t num_choices, bool stream)
    : exchange_(std::move(exchange)), choices_(num_choices), stream_mode_(stream) {}

void Call::OpenStream() {
  std::shared_ptr<net::ResponseStream> s = exchange_->StartStream(
      200, {{"Content-Type", "text/event-stream; charset=utf-8"},
            {"Cache-Control", "no-cache"}});
  std::weak_ptr<Call> weak = weak_from_this();
  s->OnClose([weak] {
    if (auto self = weak.lock()) {
      std::function<void()> abort;
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        if (self->responded_) return;
        self->responded_ = true;  // the client went away: nothing more to send
        abort = self->on_abort_;
      }
      if (abort) abort();
    }
  });
  bool close = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream_ = s;
    for (std::string& e : buffered_) stream_->Write(std::move(e));
    buffered_.clear();
    close = responded_;
  }
  // Close() runs OnClose callbacks synchronously, which take mu_: never close under it.
  if (close) s->Close();
}

void Call::WriteLocked(std::string event) {
  if (stream_) {
    stream_->Write(std::move(event));
  } else {
    buffered_.push_back(std::move(event));
  }
}

void Call::WriteEvent(std::string event) {
  std::lock_guard<std::mutex> lock(mu_);
  WriteLocked(std::move(event));
}

void Call::Respond(net::HttpResponse r) { exchange_->Respond(std::move(r)); }

bool Call::responded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return responded_;
}

void Call::Deliver(size_t choice, const RequestOutput& out) {
  bool done = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (choice >= choices_.size()) return;
    ChoiceState& c = choices_[choice];
    if (c.finished) return;
    c.text += out.text;
    c.token_ids.insert(c.token_ids.end(), out.token_ids.begin(), out.token_ids.end());
    c.logprobs.insert(c.logprobs.end(), out.logprobs.begin(), out.logprobs.end());
    c.prompt_tokens = out.prompt_tokens;
    c.completion_tokens = out.completion_tokens;
    if (out.finished) {
      c.finished = true;
      c.reason = out.finish_reason;
      c.error = out.error;
      c.error_code = out.error_code;
      ++finished_;
    }
    if (responded_) return;
    if (stream_mode_ && stream_events_ && out.finish_reason != FinishReason::kError) {
      for (std::string& e : stream_events_(static_cast<int>(choice), out, c)) WriteLocked(std::move(e));
    }
    if (finished_ == choices_.size() && !finalizing_) {
      finalizing_ = true;
      responded_ = true;
      done = true;
    }
  }
  if (!done) return;
  if (finalize_) finalize_(*this);
  std::shared_ptr<net::ResponseStream> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = stream_;
  }
  if (s) s->Close();
}

void Call::Fail(int http_status, const std::string& message,
                const std::function<net::HttpResponse()>& response,
                const std::function<std::string()>& sse_event) {
  std::function<void()> abort;
  std::shared_ptr<net::ResponseStream> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (responded_) return;
    responded_ = true;
    abort = on_abort_;
    if (stream_mode_) {
      WriteLocked(sse_event());
      WriteLocked("data: [DONE]\n\n");
      s = stream_;
    }
  }
  if (s) s->Close();
  if (!stream_mode_) exchange_->Respond(response());
  if (abort) abort();
  (void)http_status;
  (void)message;
}

}  // namespace kt::serving
