#include "rpc/transport_security.h"

#include <grpcpp/support/client_interceptor.h>

namespace augsweep {
namespace {

// The host of "host:port", "[v6]:port" or "v6" without a port.
std::string HostOf(const std::string& address) {
  if (!address.empty() && address[0] == '[') {
    const size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || address.find(':') != colon) return address;  // bare v6
  return address.substr(0, colon);
}

class BearerTokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerTokenFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenFactory(const std::string& token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerTokenInterceptor(&header_);
  }

 private:
  const std::string header_;  // lives as long as the channel that owns the factory
};

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  const std::string host = HostOf(address);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const std::string& address, const DialCredentials& dial) {
  if (dial.ca_pem.empty()) {
    if (!IsLoopbackAddress(address) && !dial.insecure) {
      return FailedPreconditionError(
          "refusing to talk to " + address +
          " without TLS: give --credentials DIR (a folder with ca.pem and token, made by "
          "augsweep-coordinator --init-credentials), or --insecure on a network you trust "
          "entirely");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = dial.ca_pem;
  tls.pem_cert_chain = dial.cert_pem;
  tls.pem_private_key = dial.key_pem;
  return grpc::SslCredentials(tls);
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
BearerTokenInterceptors(const std::string& token) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> list;
  if (!token.empty()) list.push_back(std::make_unique<BearerTokenFactory>(token));
  return list;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServeCredentials& serve) {
  if (serve.cert_pem.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions tls(
      serve.client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                  : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = serve.client_ca_pem;
  tls.pem_key_cert_pairs.push_back({serve.key_pem, serve.cert_pem});
  return grpc::SslServerCredentials(tls);
}

Status CheckListenSecurity(const std::string& listen, const ServeCredentials& serve,
                           bool insecure) {
  if (IsLoopbackAddress(listen) || insecure) return OkStatus();
  if (!serve.protects()) {
    return FailedPreconditionError(
        "refusing to listen on " + listen +
        " without TLS and tokens: anyone who reaches that port could read the dataset and the "
        "results. Give --credentials DIR (made by augsweep-coordinator --init-credentials DIR), "
        "listen on 127.0.0.1, or pass --insecure on a network you trust entirely");
  }
  return OkStatus();
}

}  // namespace augsweep
