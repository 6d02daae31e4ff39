// Tests of the worker's JobRunner: what crosses the fold line. Fake executors record every
// request they receive, so the tests can check that a generator never sees a test-fold text,
// that a classifier trains on the real training texts plus exactly the first n synthetic texts
// per theme and is scored on exactly the test fold, and that the AUCs reported are those of the
// classifier's scores.
#include "worker/job_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/dataset/data_codec.h"
#include "common/metrics/auc.h"
#include "tests/unit/allocate_far_too_much.h"

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr int kFolds = 3;
constexpr int kTestFold = 1;
const char* const kDatasetId = "dataset-test";
const char* const kFoldsId = "folds-test";
const char* const kGenKey = "gen-abc";

// In-memory artifacts; records every fetch.
class FakeArtifacts : public ArtifactExchange {
 public:
  StatusOr<std::string> Fetch(const std::string& id) override {
    fetched.push_back(id);
    auto it = blobs.find(id);
    if (it == blobs.end()) return NotFoundError("no artifact " + id);
    return it->second;
  }
  Status Put(const std::string& id, const std::string& bytes) override {
    blobs[id] = bytes;
    return OkStatus();
  }
  std::map<std::string, std::string> blobs;
  std::vector<std::string> fetched;
};

class NeverCancelled : public JobControl {
 public:
  bool cancelled() const override { return false; }
  void ReportProgress(float) override {}
};

// Writes `per_theme` texts per theme, interleaved across themes, each naming its theme.
class RecordingGenerator : public GeneratorExecutor {
 public:
  StatusOr<v1::SyntheticSet> Generate(const GenerateRequest& request, JobControl&) override {
    requests.push_back(request);
    v1::SyntheticSet set;
    for (int k = 0; k < request.texts_per_theme; ++k) {
      for (const std::string& theme : request.themes) {
        v1::SyntheticText* t = set.add_texts();
        t->set_theme(theme);
        t->set_text("SYN-" + theme + "-" + std::to_string(k));
      }
    }
    return set;
  }
  std::vector<GenerateRequest> requests;
};

// Scores test text i for theme t with a fixed pattern; `extra_rows`/`missing_column` break the
// shape of its answer on purpose.
class RecordingClassifier : public ClassifierExecutor {
 public:
  StatusOr<TrainOutcome> TrainAndPredict(const TrainRequest& request, JobControl&) override {
    requests.push_back(request);
    if (throw_error) throw std::runtime_error("the executor's own bug");
    if (allocate_far_too_much) {
      test_support::AllocateFarTooMuch();  // std::bad_alloc
    }
    TrainOutcome out;
    const size_t rows = request.test_texts.size() + extra_rows;
    for (size_t i = 0; i < rows; ++i) {
      std::vector<float> p;
      for (size_t t = 0; t + (missing_column ? 1 : 0) < request.themes.size(); ++t) {
        p.push_back(static_cast<float>((i * 7 + t * 3) % 10) / 10.0f + 0.05f);
      }
      out.test_probabilities.push_back(p);
    }
    out.loss_curve = {0.9f, 0.5f, 0.3f};
    outcomes.push_back(out);
    return out;
  }
  std::vector<TrainRequest> requests;
  std::vector<TrainOutcome> outcomes;
  int extra_rows = 0;
  bool missing_column = false;
  bool throw_error = false;
  bool allocate_far_too_much = false;
};

// 15 examples, 3 themes; each text carries a sentinel unique to its example.
Dataset MakeDataset() {
  Dataset d;
  d.themes = {"alpha", "beta", "gamma"};
  for (int i = 0; i < 15; ++i) {
    Example e;
    e.id = "ex" + std::to_string(i);
    e.text = "real text " + std::to_string(i) + " SENTINEL-" + std::to_string(1000 + i * 37);
    e.labels = {(i / 3) % 3};
    if (i % 4 == 0) e.labels = {0, 2};
    e.row = i + 1;
    d.examples.push_back(e);
  }
  return d;
}

FoldSplit MakeSplit() {
  FoldSplit s;
  s.repeat = 0;
  s.num_folds = kFolds;
  for (int i = 0; i < 15; ++i) s.fold_of_example.push_back((i * 2) % kFolds);
  return s;
}

