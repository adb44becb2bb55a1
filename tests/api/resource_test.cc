// Names of API types: apiVersion strings and the paths resources are served at.
#include "api/resource.h"

#include <gtest/gtest.h>

namespace kt::api {
namespace {

TEST(ResourceTest, ApiVersionAndPathsOfCoreAndNamedGroups) {
  const GroupVersionResource pods{"", "v1", "pods"};
  const GroupVersionResource workspaces{"kaito.sh", "v1beta1", "workspaces"};
  EXPECT_EQ(pods.ApiVersion(), "v1");
  EXPECT_EQ(workspaces.ApiVersion(), "kaito.sh/v1beta1");
  EXPECT_EQ(pods.GroupResource(), "pods");
  EXPECT_EQ(workspaces.GroupResource(), "workspaces.kaito.sh");
  EXPECT_EQ(pods.ObjectPath("default", "p", "status"), "/api/v1/namespaces/default/pods/p/status");
  EXPECT_EQ(workspaces.CollectionPath(""), "/apis/kaito.sh/v1beta1/workspaces");
}

// IsApiVersion(x) is ApiVersion() == x, for any x.
TEST(ResourceTest, IsApiVersionAgreesWithApiVersion) {
  const GroupVersionResource pods{"", "v1", "pods"};
  const GroupVersionResource workspaces{"kaito.sh", "v1beta1", "workspaces"};
  for (const GroupVersionResource* gvr : {&pods, &workspaces}) {
    for (std::string_view av :
         {"", "v1", "v1beta1", "kaito.sh/v1beta1", "kaito.sh/v1alpha1", "kaito.shv1beta1",
          "kaito.sh/v1beta1x", "xkaito.sh/v1beta1", "kaito.s/hv1beta1", "/v1", "apps/v1", "v2"}) {
      EXPECT_EQ(gvr->IsApiVersion(av), gvr->ApiVersion() == av) << gvr->ApiVersion() << " vs " << av;
    }
  }
}

TEST(ResourceTest, ParseApiVersionSplitsGroupAndVersion) {
  EXPECT_EQ(*ParseApiVersion("apps/v1"), std::make_pair(std::string("apps"), std::string("v1")));
  EXPECT_EQ(*ParseApiVersion("v1"), std::make_pair(std::string(), std::string("v1")));
  for (std::string_view bad : {"", "/v1", "apps/", "a/b/c"}) {
    EXPECT_FALSE(ParseApiVersion(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kt::api
