#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "rpc/rpc_options.h"

namespace augsweep {
namespace {

// A call that answers `answers` in turn (the last one from then on), counting its attempts.
struct ScriptedCall {
  std::vector<grpc::Status> answers;
  int attempts = 0;
  grpc::Status operator()(std::chrono::system_clock::time_point) {
    const size_t i = std::min<size_t>(static_cast<size_t>(attempts), answers.size() - 1);
    ++attempts;
    return answers[i];
  }
};

RetryPolicy Quick() { return RetryPolicy{60'000, 1'000, 1, 2}; }

TEST(CallWithRetryTest, RetriesAnUnreachableCoordinatorAndAFullDiskUntilItGetsThrough) {
  ScriptedCall call{{grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"),
                     grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "store D: disk full"),
                     grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow"), grpc::Status::OK}};
  const Status s = CallWithRetry(
      "CompleteJob", Quick(), [] { return false; }, std::ref(call));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(call.attempts, 4);
}

TEST(CallWithRetryTest, ReturnsOtherErrorsAtOnceNamingTheCall) {
  ScriptedCall call{{grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad result")}};
  const Status s = CallWithRetry(
      "CompleteJob", Quick(), [] { return false; }, std::ref(call));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("CompleteJob: bad result"));
  EXPECT_EQ(call.attempts, 1);
}

TEST(CallWithRetryTest, StopsRetryingWhenToldToGiveUp) {
  ScriptedCall call{{grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "store D: disk full")}};
  int asked = 0;
  const Status s = CallWithRetry(
      "LeaseJob", Quick(), [&] { return ++asked >= 3; }, std::ref(call));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(call.attempts, 3);
}

}  // namespace
}  // namespace augsweep
