// InitCredentials (security/credentials.h): the study's own certificate authority and the
// certificates and tokens it hands out, made with OpenSSL's libcrypto.
#include <arpa/inet.h>
#include <dirent.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "security/credentials.h"
#include "security/private_files.h"

namespace augsweep {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;

Status CryptoError(const std::string& what) {
  return InternalError("making the credentials: " + what + " failed (OpenSSL)");
}

StatusOr<KeyPtr> NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return CryptoError("generating a P-256 key");
  return key;
}

// One X.509v3 extension, in OpenSSL's configuration syntax ("critical,CA:TRUE").
Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return CryptoError("the certificate extension " + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? OkStatus() : CryptoError("adding the extension " + value);
}

struct CertificateRequest {
  std::string common_name;
  EVP_PKEY* key = nullptr;  // the subject's
  X509* issuer = nullptr;   // null: self-signed (the CA)
  EVP_PKEY* issuer_key = nullptr;
  int valid_days = 0;
  std::vector<std::pair<int, std::string>> extensions;
};

StatusOr<CertPtr> IssueCertificate(const CertificateRequest& r) {
  CertPtr cert(X509_new());
  std::unique_ptr<BIGNUM, Deleter> serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      // An hour back: a node whose clock lags the one that made the certificate still accepts it.
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), r.valid_days, 0, nullptr) == nullptr ||
      X509_set_pubkey(cert.get(), r.key) != 1) {
    return CryptoError("filling in the certificate of " + r.common_name);
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("augsweep"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(r.common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return CryptoError("naming the certificate " + r.common_name);
  }
  X509* issuer = r.issuer != nullptr ? r.issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1)
    return CryptoError("naming the issuer of " + r.common_name);
  for (const auto& [nid, value] : r.extensions) {
    AUGSWEEP_RETURN_IF_ERROR(AddExtension(cert.get(), issuer, nid, value));
  }
  EVP_PKEY* signer = r.issuer_key != nullptr ? r.issuer_key : r.key;
  if (X509_sign(cert.get(), signer, EVP_sha256()) == 0)
    return CryptoError("signing the certificate of " + r.common_name);
  return cert;
}

// The text of a BIO filled by a PEM_write_bio_* call.
StatusOr<std::string> Pem(const std::function<int(BIO*)>& write, const std::string& what) {
  std::unique_ptr<BIO, Deleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return CryptoError("encoding " + what);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

StatusOr<std::string> CertPem(X509* cert) {
  return Pem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); }, "a certificate");
}

StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  return Pem(
      [key](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
      },
      "a private key");
}

// "DNS:host" or "IP:10.0.0.5" for each name, as a subjectAltName value.
std::string SubjectAltNames(const std::vector<std::string>& names) {
  std::string san;
  for (const std::string& n : names) {
    unsigned char address[16];
    const bool ip =
        inet_pton(AF_INET, n.c_str(), address) == 1 || inet_pton(AF_INET6, n.c_str(), address) == 1;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + n;
  }
  return san;
}

Status CheckServerName(const std::string& name) {
  if (name.empty() || name.size() > 253 ||
      name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:*") !=
          std::string::npos) {
    return InvalidArgumentError("\"" + name +
                                "\" is not a host name or IP address for the server certificate "
                                "(letters, digits, '.', '-', ':' only)");
  }
  return OkStatus();
}

Status RequireEmptyOrAbsent(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return OkStatus();  // absent (or unreadable: creating it will say why)
  bool empty = true;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") empty = false;
  }
  closedir(d);
  if (!empty) {
    return FailedPreconditionError("the credentials folder " + dir +
                                   " already holds files; credentials are never overwritten "
                                   "(name a new folder, or remove this one first)");
  }
  return OkStatus();
}

// A folder of the layout with its files, all owner-only.
Status WriteFolder(const std::string& dir,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  AUGSWEEP_RETURN_IF_ERROR(EnsureOwnerOnlyDirectory(dir, "the credentials folder"));
  for (const auto& [name, contents] : files) {
    AUGSWEEP_RETURN_IF_ERROR(WriteOwnerOnlyFile(dir + "/" + name, contents));
  }
  return OkStatus();
}

}  // namespace

