// The coordinator's metrics endpoint: a minimal HTTP/1.1 server in one thread that answers
// GET /metrics with Prometheus' text format. One connection at a time, request heads of at most
// 8 KiB read within 5 s, "Connection: close" on every answer; anything else is 400, 404 or 405.
// With a token, a request must carry "Authorization: Bearer TOKEN" (401 otherwise, compared in
// constant time, as digests): the port serves nobody without credentials.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace augsweep {

class MetricsHttpServer {
 public:
  // Listens on `listen` ("host:port"; port 0 picks one) and serves render() to each scrape.
  // `token` empty: no authentication (only for a loopback address; the caller checks).
  static StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& listen,
                                                            std::string token,
                                                            std::function<std::string()> render);
  ~MetricsHttpServer();  // stops the thread and closes the socket

  // "host:port" bound, the port filled in.
  const std::string& address() const { return address_; }

 private:
  MetricsHttpServer() = default;
  void Serve();
  void Answer(int connection) const;

  int listen_fd_ = -1;
  std::string address_;
  std::string token_digest_;  // SHA-256 of the token, "" without one: compared in constant time
  std::function<std::string()> render_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace augsweep
