// security/: owner-only files and folders, the credentials folders InitCredentials lays out, and
// the certificates in them (read back with OpenSSL and verified against the CA).
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/read_file.h"
#include "security/credentials.h"
#include "security/private_files.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

void WriteFile(const fs::path& p, const std::string& text, mode_t mode) {
  std::ofstream(p) << text;
  ASSERT_EQ(chmod(p.c_str(), mode), 0);
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("augsweep-security-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    old_umask_ = umask(022);  // a shared cluster's usual umask: the code must not rely on it
  }
  void TearDown() override {
    umask(old_umask_);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  mode_t old_umask_ = 0;
};

TEST_F(SecurityTest, MissingDirectoriesAreCreatedOwnerOnlyWhateverTheUmask) {
  const fs::path data = dir_ / "a" / "b" / "data";
  ASSERT_TRUE(EnsureOwnerOnlyDirectory(data.string(), "the data directory").ok());
  EXPECT_EQ(ModeOf(data), 0700);
  EXPECT_EQ(ModeOf(dir_ / "a"), 0700) << "missing parents too";
  // Again on the existing folder: fine.
  EXPECT_TRUE(EnsureOwnerOnlyDirectory(data.string(), "the data directory").ok());
}

TEST_F(SecurityTest, AnExistingDirectoryOpenToOthersIsRefusedWithTheFix) {
  const fs::path data = dir_ / "data";
  fs::create_directory(data);
  ASSERT_EQ(chmod(data.c_str(), 0750), 0);
  Status s = EnsureOwnerOnlyDirectory(data.string(), "the data directory");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("the data directory " + data.string() +
                             " is open to other users "
                             "(mode 0750)"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("chmod -R go-rwx " + data.string()), std::string::npos);
  EXPECT_EQ(ModeOf(data), 0750) << "refused, not changed behind the user's back";

  WriteFile(dir_ / "file", "x", 0600);
  EXPECT_EQ(EnsureOwnerOnlyDirectory((dir_ / "file").string(), "the data directory").code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SecurityTest, SecretsOthersMayReadAreRefused) {
  WriteFile(dir_ / "token", "secret", 0600);
  StatusOr<std::string> ok = ReadOwnerOnlyFile((dir_ / "token").string(), "the token file");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, "secret");
  for (mode_t open : {0640, 0604, 0620, 0602}) {
    ASSERT_EQ(chmod((dir_ / "token").c_str(), open), 0);
    StatusOr<std::string> refused = ReadOwnerOnlyFile((dir_ / "token").string(), "the token file");
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << std::oct << open;
    EXPECT_NE(refused.status().message().find("chmod 600 " + (dir_ / "token").string()),
              std::string::npos);
    EXPECT_EQ(refused.status().message().find("secret"), std::string::npos)
        << "the error never shows the secret";
  }
  EXPECT_EQ(ReadOwnerOnlyFile((dir_ / "absent").string(), "the token file").status().code(),
            StatusCode::kNotFound);
}

TEST_F(SecurityTest, OwnerOnlyFilesReplaceAnOpenFileAtomically) {
  WriteFile(dir_ / "address", "old", 0644);
  ASSERT_TRUE(WriteOwnerOnlyFile((dir_ / "address").string(), "host:1\n").ok());
  EXPECT_EQ(ModeOf(dir_ / "address"), 0600);
  EXPECT_EQ(*ReadWholeFile((dir_ / "address").string()), "host:1\n");
  EXPECT_FALSE(fs::exists(dir_ / "address.tmp"));
}

TEST_F(SecurityTest, RandomTokensAre256BitsOfHexAndDiffer) {
  StatusOr<std::string> a = NewRandomToken(), b = NewRandomToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

// The certificate in `pem`, or null.
X509* ParseCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// Whether `cert_pem` verifies against `ca_pem` for `purpose` (and, when `host` is set, for it).
bool Verifies(const std::string& ca_pem, const std::string& cert_pem, int purpose,
              const std::string& host = "") {
  X509* ca = ParseCertificate(ca_pem);
  X509* cert = ParseCertificate(cert_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  // An IP address is matched against the IP entries of the certificate, a name against DNS ones.
  if (!host.empty() && X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(cert);
  X509_free(ca);
  return ok;
}

TEST_F(SecurityTest, InitCredentialsLaysOutEveryRolesFolderOwnerOnly) {
  const fs::path creds = dir_ / "creds";
  CredentialsRequest request;
  request.dir = creds.string();
  request.server_names = {"node7.cluster", "10.1.2.3"};
  request.client_certificates = true;
  ASSERT_TRUE(InitCredentials(request).ok());
  for (const auto& entry : fs::recursive_directory_iterator(creds)) {
    EXPECT_EQ(ModeOf(entry.path()) & 077, 0) << entry.path() << " is open to others";
  }
  EXPECT_EQ(ModeOf(creds), 0700);

  StatusOr<ServeCredentials> serve = LoadServeCredentials((creds / "coordinator").string(), true);
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  StatusOr<DialCredentials> worker =
      LoadDialCredentials((creds / "worker").string(), Role::kWorker);
  StatusOr<DialCredentials> client =
      LoadDialCredentials((creds / "client").string(), Role::kClient);
  ASSERT_TRUE(worker.ok() && client.ok());
  EXPECT_EQ(worker->token, serve->worker_token);
  EXPECT_EQ(client->token, serve->client_token);
  EXPECT_NE(worker->token, client->token);
  EXPECT_EQ(worker->tls_server_name, kCoordinatorCertificateName);
  EXPECT_EQ(worker->ca_pem, serve->client_ca_pem);
  EXPECT_FALSE(fs::exists(creds / "worker" / "ca.key")) << "the CA key stays in ca/";

  const std::string& ca = worker->ca_pem;
  for (const char* name :
       {"node7.cluster", "10.1.2.3", "localhost", "127.0.0.1", kCoordinatorCertificateName}) {
    EXPECT_TRUE(Verifies(ca, serve->cert_pem, X509_PURPOSE_SSL_SERVER, name)) << name;
  }
  EXPECT_FALSE(Verifies(ca, serve->cert_pem, X509_PURPOSE_SSL_SERVER, "other.host"));
  EXPECT_TRUE(Verifies(ca, worker->cert_pem, X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(Verifies(ca, worker->cert_pem, X509_PURPOSE_SSL_SERVER))
      << "a worker's certificate cannot serve as the coordinator";

  // Another study's CA does not vouch for this coordinator.
  CredentialsRequest other = request;
  other.dir = (dir_ / "other").string();
  ASSERT_TRUE(InitCredentials(other).ok());
  StatusOr<DialCredentials> stranger =
      LoadDialCredentials((dir_ / "other" / "client").string(), Role::kClient);
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(Verifies(stranger->ca_pem, serve->cert_pem, X509_PURPOSE_SSL_SERVER));

  // Never overwritten.
  Status again = InitCredentials(request);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  StatusOr<DialCredentials> after = LoadDialCredentials((creds / "worker").string(), Role::kWorker);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->token, worker->token) << "the refused init changed the worker token";
  EXPECT_EQ(after->ca_pem, worker->ca_pem);
}

TEST_F(SecurityTest, BrokenCredentialFoldersAreRefusedClearly) {
  const fs::path creds = dir_ / "creds";
  CredentialsRequest request;
  request.dir = creds.string();
  ASSERT_TRUE(InitCredentials(request).ok());
  EXPECT_FALSE(fs::exists(creds / "worker" / "cert.pem")) << "no client certificates unasked";
  // A short token.
  WriteFile(creds / "client" / "token", "short\n", 0600);
  StatusOr<DialCredentials> short_token =
      LoadDialCredentials((creds / "client").string(), Role::kClient);
  EXPECT_EQ(short_token.status().code(), StatusCode::kInvalidArgument);
  // A certificate without its key.
  WriteFile(creds / "worker" / "cert.pem", "x", 0600);
  EXPECT_EQ(LoadDialCredentials((creds / "worker").string(), Role::kWorker).status().code(),
            StatusCode::kInvalidArgument);
  // The same token for both roles.
  fs::copy_file(creds / "coordinator" / "client.token", creds / "coordinator" / "worker.token",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(LoadServeCredentials((creds / "coordinator").string(), false).status().code(),
            StatusCode::kInvalidArgument);
  // Bad server names.
  CredentialsRequest bad;
  bad.dir = (dir_ / "bad").string();
  bad.server_names = {"host name with spaces"};
  EXPECT_EQ(InitCredentials(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir_ / "bad")) << "nothing written for a refused request";
}

}  // namespace
}  // namespace augsweep