v1::JobSpec BaseJob(const std::string& key, v1::JobKind kind) {
  v1::JobSpec job;
  job.set_key(key);
  job.set_kind(kind);
  job.set_dataset_artifact(kDatasetId);
  job.set_folds_artifact(kFoldsId);
  job.mutable_fold()->set_repeat(0);
  job.mutable_fold()->set_fold(kTestFold);
  job.mutable_fold()->set_num_folds(kFolds);
  job.set_seed(99);
  for (const char* t : {"alpha", "beta", "gamma"}) job.add_themes(t);
  return job;
}

v1::Lease GenerateLease(int texts_per_theme = 6) {
  v1::Lease lease;
  *lease.mutable_job() = BaseJob(kGenKey, v1::GENERATE);
  v1::GenerateTask* task = lease.mutable_job()->mutable_generate();
  task->mutable_generator()->set_name("g");
  task->mutable_generator()->set_kind("fake-gen");
  task->set_temperature(0.7);
  task->set_texts_per_theme(texts_per_theme);
  lease.set_attempt(2);
  return lease;
}

v1::Lease TrainLease(int n) {
  v1::Lease lease;
  *lease.mutable_job() = BaseJob("train-n" + std::to_string(n), v1::TRAIN_EVAL);
  v1::TrainEvalTask* task = lease.mutable_job()->mutable_train_eval();
  task->mutable_classifier()->set_name("c");
  task->mutable_classifier()->set_kind("fake-clf");
  task->set_augment_count(n);
  if (n > 0) {
    task->set_generate_job(kGenKey);
    task->set_generator_name("g");
    task->set_temperature(0.7);
    lease.mutable_job()->add_depends_on(kGenKey);
  }
  lease.set_attempt(1);
  return lease;
}

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    artifacts_.blobs[kDatasetId] = DatasetToProto(dataset_, "fp").SerializeAsString();
    artifacts_.blobs[kFoldsId] = SplitsToProto({split_}).SerializeAsString();
    auto generator = std::make_unique<RecordingGenerator>();
    auto classifier = std::make_unique<RecordingClassifier>();
    generator_ = generator.get();
    classifier_ = classifier.get();
    registry_.AddGenerator("fake-gen", std::move(generator));
    registry_.AddClassifier("fake-clf", std::move(classifier));
  }

  std::vector<std::string> TextsOf(const std::vector<int>& indices) const {
    std::vector<std::string> out;
    for (int i : indices) out.push_back(dataset_.examples[i].text);
    return out;
  }

  // Stores a synthetic set for kGenKey.
  void PutSynthetic(const v1::SyntheticSet& set) {
    artifacts_.blobs[SyntheticArtifactId(kGenKey)] = set.SerializeAsString();
  }

  const Dataset dataset_ = MakeDataset();
  const FoldSplit split_ = MakeSplit();
  FakeArtifacts artifacts_;
  ExecutorRegistry registry_;
  RecordingGenerator* generator_ = nullptr;
  RecordingClassifier* classifier_ = nullptr;
  NeverCancelled control_;
  JobRunner runner_{&registry_, &artifacts_};
};

