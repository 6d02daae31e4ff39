#include "coordinator/server/metrics_http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "common/sha256.h"
#include "rpc/call_auth.h"

namespace augsweep {
namespace {

constexpr size_t kMaxRequestHead = 8192;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void WriteAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the scraper went away: nothing to tell it
    sent += static_cast<size_t>(n);
  }
}

std::string Response(const std::string& status, const std::string& body,
                     const std::string& extra_headers = "") {
  return "HTTP/1.1 " + status + "\r\nContent-Type: " +
         (status.rfind("200", 0) == 0 ? "text/plain; version=0.0.4; charset=utf-8"
                                      : "text/plain; charset=utf-8") +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
         "Connection: close\r\n\r\n" + body;
}

// "host:port" → host and port; the host may be a bracketed IPv6 address.
bool SplitHostPort(const std::string& address, std::string* host, std::string* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return false;
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  return !host->empty();
}

}  // namespace

StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, std::string token, std::function<std::string()> render) {
  std::string host, port;
  if (!SplitHostPort(listen, &host, &port))
    return InvalidArgumentError("--metrics-listen: expected HOST:PORT, got \"" + listen + "\"");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return InvalidArgumentError("--metrics-listen " + listen + ": " + gai_strerror(rc));
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr && server->listen_fd_ < 0; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      server->listen_fd_ = fd;
    } else {
      error = std::strerror(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (server->listen_fd_ < 0)
    return UnavailableError("--metrics-listen " + listen + ": cannot listen: " + error);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  char bound_port[16] = "";
  getnameinfo(reinterpret_cast<sockaddr*>(&bound), length, nullptr, 0, bound_port,
              sizeof(bound_port), NI_NUMERICSERV);
  server->address_ = listen.substr(0, listen.rfind(':')) + ":" + bound_port;
  if (!token.empty()) server->token_digest_ = Sha256Hex(token);
  server->render_ = std::move(render);
  server->thread_ = std::thread([s = server.get()] { s->Serve(); });
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

void MetricsHttpServer::Serve() {
  while (!stopping_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (poll(&waiting, 1, 200) <= 0) continue;  // a timeout checks stopping_ again
    const int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    // A scraper that stalls must not hold the thread: 5 s to send its head, 5 s to read ours.
    const timeval timeout{5, 0};
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    Answer(connection);
    close(connection);
  }
}

void MetricsHttpServer::Answer(int connection) const {
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > kMaxRequestHead) {
      WriteAll(connection,
               Response("431 Request Header Fields Too Large", "request head too large\n"));
      return;
    }
    const ssize_t n = recv(connection, buf, sizeof(buf), 0);
    if (n <= 0) return;  // closed or timed out before a whole head
    head.append(buf, static_cast<size_t>(n));
  }
  const std::string request_line = head.substr(0, head.find("\r\n"));
  const size_t first_space = request_line.find(' ');
  const size_t second_space = request_line.find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) {
    WriteAll(connection, Response("400 Bad Request", "bad request line\n"));
    return;
  }
  const std::string method = request_line.substr(0, first_space);
  std::string path = request_line.substr(first_space + 1, second_space - first_space - 1);
  path = path.substr(0, path.find('?'));
  if (method != "GET" && method != "HEAD") {
    WriteAll(connection, Response("405 Method Not Allowed", "only GET\n", "Allow: GET, HEAD\r\n"));
    return;
  }
  if (!token_digest_.empty()) {
    std::string presented;
    for (size_t pos = head.find("\r\n") + 2; pos < head.size();) {
      const size_t end = head.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;
      const std::string line = head.substr(pos, end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos && Lower(line.substr(0, colon)) == "authorization") {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (Lower(value.substr(0, 7)) == "bearer ") presented = value.substr(7);
      }
      pos = end + 2;
    }
    while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\t'))
      presented.pop_back();
    if (!ConstantTimeEquals(Sha256Hex(presented), token_digest_)) {
      WriteAll(connection, Response("401 Unauthorized", "a bearer token is required\n",
                                    "WWW-Authenticate: Bearer realm=\"augsweep\"\r\n"));
      return;
    }
  }
  if (path != "/metrics") {
    WriteAll(connection, Response("404 Not Found", "only /metrics\n"));
    return;
  }
  std::string response = Response("200 OK", render_());
  if (method == "HEAD") response = response.substr(0, response.find("\r\n\r\n") + 4);
  WriteAll(connection, response);
}

}  // namespace augsweep