Status InitCredentials(const CredentialsRequest& request) {
  if (request.valid_days < 1) return InvalidArgumentError("certificates must be valid >= 1 day");
  std::vector<std::string> names = {kCoordinatorCertificateName, "localhost", "127.0.0.1", "::1"};
  for (const std::string& n : request.server_names) {
    AUGSWEEP_RETURN_IF_ERROR(CheckServerName(n));
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  AUGSWEEP_RETURN_IF_ERROR(RequireEmptyOrAbsent(request.dir));
  AUGSWEEP_RETURN_IF_ERROR(EnsureOwnerOnlyDirectory(request.dir, "the credentials folder"));

  AUGSWEEP_ASSIGN_OR_RETURN(KeyPtr ca_key, NewKey());
  AUGSWEEP_ASSIGN_OR_RETURN(
      CertPtr ca, IssueCertificate({"augsweep study CA",
                                    ca_key.get(),
                                    nullptr,
                                    nullptr,
                                    3650,
                                    {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                     {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                     {NID_subject_key_identifier, "hash"}}}));
  AUGSWEEP_ASSIGN_OR_RETURN(KeyPtr server_key, NewKey());
  AUGSWEEP_ASSIGN_OR_RETURN(CertPtr server,
                            IssueCertificate({kCoordinatorCertificateName,
                                              server_key.get(),
                                              ca.get(),
                                              ca_key.get(),
                                              request.valid_days,
                                              {{NID_basic_constraints, "critical,CA:FALSE"},
                                               {NID_key_usage, "critical,digitalSignature"},
                                               {NID_ext_key_usage, "serverAuth"},
                                               {NID_subject_alt_name, SubjectAltNames(names)},
                                               {NID_authority_key_identifier, "keyid"}}}));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string ca_pem, CertPem(ca.get()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string ca_key_pem, KeyPem(ca_key.get()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string server_pem, CertPem(server.get()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string server_key_pem, KeyPem(server_key.get()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string client_token, NewRandomToken());
  AUGSWEEP_ASSIGN_OR_RETURN(std::string worker_token, NewRandomToken());

  AUGSWEEP_RETURN_IF_ERROR(
      WriteFolder(request.dir + "/ca", {{"ca.pem", ca_pem}, {"ca.key", ca_key_pem}}));
  AUGSWEEP_RETURN_IF_ERROR(
      WriteFolder(request.dir + "/coordinator", {{"ca.pem", ca_pem},
                                                 {"server.pem", server_pem},
                                                 {"server.key", server_key_pem},
                                                 {"client.token", client_token + "\n"},
                                                 {"worker.token", worker_token + "\n"}}));
  for (Role role : {Role::kWorker, Role::kClient}) {
    const std::string name = RoleName(role);
    std::vector<std::pair<std::string, std::string>> files = {
        {"ca.pem", ca_pem},
        {"token", (role == Role::kWorker ? worker_token : client_token) + "\n"},
        {"server-name", std::string(kCoordinatorCertificateName) + "\n"}};
    if (request.client_certificates) {
      AUGSWEEP_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
      AUGSWEEP_ASSIGN_OR_RETURN(CertPtr cert,
                                IssueCertificate({"augsweep " + name,
                                                  key.get(),
                                                  ca.get(),
                                                  ca_key.get(),
                                                  request.valid_days,
                                                  {{NID_basic_constraints, "critical,CA:FALSE"},
                                                   {NID_key_usage, "critical,digitalSignature"},
                                                   {NID_ext_key_usage, "clientAuth"},
                                                   {NID_authority_key_identifier, "keyid"}}}));
      AUGSWEEP_ASSIGN_OR_RETURN(std::string cert_pem, CertPem(cert.get()));
      AUGSWEEP_ASSIGN_OR_RETURN(std::string key_pem, KeyPem(key.get()));
      files.push_back({"cert.pem", cert_pem});
      files.push_back({"key.pem", key_pem});
    }
    AUGSWEEP_RETURN_IF_ERROR(WriteFolder(request.dir + "/" + name, files));
  }
  return OkStatus();
}

}  // namespace augsweep
