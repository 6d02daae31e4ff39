// rpc/'s security rules without a network: which addresses count as loopback, when plaintext is
// refused, and the constant-time comparison behind the role check (the role check itself is
// tested against a running coordinator: tests/integration/auth_matrix_check.cc).
#include "rpc/transport_security.h"

#include <gtest/gtest.h>

#include "rpc/call_auth.h"

namespace augsweep {
namespace {

TEST(TransportSecurityTest, LoopbackAddresses) {
  for (const char* a : {"127.0.0.1:7070", "127.1.2.3:1", "localhost:7070", "[::1]:7070", "::1"})
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  for (const char* a : {"0.0.0.0:7070", "[::]:7070", "10.0.0.5:7070", "node7:7070",
                        "localhost.example.org:1", "128.0.0.1:1"})
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
}

TEST(TransportSecurityTest, PlaintextOffLoopbackIsRefusedUnlessInsecure) {
  DialCredentials plain;
  plain.token = std::string(64, 'a');
  EXPECT_TRUE(MakeChannelCredentials("127.0.0.1:7070", plain).ok());
  StatusOr<std::shared_ptr<grpc::ChannelCredentials>> refused =
      MakeChannelCredentials("node7:7070", plain);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("--credentials"), std::string::npos);
  EXPECT_EQ(refused.status().message().find(plain.token), std::string::npos);
  plain.insecure = true;
  EXPECT_TRUE(MakeChannelCredentials("node7:7070", plain).ok());
}

TEST(TransportSecurityTest, ListeningOffLoopbackNeedsTlsAndTokensOrInsecure) {
  ServeCredentials none;
  EXPECT_TRUE(CheckListenSecurity("127.0.0.1:0", none, false).ok());
  Status refused = CheckListenSecurity("0.0.0.0:7070", none, false);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("--insecure"), std::string::npos);
  EXPECT_TRUE(CheckListenSecurity("0.0.0.0:7070", none, true).ok());
  ServeCredentials tokens_only;
  tokens_only.client_token = "c";
  tokens_only.worker_token = "w";
  EXPECT_FALSE(CheckListenSecurity("0.0.0.0:7070", tokens_only, false).ok()) << "no TLS";
  ServeCredentials tls_only;
  tls_only.cert_pem = "cert";
  tls_only.key_pem = "key";
  EXPECT_FALSE(CheckListenSecurity("0.0.0.0:7070", tls_only, false).ok()) << "no tokens";
  ServeCredentials both = tls_only;
  both.client_token = "c";
  both.worker_token = "w";
  EXPECT_TRUE(CheckListenSecurity("0.0.0.0:7070", both, false).ok());
}

TEST(TransportSecurityTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("bbc", "abc"));
}

}  // namespace
}  // namespace augsweep
