// Pieces of the pod specs Kaito generates (pkg/utils/common.go, pkg/workspace/image @v0.4.6),
// shared by the inference workloads and the tuning Job. Each returns Kubernetes JSON.
//
//   Tolerations          nvidia.com/gpu Exists NoSchedule; sku=gpu Equal NoSchedule
//   RequiredNodeAffinity a required nodeSelectorTerm with `key In [value]` per matchLabels pair
//                        (null when there are none: an empty term is invalid)
//   ShmVolume            "dshm": emptyDir medium Memory, mounted at /dev/shm
//   ConfigVolume         "config-volume": the ConfigMap's `key`, mounted at /mnt/config
//   PullSecretVolume     "docker-config-<name>": projected .dockerconfigjson of each secret as
//                        <secret>.json, mounted at /root/.docker/config.d/<name>
//   PullerContainer      skopeo init container that copies an image's /data into a directory
//
// Pure functions. An internal header of the manifest builders (their .cc files build JSON
// anyway), so it includes base/json.h for the VolumeAndMount pair.
#ifndef KT_CONTROLLERS_WORKSPACE_POD_PARTS_H_
#define KT_CONTROLLERS_WORKSPACE_POD_PARTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"
#include "base/json.h"

namespace kt::workspace {

inline constexpr std::string_view kPullerImage = "quay.io/skopeo/stable:v1.18.0-immutable";
inline constexpr std::string_view kAdapterVolumeName = "adapter-volume";
inline constexpr std::string_view kAdapterMountPath = "/mnt/adapter";

struct VolumeAndMount {
  Json volume;
  Json mount;
};

Json Tolerations();
Json RequiredNodeAffinity(const api::Labels& match_labels);
VolumeAndMount ShmVolume();
VolumeAndMount ConfigVolume(std::string_view config_map, std::string_view key);
VolumeAndMount EmptyDirVolume(std::string_view name, std::string_view mount_path);
VolumeAndMount PullSecretVolume(std::string_view name, const std::vector<std::string>& secrets);
// An init container named `name` that pulls `image` and extracts its data/ directory into
// `output_dir`.
Json PullerContainer(std::string_view name, std::string_view image, std::string_view output_dir);

}  // namespace kt::workspace

#endif  // KT_CONTROLLERS_WORKSPACE_POD_PARTS_H_