TEST_F(JobRunnerTest, TheGeneratorSeesOnlyTheTrainingPartOfItsFold) {
  ASSERT_EQ(split_.TestIndices(kTestFold).size(), 5u);
  StatusOr<v1::JobResult> result = runner_.Run(GenerateLease(), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(generator_->requests.size(), 1u);
  const GenerateRequest& request = generator_->requests[0];

  std::vector<std::string> train_texts;
  for (const LabelledText& t : request.train) train_texts.push_back(t.text);
  EXPECT_THAT(train_texts, ElementsAreArray(TextsOf(split_.TrainIndices(kTestFold))));
  const std::vector<int> train_indices = split_.TrainIndices(kTestFold);
  for (size_t k = 0; k < train_indices.size(); ++k) {
    EXPECT_EQ(request.train[k].labels, dataset_.examples[train_indices[k]].labels) << k;
  }
  // No test-fold text anywhere in what the generator received, not even part of one.
  for (int i : split_.TestIndices(kTestFold)) {
    const std::string sentinel =
        dataset_.examples[i].text.substr(dataset_.examples[i].text.find("SENTINEL"));
    for (const LabelledText& t : request.train)
      EXPECT_EQ(t.text.find(sentinel), std::string::npos) << sentinel;
    EXPECT_EQ(request.generator.SerializeAsString().find(sentinel), std::string::npos);
  }
  EXPECT_EQ(request.themes, dataset_.themes);
  EXPECT_DOUBLE_EQ(request.temperature, 0.7);
  EXPECT_EQ(request.texts_per_theme, 6);
  EXPECT_EQ(request.seed, 99u);
  EXPECT_EQ(request.fold, kTestFold);
  EXPECT_EQ(request.repeat, 0);

  // The synthetic set is stored under the generate job's artifact id, and the result names it.
  EXPECT_EQ(result->job_key(), kGenKey);
  EXPECT_EQ(result->attempt(), 2);
  ASSERT_TRUE(result->has_generate());
  EXPECT_EQ(result->generate().synthetic_artifact(), SyntheticArtifactId(kGenKey));
  ASSERT_TRUE(artifacts_.blobs.count(SyntheticArtifactId(kGenKey)));
  v1::SyntheticSet stored;
  ASSERT_TRUE(stored.ParseFromString(artifacts_.blobs[SyntheticArtifactId(kGenKey)]));
  EXPECT_EQ(stored.texts_size(), 18);
  EXPECT_EQ(stored.texts(0).text(), "SYN-alpha-0");
}

TEST_F(JobRunnerTest, TrainEvalUsesRealTrainingTextsAndTheFirstNSyntheticTextsPerTheme) {
  // A synthetic set as a generator wrote it: 6 per theme, interleaved, gamma's written first.
  v1::SyntheticSet set;
  for (int k = 0; k < 6; ++k) {
    for (const char* theme : {"gamma", "alpha", "beta"}) {
      v1::SyntheticText* t = set.add_texts();
      t->set_theme(theme);
      t->set_text(std::string("SYN-") + theme + "-" + std::to_string(k));
    }
  }
  PutSynthetic(set);
  const int n = 4;
  StatusOr<v1::JobResult> result = runner_.Run(TrainLease(n), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(classifier_->requests.size(), 1u);
  const TrainRequest& request = classifier_->requests[0];

  // Real training texts first, in order, with their labels.
  const std::vector<int> train_indices = split_.TrainIndices(kTestFold);
  ASSERT_EQ(request.train.size(), train_indices.size() + 3 * n);
  for (size_t k = 0; k < train_indices.size(); ++k) {
    EXPECT_EQ(request.train[k].text, dataset_.examples[train_indices[k]].text) << k;
    EXPECT_EQ(request.train[k].labels, dataset_.examples[train_indices[k]].labels) << k;
  }
  // Then exactly the first n of each theme, each labelled with its own theme only.
  std::map<std::string, std::vector<std::string>> synthetic_by_theme;
  for (size_t k = train_indices.size(); k < request.train.size(); ++k) {
    const LabelledText& t = request.train[k];
    ASSERT_EQ(t.labels.size(), 1u) << t.text;
    const std::string& theme = dataset_.themes[t.labels[0]];
    EXPECT_THAT(t.text, HasSubstr("SYN-" + theme + "-")) << "labelled with the wrong theme";
    synthetic_by_theme[theme].push_back(t.text);
  }
  for (const char* theme : {"alpha", "beta", "gamma"}) {
    std::vector<std::string> expected;
    for (int k = 0; k < n; ++k)
      expected.push_back(std::string("SYN-") + theme + "-" + std::to_string(k));
    EXPECT_EQ(synthetic_by_theme[theme], expected) << theme;
  }

  // Scored on exactly the test fold, and no synthetic text ever joins the test side.
  const std::vector<int> test_indices = split_.TestIndices(kTestFold);
  EXPECT_EQ(request.test_texts, TextsOf(test_indices));
  for (const std::string& t : request.test_texts) EXPECT_EQ(t.find("SYN-"), std::string::npos) << t;
  // No test text among the training texts either.
  std::set<std::string> train_set;
  for (const LabelledText& t : request.train) train_set.insert(t.text);
  for (const std::string& t : request.test_texts) EXPECT_EQ(train_set.count(t), 0u) << t;
  EXPECT_EQ(request.themes, dataset_.themes);
  EXPECT_EQ(request.seed, 99u);
  EXPECT_EQ(request.classifier.kind(), "fake-clf");

  // The result: the classifier's own scores, and the AUCs computed from them.
  ASSERT_TRUE(result->has_train_eval());
  const v1::TrainEvalResult& r = result->train_eval();
  EXPECT_EQ(result->job_key(), "train-n4");
  EXPECT_EQ(result->attempt(), 1);
  EXPECT_EQ(r.synthetic_texts_used(), 3 * n);
  std::vector<std::string> ids;
  for (int i : test_indices) ids.push_back(dataset_.examples[i].id);
  EXPECT_THAT(r.test_example_ids(), ElementsAreArray(ids));

  const TrainOutcome& outcome = classifier_->outcomes[0];
  std::vector<std::vector<double>> scores;
  std::vector<std::vector<int>> labels;
  std::vector<float> flat;
  for (size_t i = 0; i < test_indices.size(); ++i) {
    scores.emplace_back(outcome.test_probabilities[i].begin(), outcome.test_probabilities[i].end());
    labels.push_back(dataset_.examples[test_indices[i]].labels);
    flat.insert(flat.end(), outcome.test_probabilities[i].begin(),
                outcome.test_probabilities[i].end());
  }
  EXPECT_THAT(r.test_probabilities(), ElementsAreArray(flat));
  StatusOr<FoldAuc> expected = ComputeFoldAuc(scores, labels, 3);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(r.per_theme_size(), 3);
  int defined = 0;
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(r.per_theme(t).theme(), dataset_.themes[t]);
    EXPECT_EQ(r.per_theme(t).defined(), expected->per_theme[t].has_value()) << t;
    if (expected->per_theme[t]) {
      EXPECT_DOUBLE_EQ(r.per_theme(t).auc(), *expected->per_theme[t]) << t;
      ++defined;
    }
  }
  EXPECT_GE(defined, 2) << "the fixture should give the test fold positives and negatives";
  ASSERT_TRUE(expected->macro.has_value());
  EXPECT_TRUE(r.macro_defined());
  EXPECT_DOUBLE_EQ(r.macro_auc(), *expected->macro);
  EXPECT_THAT(r.loss_curve(), ElementsAreArray({0.9f, 0.5f, 0.3f}));
}

TEST_F(JobRunnerTest, GenerateThenTrainEndToEndKeepsTheFoldLine) {
  ASSERT_TRUE(runner_.Run(GenerateLease(/*texts_per_theme=*/6), control_).ok());
  StatusOr<v1::JobResult> result = runner_.Run(TrainLease(2), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const TrainRequest& request = classifier_->requests.at(0);
  const size_t real = split_.TrainIndices(kTestFold).size();
  ASSERT_EQ(request.train.size(), real + 6);
  std::vector<std::string> synthetic;
  for (size_t k = real; k < request.train.size(); ++k) synthetic.push_back(request.train[k].text);
  EXPECT_EQ(synthetic, (std::vector<std::string>{"SYN-alpha-0", "SYN-beta-0", "SYN-gamma-0",
                                                 "SYN-alpha-1", "SYN-beta-1", "SYN-gamma-1"}));
  EXPECT_EQ(result->train_eval().synthetic_texts_used(), 6);
}

TEST_F(JobRunnerTest, AThemeWithFewerSyntheticTextsThanNUsesWhatThereIs) {
  v1::SyntheticSet set;
  for (int k = 0; k < 5; ++k) {
    v1::SyntheticText* t = set.add_texts();
    t->set_theme(k < 4 ? "alpha" : "beta");  // alpha 4, beta 1, gamma none (a shortfall)
    t->set_text("SYN-" + std::to_string(k));
  }
  PutSynthetic(set);
  StatusOr<v1::JobResult> result = runner_.Run(TrainLease(3), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->train_eval().synthetic_texts_used(), 4);  // alpha 3 + beta 1
  // Per theme, so that the results can mark the cell as short of its n.
  EXPECT_THAT(result->train_eval().synthetic_per_theme(), ElementsAre(3, 1, 0));
}

TEST_F(JobRunnerTest, ARelabelledTextTrainsWithItsLabelsAndCountsForItsOwnTheme) {
  v1::SyntheticSet set;
  for (const char* theme : {"alpha", "alpha", "beta"}) {
    v1::SyntheticText* t = set.add_texts();
    t->set_theme(theme);
    t->set_text(std::string("SYN-") + theme + "-" + std::to_string(set.texts_size()));
  }
  set.mutable_texts(1)->add_labels("gamma");
  set.mutable_texts(1)->add_labels("alpha");
  PutSynthetic(set);
  StatusOr<v1::JobResult> result = runner_.Run(TrainLease(2), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const TrainRequest& request = classifier_->requests.at(0);
  const size_t real = split_.TrainIndices(kTestFold).size();
  ASSERT_EQ(request.train.size(), real + 3);
  EXPECT_THAT(request.train[real].labels, ElementsAre(0));
  EXPECT_THAT(request.train[real + 1].labels, ElementsAre(0, 2));  // sorted theme indices
  EXPECT_THAT(request.train[real + 2].labels, ElementsAre(1));
  EXPECT_THAT(result->train_eval().synthetic_per_theme(), ElementsAre(2, 1, 0));
  // A label the job does not know is the same data loss as an unknown theme.
  set.mutable_texts(1)->add_labels("delta");
  PutSynthetic(set);
  EXPECT_EQ(runner_.Run(TrainLease(2), control_).status().code(), StatusCode::kDataLoss);
}

// A filter job over the generated set, as the planner makes it: reads the generate job's set,
// sees only the fold's training texts, and stores a filtered set under its own key that a
// train job then reads.
TEST_F(JobRunnerTest, AFilterJobStoresAFilteredSetThatATrainJobReads) {
  ASSERT_TRUE(runner_.Run(GenerateLease(/*texts_per_theme=*/6), control_).ok());
  // Plant an exact copy of a training text and one of a test text among the generated ones.
  v1::SyntheticSet generated;
  ASSERT_TRUE(generated.ParseFromString(artifacts_.blobs[SyntheticArtifactId(kGenKey)]));
  const int train_example = split_.TrainIndices(kTestFold)[0];
  const int test_example = split_.TestIndices(kTestFold)[0];
  generated.mutable_texts(0)->set_text(dataset_.examples[train_example].text);
  generated.mutable_texts(1)->set_text(dataset_.examples[test_example].text);
  PutSynthetic(generated);

  v1::Lease lease;
  *lease.mutable_job() = BaseJob("filter-1", v1::FILTER);
  v1::FilterTask* task = lease.mutable_job()->mutable_filter();
  task->set_generate_job(kGenKey);
  task->mutable_filter()->set_name("dedup");
  task->mutable_filter()->mutable_duplicates()->set_threshold(0.7);
  task->mutable_filter()->mutable_duplicates()->set_shingle_words(2);
  lease.set_attempt(1);
  StatusOr<v1::JobResult> result = runner_.Run(lease, control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->has_filter());
  EXPECT_EQ(result->filter().synthetic_artifact(), SyntheticArtifactId("filter-1"));
  v1::SyntheticSet filtered;
  ASSERT_TRUE(filtered.ParseFromString(artifacts_.blobs[SyntheticArtifactId("filter-1")]));
  // The copy of a training text is dropped; the test text is not a real text the filter may
  // see, so it stays (the generator never sees one; this plants it only to show the line).
  ASSERT_EQ(filtered.dropped_size(), 1);
  EXPECT_EQ(filtered.dropped(0).reason(), "near duplicate of a real text");
  EXPECT_EQ(filtered.dropped(0).filter(), "duplicates");
  EXPECT_EQ(filtered.texts_size(), 17);
  EXPECT_EQ(filtered.texts(0).text(), dataset_.examples[test_example].text);
  ASSERT_TRUE(filtered.has_measures());
  EXPECT_EQ(filtered.measures().texts(), 17);
  // The train job reads the filtered set when it names the filter job.
  v1::Lease train = TrainLease(6);
  train.mutable_job()->mutable_train_eval()->set_generate_job("filter-1");
  result = runner_.Run(train, control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_THAT(result->train_eval().synthetic_per_theme(), ElementsAre(5, 6, 6));
}

TEST_F(JobRunnerTest, TheBaselineUsesNoSyntheticArtifact) {
  // Even if one exists for some generate job, n = 0 must not touch it.
  v1::SyntheticSet set;
  v1::SyntheticText* t = set.add_texts();
  t->set_theme("alpha");
  t->set_text("SYN-should-not-appear");
  PutSynthetic(set);
  StatusOr<v1::JobResult> result = runner_.Run(TrainLease(0), control_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  for (const std::string& id : artifacts_.fetched)
    EXPECT_EQ(id.find("synthetic-"), std::string::npos) << id;
  const TrainRequest& request = classifier_->requests.at(0);
  EXPECT_EQ(request.train.size(), split_.TrainIndices(kTestFold).size());
  for (const LabelledText& l : request.train) EXPECT_EQ(l.text.find("SYN-"), std::string::npos);
  EXPECT_EQ(result->train_eval().synthetic_texts_used(), 0);
  EXPECT_EQ(result->train_eval().test_example_ids_size(), 5);
}

TEST_F(JobRunnerTest, AMissingExecutorKindIsAFailedPrecondition) {
  v1::Lease gen = GenerateLease();
  gen.mutable_job()->mutable_generate()->mutable_generator()->set_kind("llama");
  StatusOr<v1::JobResult> r = runner_.Run(gen, control_);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("llama"));

  v1::Lease train = TrainLease(0);
  train.mutable_job()->mutable_train_eval()->mutable_classifier()->set_kind("roberta");
  r = runner_.Run(train, control_);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("roberta"));
  EXPECT_TRUE(generator_->requests.empty());
  EXPECT_TRUE(classifier_->requests.empty());
}

// The executor boundary: an exception fails the job with a Status (it never unwinds into the
// worker), and the runner goes on to the next job.
TEST_F(JobRunnerTest, AnExecutorThatThrowsFailsItsJobOnly) {
  classifier_->throw_error = true;
  StatusOr<v1::JobResult> r = runner_.Run(TrainLease(0), control_);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("classifier fake-clf: the executor's own bug"));

  classifier_->throw_error = false;
  classifier_->allocate_far_too_much = true;
  r = runner_.Run(TrainLease(0), control_);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("classifier fake-clf: out of memory"));

  classifier_->allocate_far_too_much = false;
  r = runner_.Run(TrainLease(0), control_);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(classifier_->requests.size(), 3u);
}

TEST_F(JobRunnerTest, PredictionsOfTheWrongShapeAreAnError) {
  classifier_->extra_rows = 1;
  StatusOr<v1::JobResult> r = runner_.Run(TrainLease(0), control_);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("6 predictions for 5 test texts"));

  classifier_->extra_rows = 0;
  classifier_->missing_column = true;
  r = runner_.Run(TrainLease(0), control_);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("one score per theme"));
}

