// Loading where the API server is and how to authenticate: kubeconfig current-context and
// named contexts; token, tokenFile, client certificate and CA as inline base64 data or as files
// relative to the kubeconfig; insecure-skip-tls-verify; the in-cluster service account (with a
// test directory); and a clear error for every unsupported or broken configuration.
#include "controllers/runtime/rest_config.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "tests/controllers/runtime/temp_dir.h"

namespace kt::ctrl {
namespace {

using testing::TempDir;

std::string Kubeconfig(const std::string& cluster_extra, const std::string& user_extra,
                       const std::string& current = "twin") {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: " + current + "\n"
         "clusters:\n"
         "- name: twin-cluster\n"
         "  cluster:\n"
         "    server: https://127.0.0.1:6443\n" + cluster_extra +
         "- name: other-cluster\n"
         "  cluster:\n"
         "    server: http://10.0.0.9:8080\n"
         "users:\n"
         "- name: twin-user\n"
         "  user:\n" + user_extra +
         "- name: nobody\n"
         "  user: {}\n"
         "contexts:\n"
         "- name: twin\n"
         "  context: {cluster: twin-cluster, user: twin-user, namespace: kaito}\n"
         "- name: other\n"
         "  context: {cluster: other-cluster, user: nobody}\n";
}

TEST(RestConfigTest, TokenAndInlineCaFromTheCurrentContext) {
  const std::string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto rc = ParseKubeconfig(
      Kubeconfig("    certificate-authority-data: " + Base64Encode(ca) + "\n",
                 "    token: s3cr3t\n"),
      "/nowhere");
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "https://127.0.0.1:6443");
  EXPECT_EQ(rc->ca_pem, ca);
  EXPECT_EQ(rc->bearer_token, "s3cr3t");
  EXPECT_EQ(rc->ns, "kaito");
  EXPECT_FALSE(rc->insecure_skip_tls_verify);
}

TEST(RestConfigTest, ClientCertificateAndCaFilesAreRelativeToTheKubeconfig) {
  TempDir dir;
  dir.Write("pki/ca.crt", "CA-PEM");
  dir.Write("pki/client.crt", "CERT-PEM");
  dir.Write("pki/client.key", "KEY-PEM");
  const std::string path = dir.Write(
      "config", Kubeconfig("    certificate-authority: pki/ca.crt\n",
                           "    client-certificate: pki/client.crt\n"
                           "    client-key: " + dir.path() + "/pki/client.key\n"));
  auto rc = LoadKubeconfig(path);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->ca_pem, "CA-PEM");
  EXPECT_EQ(rc->client_cert_pem, "CERT-PEM");
  EXPECT_EQ(rc->client_key_pem, "KEY-PEM");
  EXPECT_TRUE(rc->bearer_token.empty());
}

TEST(RestConfigTest, InlineClientCertificateDataAndTokenFile) {
  TempDir dir;
  dir.Write("token", "file-token\n");
  auto rc = ParseKubeconfig(
      Kubeconfig("    insecure-skip-tls-verify: true\n    tls-server-name: api.internal\n",
                 "    tokenFile: token\n"
                 "    client-certificate-data: " + Base64Encode("CERT") + "\n"
                 "    client-key-data: " + Base64Encode("KEY") + "\n"),
      dir.path());
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_TRUE(rc->insecure_skip_tls_verify);
  EXPECT_EQ(rc->tls_server_name, "api.internal");
  EXPECT_EQ(rc->bearer_token_file, dir.path() + "/token");
  EXPECT_EQ(rc->client_cert_pem, "CERT");
  EXPECT_EQ(rc->client_key_pem, "KEY");
}

TEST(RestConfigTest, ANamedContextOverridesTheCurrentOne) {
  auto rc = ParseKubeconfig(Kubeconfig("", "    token: t\n"), "", "other");
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "http://10.0.0.9:8080");
  EXPECT_EQ(rc->ns, "default");
  EXPECT_TRUE(rc->bearer_token.empty());
}

TEST(RestConfigTest, BrokenOrUnsupportedKubeconfigsGiveClearErrors) {
  struct Case {
    std::string yaml;
    std::string context;
    std::string want;
  } cases[] = {
      {Kubeconfig("", "    token: t\n"), "missing", "context \"missing\" not found"},
      {Kubeconfig("", "    exec: {command: az}\n"), "", "credential plugin"},
      {Kubeconfig("", "    username: admin\n    password: pw\n"), "", "basic authentication"},
      {Kubeconfig("", "    client-certificate-data: " + Base64Encode("C") + "\n"), "",
       "needs both a client certificate and a client key"},
      {Kubeconfig("    certificate-authority-data: '%%%'\n", "    token: t\n"), "",
       "certificate-authority-data: invalid base64"},
      {Kubeconfig("    certificate-authority: /no/such/ca.crt\n", "    token: t\n"), "",
       "cannot read /no/such/ca.crt"},
      {"current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone}\n", "",
       "cluster \"gone\""},
      {"clusters: [}", "", "kubeconfig:"},
      {"apiVersion: v1\n", "", "no current-context"},
  };
  for (const Case& c : cases) {
    auto rc = ParseKubeconfig(c.yaml, "", c.context);
    ASSERT_FALSE(rc.ok()) << c.want;
    EXPECT_NE(rc.status().message().find(c.want), std::string::npos)
        << "want \"" << c.want << "\" in: " << rc.status().message();
  }
  EXPECT_TRUE(LoadKubeconfig("/no/such/kubeconfig").status().Is(StatusCode::kNotFound));
}

TEST(RestConfigTest, InClusterUsesTheServiceAccountFiles) {
  TempDir dir;
  dir.Write("token", "sa-token");
  dir.Write("ca.crt", "SA-CA");
  dir.Write("namespace", "kaito-workspace\n");
  auto rc = InClusterConfig({.host = "10.0.0.1", .port = "443", .service_account_dir = dir.path()});
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "https://10.0.0.1:443");
  EXPECT_EQ(rc->bearer_token_file, dir.path() + "/token");
  EXPECT_EQ(rc->ca_pem, "SA-CA");
  EXPECT_EQ(rc->ns, "kaito-workspace");
  auto v6 = InClusterConfig({.host = "fd00::1", .port = "443", .service_account_dir = dir.path()});
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");
}

TEST(RestConfigTest, InClusterOutsideAPodOrWithoutATokenIsAnError) {
  EXPECT_NE(InClusterConfig({}).status().message().find("KUBERNETES_SERVICE_HOST"),
            std::string::npos);
  TempDir empty;
  auto rc = InClusterConfig({.host = "10.0.0.1", .port = "443", .service_account_dir = empty.path()});
  EXPECT_NE(rc.status().message().find("service-account token"), std::string::npos);
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(*Base64Decode("aGVs\nbG8"), "hello") << "whitespace and missing padding are fine";
  EXPECT_FALSE(Base64Decode("a").ok());
  EXPECT_FALSE(Base64Decode("ab=c").ok());
  EXPECT_FALSE(Base64Decode("a*bc").ok());
}

}  // namespace
}  // namespace kt::ctrl
