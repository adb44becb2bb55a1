// ImageCatalog: what the kubelet twin knows about container images, as data
// (sim/cluster/data/images.yaml, compiled in; a scenario may load its own): per image-name
// pattern the download size, how long the app needs until it is healthy (model load), the GPU
// memory it needs, how it exits on its own (never, or after run_s with exit_code), how long it
// takes to stop on SIGTERM, and a pull error for images that cannot be pulled.
//
// Patterns are globs ('*' matches any run of characters) over the normalized reference
// ("docker.io/library/nginx:1.25" for "nginx:1.25"); the first matching entry wins, and fields
// an entry leaves out come from `defaults` (`init_defaults` for init containers). An entry that
// also names a `command` glob (over the container's command line: command and args joined by
// spaces) is an overlay: for containers whose image and command line both match, its fields
// replace those of the facts found as above (a model image serves forever for inference but
// runs a finite job for tuning). The first matching overlay applies.
// Loading validates every entry and names the offending one in a BadRequest.
// Immutable after loading: thread-safe.
#ifndef KT_SIM_CLUSTER_IMAGE_CATALOG_H_
#define KT_SIM_CLUSTER_IMAGE_CATALOG_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::sim::cluster {

struct ImageFacts {
  int64_t size_bytes = 0;
  double load_s = 0;              // from container start until the app is healthy
  double gpu_memory_gib = 0;      // GPU memory the app needs (OOMKilled when the node lacks it)
  std::optional<double> run_s;    // exits on its own after this long (nullopt: runs forever)
  // A sidecar that waits for the pod's work: once every other container has exited with 0,
  // it exits with exit_code after this long (run_s is then ignored); while they run or after
  // one failed, it keeps running (as a script polling for their output file would).
  std::optional<double> exits_after_others_s;
  int exit_code = 0;              // exit code when it exits on its own
  double stop_s = 0.5;            // time to exit after SIGTERM
  int sigterm_exit_code = 0;      // exit code after SIGTERM
  std::string pull_error;         // non-empty: every pull fails with this message
  std::string pattern;            // the entry that matched ("" = defaults)
};

class ImageCatalog {
 public:
  ImageCatalog() = default;
  static Result<ImageCatalog> Parse(std::string_view yaml_text);
  static Result<ImageCatalog> LoadEmbedded();
  static Result<ImageCatalog> LoadFile(const std::string& path);

  // Facts for `image` (as written in a pod spec) run with `command_line` (see CommandLine()).
  ImageFacts Lookup(std::string_view image, std::string_view command_line,
                    bool init_container) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string pattern;
    std::string command;  // non-empty: an overlay for command lines matching this glob
    std::shared_ptr<const Json> overlay;  // an overlay's fields, as written
    ImageFacts regular;  // the entry over `defaults`
    ImageFacts init;     // the entry over `init_defaults`
  };
  // Overlays the fields `j` sets onto `base`.
  static Result<ImageFacts> ParseFacts(const Json& j, const ImageFacts& base,
                                       std::string_view what);
  std::vector<Entry> entries_;
  ImageFacts defaults_;
  ImageFacts init_defaults_;
};

// "nginx" -> "docker.io/library/nginx:latest", "foo/bar:1" -> "docker.io/foo/bar:1",
// "mcr.microsoft.com/x:1" unchanged; digests kept.
std::string NormalizeImage(std::string_view image);
// True when the reference has no tag and no digest, or the tag "latest" (the API server
// defaults imagePullPolicy to Always for those).
bool IsLatestTag(std::string_view image);
// '*' glob match.
bool GlobMatch(std::string_view pattern, std::string_view text);
// A stable fake digest of an image: "sha256:<64 hex>".
std::string ImageDigest(std::string_view normalized_image);
// "docker.io/library/nginx@sha256:..." (what containerStatuses[].imageID shows).
std::string ImageId(std::string_view normalized_image);

}  // namespace kt::sim::cluster

#endif  // KT_SIM_CLUSTER_IMAGE_CATALOG_H_