TEST_F(JobRunnerTest, ASyntheticTextOfAnUnknownThemeIsDataLoss) {
  v1::SyntheticSet set;
  for (const char* theme : {"alpha", "beta", "delta"}) {
    v1::SyntheticText* t = set.add_texts();
    t->set_theme(theme);
    t->set_text(std::string("SYN-") + theme);
  }
  PutSynthetic(set);
  StatusOr<v1::JobResult> r = runner_.Run(TrainLease(2), control_);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("delta"));
  EXPECT_TRUE(classifier_->requests.empty()) << "the classifier must not run on a corrupt set";
}

TEST_F(JobRunnerTest, MissingOrCorruptInputsAreErrors) {
  // The generate job's output is not there.
  StatusOr<v1::JobResult> r = runner_.Run(TrainLease(2), control_);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  // A corrupt synthetic set.
  artifacts_.blobs[SyntheticArtifactId(kGenKey)] = "\xff\xff\xff not a proto";
  r = runner_.Run(TrainLease(2), control_);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  // A fold the split does not have.
  v1::Lease lease = TrainLease(0);
  lease.mutable_job()->mutable_fold()->set_fold(kFolds);
  r = runner_.Run(lease, control_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // BuildTrainRequest without the synthetic set it needs.
  std::vector<int> test_indices;
  StatusOr<TrainRequest> built =
      BuildTrainRequest(TrainLease(2).job(), dataset_, split_, nullptr, &test_indices);
  EXPECT_EQ(built.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(classifier_->requests.empty());
}

}  // namespace
}  // namespace augsweep
