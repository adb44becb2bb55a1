#include "sim/cluster/image_puller.h"

#include <algorithm>

#include "base/json.h"
#include "base/trace.h"
#include "sim/cluster/fault_sites.h"

namespace kt::sim::cluster {

ImagePuller::ImagePuller(ClusterLoop& loop, const KubeletOptions& options, std::string node_name)
    : loop_(loop), options_(options), node_name_(std::move(node_name)) {}

ImagePuller::~ImagePuller() {
  for (auto& [image, job] : jobs_) loop_.Cancel(job.timer);
}

Duration ImagePuller::PullTime(const Job& job) const {
  if (job.refresh) return options_.image_registry_check;
  double bps = options_.image_pull_bytes_per_second > 0 ? options_.image_pull_bytes_per_second : 1e9;
  Duration d = FromSeconds(static_cast<double>(job.size_bytes) / bps);
  // A pull always costs at least the registry round trips.
  return std::max(d, options_.image_registry_check);
}

ImagePuller::Ticket ImagePuller::Pull(const std::string& normalized_image, int64_t size_bytes,
                                      const std::string& pull_error, bool refresh, Done done) {
  Ticket t = next_ticket_++;
  auto it = jobs_.find(normalized_image);
  if (it == jobs_.end()) {
    Job job;
    job.image = normalized_image;
    job.size_bytes = size_bytes;
    job.pull_error = pull_error;
    job.refresh = refresh;
    it = jobs_.emplace(normalized_image, std::move(job)).first;
    queue_.push_back(normalized_image);
  } else if (!refresh) {
    it->second.refresh = false;  // a real download is needed by someone
  }
  it->second.waiters.push_back({t, loop_.Now(), std::move(done)});
  StartNext();
  return t;
}

void ImagePuller::Cancel(Ticket ticket) {
  for (auto& [image, job] : jobs_) {
    auto& ws = job.waiters;
    auto w = std::find_if(ws.begin(), ws.end(), [&](const Waiter& x) { return x.ticket == ticket; });
    if (w != ws.end()) {
      ws.erase(w);
      return;
    }
  }
}

void ImagePuller::StartNext() {
  const int parallel_max = options_.serialize_image_pulls ? 1 : 1 << 20;
  while (running_ < parallel_max && !queue_.empty()) {
    std::string image = queue_.front();
    queue_.pop_front();
    auto it = jobs_.find(image);
    if (it == jobs_.end()) continue;
    Job& job = it->second;
    if (job.waiters.empty()) {  // everyone cancelled while it waited
      jobs_.erase(it);
      continue;
    }
    ++running_;
    job.started = loop_.Now();
    Env& env = loop_.env();
    Duration total = PullTime(job);
    if (!job.pull_error.empty()) {
      job.timer = loop_.After(options_.image_registry_check, [this, image] {
        auto j = jobs_.find(image);
        std::string err = j == jobs_.end() ? "" : j->second.pull_error;
        Finish(image, Unavailable("rpc error: code = NotFound desc = failed to pull and unpack image \"" +
                                  image + "\": failed to resolve reference \"" + image + "\": " +
                                  image + ": " + err));
      });
    } else if (!job.refresh &&
               Buggify(env, faults::kImagePullFail)) {
      env.trace().Record(env.Now(), "cluster.fault",
                         Json{{"site", std::string(faults::kImagePullFail.name)}, {"node", node_name_}, {"image", image}});
      double frac = env.Random("cluster/image_pull").Uniform();
      job.timer = loop_.After(FromSeconds(ToSeconds(total) * frac), [this, image] {
        Finish(image, Unavailable("rpc error: code = Canceled desc = failed to pull and unpack image \"" +
                                  image + "\": failed to copy: httpReadSeeker: failed open: "
                                  "failed to do request: read tcp: connection reset by peer"));
      });
    } else {
      job.timer = loop_.After(total, [this, image] { Finish(image, Status::Ok()); });
    }
  }
}

void ImagePuller::Finish(const std::string& image, Status status) {
  auto it = jobs_.find(image);
  if (it == jobs_.end()) return;
  Job job = std::move(it->second);
  jobs_.erase(it);
  --running_;
  const Time now = loop_.Now();
  if (status.ok()) images_[image] = job.size_bytes;
  for (auto& w : job.waiters) {
    w.done(status, now - job.started, now - w.asked);
  }
  StartNext();
}

}  // namespace kt::sim::cluster
