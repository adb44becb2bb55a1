// FaultSite: one fault point (a BUGGIFY site) with the probability it fires at once enabled,
// declared together so a call site cannot pair a name with another site's probability.
// Whether a site is enabled at all is decided per seed by the Env (see base/sim_env.h); under
// RealEnv no site ever fires.
#ifndef KT_BASE_FAULT_SITE_H_
#define KT_BASE_FAULT_SITE_H_

#include <string_view>

#include "base/env.h"

namespace kt {

struct FaultSite {
  std::string_view name;
  double probability;
};

inline bool Buggify(Env& env, const FaultSite& site) {
  return env.Buggify(site.name, site.probability);
}

}  // namespace kt

#endif  // KT_BASE_FAULT_SITE_H_
