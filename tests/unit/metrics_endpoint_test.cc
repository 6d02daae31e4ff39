// The coordinator's metrics endpoint: the Prometheus text and the HTTP server, over real sockets.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "coordinator/server/metrics_http_server.h"
#include "coordinator/server/prometheus_text.h"

namespace augsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(PrometheusTextTest, EveryFamilyWithHelpTypeAndItsSamples) {
  SchedulerStats stats;
  stats.jobs = {{JobStage::kGenerate, "succeeded", 5},
                {JobStage::kFilter, "leased", 1},
                {JobStage::kTrainEval, "ready", 7}};
  stats.sweeps = 2;
  stats.active_workers = 1;
  stats.known_workers = 3;
  for (JobStage stage : kJobStages) stats.job_seconds.emplace(stage, JobBucketsSeconds());
  stats.job_seconds.at(JobStage::kGenerate).Observe(12.5);
  stats.job_seconds.at(JobStage::kFilter).Observe(0.5);
  stats.store_write_seconds.Observe(0.004);
  stats.store_write_seconds.Observe(0.002);
  Histogram lease(LatencyBucketsSeconds());
  lease.Observe(0.0007);
  const std::string text = RenderPrometheusText(stats, lease);
  EXPECT_THAT(text, StartsWith("# HELP augsweep_jobs "));
  EXPECT_THAT(text, HasSubstr("\n# TYPE augsweep_jobs gauge\n"
                              "augsweep_jobs{kind=\"generate\",state=\"succeeded\"} 5\n"
                              "augsweep_jobs{kind=\"filter\",state=\"leased\"} 1\n"
                              "augsweep_jobs{kind=\"train_eval\",state=\"ready\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_sweeps 2\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_workers{state=\"active\"} 1\n"
                              "augsweep_workers{state=\"known\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("\n# TYPE augsweep_lease_seconds histogram\n"
                              "augsweep_lease_seconds_bucket{le=\"0.0005\"} 0\n"
                              "augsweep_lease_seconds_bucket{le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_lease_seconds_bucket{le=\"+Inf\"} 1\n"
                              "augsweep_lease_seconds_sum 0.0007\n"
                              "augsweep_lease_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_job_seconds_bucket{kind=\"generate\",le=\"10\"} 0\n"
                              "augsweep_job_seconds_bucket{kind=\"generate\",le=\"30\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_job_seconds_count{kind=\"filter\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_job_seconds_count{kind=\"train_eval\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("\naugsweep_store_write_seconds_bucket{le=\"0.0025\"} 1\n"
                              "augsweep_store_write_seconds_bucket{le=\"0.005\"} 2\n"));
  EXPECT_EQ(text.back(), '\n');
}

// One request over a fresh connection; the whole answer, or "" when the server closed at once.
std::string Exchange(const std::string& address, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  EXPECT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;)
    answer.append(buf, static_cast<size_t>(n));
  close(fd);
  return answer;
}

TEST(MetricsHttpServerTest, ServesMetricsOnlyWithTheBearerToken) {
  int renders = 0;
  auto server = MetricsHttpServer::Start("127.0.0.1:0", "s3cret-token", [&renders] {
    ++renders;
    return std::string("augsweep_sweeps 1\n");
  });
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string address = (*server)->address();
  ASSERT_THAT(address, StartsWith("127.0.0.1:"));
  EXPECT_NE(address, "127.0.0.1:0");

  const std::string ok = Exchange(
      address, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Length: 18\r\n"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\naugsweep_sweeps 1\n"));
  EXPECT_EQ(renders, 1);
  // Header names are case-insensitive; the token is not.
  EXPECT_THAT(
      Exchange(address, "GET /metrics HTTP/1.1\r\nauthorization: bearer s3cret-token\r\n\r\n"),
      StartsWith("HTTP/1.1 200 OK"));

  for (const std::string& bad :
       {std::string("GET /metrics HTTP/1.1\r\n\r\n"),
        std::string("GET /metrics HTTP/1.1\r\nAuthorization: Bearer S3CRET-token\r\n\r\n"),
        std::string("GET /metrics HTTP/1.1\r\nAuthorization: Basic czNjcmV0\r\n\r\n"),
        std::string("GET /other HTTP/1.1\r\n\r\n")}) {
    const std::string answer = Exchange(address, bad);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 401 Unauthorized\r\n")) << bad;
    EXPECT_THAT(answer, HasSubstr("WWW-Authenticate: Bearer"));
    EXPECT_THAT(answer, Not(HasSubstr("augsweep_sweeps")));
  }
  EXPECT_EQ(renders, 2) << "no unauthorised request rendered the metrics";
  EXPECT_THAT(
      Exchange(address, "GET /other HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n\r\n"),
      StartsWith("HTTP/1.1 404 Not Found"));
  EXPECT_THAT(
      Exchange(address, "POST /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n\r\n"),
      StartsWith("HTTP/1.1 405 Method Not Allowed"));
  EXPECT_THAT(Exchange(address, "nonsense\r\n\r\n"), StartsWith("HTTP/1.1 400 Bad Request"));
  EXPECT_THAT(
      Exchange(address, "GET /metrics HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n"),
      StartsWith("HTTP/1.1 431"));
}

TEST(MetricsHttpServerTest, WithoutATokenServesEveryScrape) {
  auto server = MetricsHttpServer::Start("127.0.0.1:0", "", [] { return std::string("x 1\n"); });
  ASSERT_TRUE(server.ok());
  EXPECT_THAT(Exchange((*server)->address(), "GET /metrics HTTP/1.0\r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK"));
}

TEST(MetricsHttpServerTest, BadAddressesAreClearErrors) {
  auto no_port = MetricsHttpServer::Start("localhost", "", [] { return std::string(); });
  ASSERT_FALSE(no_port.ok());
  EXPECT_EQ(no_port.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_port.status().message(), HasSubstr("expected HOST:PORT"));
  auto first = MetricsHttpServer::Start("127.0.0.1:0", "", [] { return std::string(); });
  ASSERT_TRUE(first.ok());
  auto taken = MetricsHttpServer::Start((*first)->address(), "", [] { return std::string(); });
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(taken.status().message(), HasSubstr("cannot listen"));
}

}  // namespace
}  // namespace augsweep
