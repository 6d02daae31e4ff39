#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace augsweep {
namespace {

StatusOr<int> ParsePositive(int x) {
  if (x <= 0) return InvalidArgumentError("expected a positive number, got " + std::to_string(x));
  return x;
}

StatusOr<int> Doubled(int x) {
  AUGSWEEP_ASSIGN_OR_RETURN(int v, ParsePositive(x));
  return 2 * v;
}

Status Check(int x) {
  AUGSWEEP_RETURN_IF_ERROR(ParsePositive(x).status());
  return OkStatus();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(OkStatus().ToString(), "OK");
  Status s = NotFoundError("sweep abc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: sweep abc");
  EXPECT_EQ(s.WithContext("GetStatus").message(), "GetStatus: sweep abc");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_EQ(*Doubled(4), 8);
  StatusOr<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("got -1"), std::string::npos);
  EXPECT_TRUE(Check(1).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, StatusOrHoldsMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> owned = std::move(p).value();
  EXPECT_EQ(*owned, 5);
}

// Misuse is a bug that must not go unnoticed in a release build (no assert): it aborts, saying
// what happened and which status was there.
TEST(StatusDeathTest, StatusOrMisuseAbortsInEveryBuild) {
  EXPECT_DEATH(
      {
        StatusOr<int> bad = OkStatus();
        (void)bad;
      },
      "StatusOr constructed from an OK status");
  EXPECT_DEATH(
      {
        StatusOr<int> error = NotFoundError("no such model");
        (void)error.value();
      },
      "value\\(\\) called on an error \\(status: NOT_FOUND: no such model\\)");
  EXPECT_DEATH(
      {
        StatusOr<std::string> error = InternalError("x");
        (void)*error;
      },
      "value\\(\\) called on an error");
}

}  // namespace
}  // namespace augsweep
