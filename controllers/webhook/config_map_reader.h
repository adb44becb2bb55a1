// How the webhook reads ConfigMaps (the inference config and the tuning config it validates).
//
// Kaito's webhook reads them with its controller-runtime client; here a small interface keeps
// the validators pure and testable:
//   KubeClientConfigMapReader - reads through an api::KubeClient (the manager's HTTP client, or
//                               the twin's in-process client);
//   StaticConfigMapReader     - an in-memory set (tests; a twin that has no API server yet).
// GetConfigMap returns the ConfigMap object, NotFound when absent, another Status on failure.
// Implementations used by the HTTPS server must be thread-safe: the static reader is immutable
// after setup, and KubeClient implementations are thread-safe by contract.
#ifndef KT_CONTROLLERS_WEBHOOK_CONFIG_MAP_READER_H_
#define KT_CONTROLLERS_WEBHOOK_CONFIG_MAP_READER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/json_fwd.h"
#include "base/status.h"

namespace kt::api {
class KubeClient;
}  // namespace kt::api

namespace kt::webhook {

class ConfigMapReader {
 public:
  virtual ~ConfigMapReader() = default;
  virtual Result<Json> GetConfigMap(std::string_view ns, std::string_view name) = 0;
};

class KubeClientConfigMapReader : public ConfigMapReader {
 public:
  // REQUIRES: client outlives the reader.
  explicit KubeClientConfigMapReader(api::KubeClient& client) : client_(client) {}
  Result<Json> GetConfigMap(std::string_view ns, std::string_view name) override;

 private:
  api::KubeClient& client_;
};

class StaticConfigMapReader : public ConfigMapReader {
 public:
  // Adds or replaces a ConfigMap (keyed by metadata.namespace/name). Not thread-safe; set up
  // before sharing.
  void Put(const Json& config_map);
  Result<Json> GetConfigMap(std::string_view ns, std::string_view name) override;

 private:
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const Json>> maps_;
};

}  // namespace kt::webhook

#endif  // KT_CONTROLLERS_WEBHOOK_CONFIG_MAP_READER_H_
