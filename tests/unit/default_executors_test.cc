// DefaultExecutors against the table of kinds (common/spec/executor_kinds.h): every kind this
// build can run is registered in its role, and nothing outside the table is.
#include "worker/executors/default_executors.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/spec/executor_kinds.h"

namespace augsweep {
namespace {

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(DefaultExecutorsTest, RegistersEveryKindOfTheTableThisBuildCanRun) {
  StatusOr<std::unique_ptr<ExecutorRegistry>> registry = DefaultExecutors("cpu", 1);
  ASSERT_TRUE(registry.ok()) << registry.status().message();
  const std::vector<std::string> generators = (*registry)->generator_kinds();
  const std::vector<std::string> classifiers = (*registry)->classifier_kinds();
  for (const ExecutorKind& kind : kExecutorKinds) {
    const bool expected = !kind.needs_torch || BuiltWithTorch();
    const auto& names = kind.role == ExecutorRole::kGenerator ? generators : classifiers;
    EXPECT_EQ(Contains(names, kind.name), expected) << kind.name;
  }
  for (const auto& name : generators) EXPECT_TRUE(IsGeneratorKind(name)) << name;
  for (const auto& name : classifiers) EXPECT_TRUE(IsClassifierKind(name)) << name;
}

TEST(ExecutorKindsTest, TableAnswersWhatTheSpecAndPlannerAsk) {
  EXPECT_TRUE(GeneratorUsesTemperature("llama"));
  EXPECT_FALSE(GeneratorUsesTemperature("eda"));
  EXPECT_FALSE(GeneratorUsesTemperature("roberta"));  // a classifier, not a generator
  EXPECT_TRUE(ClassifierNeedsModel("xlnet"));
  EXPECT_FALSE(ClassifierNeedsModel("tfidf-logreg"));
  EXPECT_EQ(ExecutorKindNames(ExecutorRole::kGenerator), "eda, llama");
  EXPECT_EQ(ExecutorKindNames(ExecutorRole::kClassifier),
            "bert, distilbert, roberta, tfidf-logreg, xlnet");
  EXPECT_EQ(ExecutorCodeVersion("eda"), "eda/1");
}

}  // namespace
}  // namespace augsweep
