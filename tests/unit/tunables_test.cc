// The tunables table (common/tunables_def.h): defaults, overrides from the environment, and a
// clear error naming the variable when one does not parse.
#include "common/tunables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

namespace augsweep {
namespace {

using ::testing::HasSubstr;

// Sets an environment variable for the test's scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(TunablesTest, DefaultsComeFromTheTable) {
  StatusOr<Tunables> t = TunablesFromEnvironment();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->lease_ms, 60'000);
  EXPECT_EQ(t->heartbeat_interval_ms, 5'000);
  EXPECT_EQ(t->rpc_retry_window_ms, 15 * 60'000);
  EXPECT_EQ(t->cpu_linear, "auto");
}

TEST(TunablesTest, TheEnvironmentOverridesADefault) {
  ScopedEnv lease("AUGSWEEP_LEASE_MS", "1500");
  ScopedEnv attention("AUGSWEEP_CPU_ATTENTION", "torch");
  StatusOr<Tunables> t = TunablesFromEnvironment();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->lease_ms, 1500);
  EXPECT_EQ(t->cpu_attention, "torch");
  EXPECT_EQ(t->heartbeat_interval_ms, 5'000);  // the others keep their defaults
}

TEST(TunablesTest, ABadValueNamesTheVariableAndWhatItExpected) {
  {
    ScopedEnv lease("AUGSWEEP_LEASE_MS", "60s");
    StatusOr<Tunables> t = TunablesFromEnvironment();
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(),
                HasSubstr("AUGSWEEP_LEASE_MS: expected a positive integer, got \"60s\""));
  }
  {
    ScopedEnv zero("AUGSWEEP_MAX_ATTEMPTS", "0");
    EXPECT_FALSE(TunablesFromEnvironment().ok());
  }
  {
    ScopedEnv linear("AUGSWEEP_CPU_LINEAR", "fast");
    StatusOr<Tunables> t = TunablesFromEnvironment();
    ASSERT_FALSE(t.ok());
    EXPECT_THAT(t.status().message(),
                HasSubstr("AUGSWEEP_CPU_LINEAR: expected one of auto, avx2, blas"));
  }
}

TEST(TunablesTest, DescribeListsEveryTunableWithItsVariableAndDoc) {
  const std::vector<TunableInfo> all = DescribeTunables();
  ASSERT_GE(all.size(), 10u);
  for (const TunableInfo& t : all) {
    EXPECT_EQ(t.environment_variable.rfind("AUGSWEEP_", 0), 0u) << t.name;
    EXPECT_FALSE(t.doc.empty()) << t.name;
    EXPECT_FALSE(t.default_value.empty()) << t.name;
  }
  EXPECT_EQ(all.front().name, "lease_ms");
  EXPECT_EQ(all.front().environment_variable, "AUGSWEEP_LEASE_MS");
  EXPECT_EQ(all.front().default_value, "60000");
}

}  // namespace
}  // namespace augsweep
