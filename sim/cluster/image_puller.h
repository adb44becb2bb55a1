// ImagePuller: one node's image store and pull queue. Pulls take size / bandwidth (a manifest
// check for an image the node has when the pull policy is Always); with serialized pulls (the
// kubelet default) one image downloads at a time and the rest wait their turn. Concurrent
// requests for the same image share one pull. Pulls fail for images the catalog marks
// unpullable, and when the fault point cluster.image_pull_fail fires (part-way through).
//
// Thread-safety: under the ClusterLoop's lock.
#ifndef KT_SIM_CLUSTER_IMAGE_PULLER_H_
#define KT_SIM_CLUSTER_IMAGE_PULLER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/cluster/cluster_loop.h"
#include "sim/cluster/kubelet_options.h"

namespace kt::sim::cluster {

class ImagePuller {
 public:
  // `pulling`: time spent downloading; `waited`: from the request to the end (queue included).
  using Done = std::function<void(const Status& status, Duration pulling, Duration waited)>;
  using Ticket = uint64_t;

  ImagePuller(ClusterLoop& loop, const KubeletOptions& options, std::string node_name);
  ~ImagePuller();

  bool Has(const std::string& normalized_image) const { return images_.count(normalized_image) > 0; }
  // Requests `normalized_image` (`size_bytes` to download; `pull_error` non-empty: the pull
  // fails with it). `refresh`: the node has the image and only checks the registry.
  Ticket Pull(const std::string& normalized_image, int64_t size_bytes,
              const std::string& pull_error, bool refresh, Done done);
  // Forgets a request; its Done never runs.
  void Cancel(Ticket ticket);

  // Images on the node and their sizes.
  const std::map<std::string, int64_t>& images() const { return images_; }
  size_t queued() const { return queue_.size(); }

 private:
  struct Waiter {
    Ticket ticket;
    Time asked;
    Done done;
  };
  struct Job {
    std::string image;
    int64_t size_bytes = 0;
    std::string pull_error;
    bool refresh = false;
    std::vector<Waiter> waiters;
    Time started;
    ClusterLoop::TimerId timer = ClusterLoop::kNoTimer;
  };
  void StartNext();
  void Finish(const std::string& image, Status status);
  Duration PullTime(const Job& job) const;

  ClusterLoop& loop_;
  const KubeletOptions& options_;
  const std::string node_name_;
  std::map<std::string, int64_t> images_;
  std::map<std::string, Job> jobs_;     // by image: queued or running
  std::deque<std::string> queue_;       // images waiting to start
  int running_ = 0;
  Ticket next_ticket_ = 1;
};

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_IMAGE_PULLER_H_
