#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "coordinator/planner/job_planner.h"

namespace augsweep {
namespace {

// The reference study's grid (Ehrett et al. 2024): 4 generators (LLaMA/Alpaca 7B/13B) ×
// 3 temperatures × 4 augment counts including the baseline 0 × 3 classifiers × 5 folds.
v1::SweepSpec ReferenceSpec() {
  v1::SweepSpec spec;
  spec.set_name("ehrett2024");
  spec.set_seed(7);
  spec.mutable_cv()->set_folds(5);
  spec.mutable_cv()->set_repeats(1);
  for (const char* name : {"llama-7b", "llama-13b", "alpaca-7b", "alpaca-13b"}) {
    v1::GeneratorSpec* g = spec.add_generators();
    g->set_name(name);
    g->set_kind("llama");
    g->set_model_dir(std::string("/models/") + name);
    g->set_dtype("float16");
    g->set_prompt_template("Examples of {theme}:\n{examples}\n-");
    g->set_max_new_tokens(64);
    g->set_top_p(0.95);
    g->set_examples_per_prompt(3);
  }
  for (double t : {0.5, 0.7, 1.0}) spec.add_temperatures(t);
  for (int n : {0, 10, 50, 100}) spec.add_augment_counts(n);
  for (const char* name : {"roberta", "distilbert", "xlnet"}) {
    v1::ClassifierSpec* c = spec.add_classifiers();
    c->set_name(name);
    c->set_kind(name);
    c->set_model_dir(std::string("/models/") + name + "-base");
    c->set_epochs(3);
    c->set_learning_rate(2e-5);
    c->set_batch_size(16);
    c->set_max_length(128);
  }
  return spec;
}

std::vector<FoldSplit> Splits(int repeats, int folds, int n, int shift = 0) {
  std::vector<FoldSplit> splits;
  for (int r = 0; r < repeats; ++r) {
    FoldSplit s;
    s.repeat = r;
    s.num_folds = folds;
    for (int i = 0; i < n; ++i) s.fold_of_example.push_back((i + r + shift) % folds);
    splits.push_back(s);
  }
  return splits;
}

struct Fixture {
  v1::SweepSpec spec = ReferenceSpec();
  std::vector<FoldSplit> splits = Splits(1, 5, 60);
  PlanInputs inputs;

  Fixture() { Refresh(); }
  void Refresh() {
    inputs.spec = &spec;
    inputs.splits = &splits;
    inputs.dataset_fingerprint = "dataset-fp";
    inputs.dataset_artifact = "dataset-artifact";
    inputs.folds_artifact = "folds-artifact";
    inputs.themes = {"workload", "teamwork", "patient care", "leadership"};
    for (const auto& g : spec.generators())
      inputs.model_identity[g.model_dir()] = "id:" + g.model_dir();
    for (const auto& c : spec.classifiers())
      inputs.model_identity[c.model_dir()] = "id:" + c.model_dir();
  }
  Plan MakePlan() {
    Refresh();
    StatusOr<Plan> plan = PlanSweep(inputs);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : Plan{};
  }
};

std::set<std::string> Keys(const Plan& plan) {
  std::set<std::string> keys;
  for (const auto& j : plan.jobs) keys.insert(j.key());
  return keys;
}

TEST(PlannerTest, ReferenceGridDedupArithmetic) {
  Fixture fx;
  Plan plan = fx.MakePlan();
  std::cout << "reference grid: " << plan.Summary() << "\n";
  // 4 × 3 × 4 × 3 × 5 cells; naive jobs: every cell trains, every n > 0 cell also generates.
  EXPECT_EQ(plan.naive_cells, 720);
  EXPECT_EQ(plan.naive_jobs, 720 + 540);
  // One generation per (generator, temperature, fold) serves every n and every classifier.
  EXPECT_EQ(plan.generate_jobs, 4 * 3 * 5);
  // n > 0: 4 × 3 × 3 counts × 3 classifiers × 5 folds, plus one baseline per (classifier, fold).
  EXPECT_EQ(plan.baseline_jobs, 3 * 5);
  EXPECT_EQ(plan.train_eval_jobs, 540 + 15);
  EXPECT_EQ(plan.unique_jobs(), 615);
  EXPECT_EQ(static_cast<int64_t>(plan.jobs.size()), plan.unique_jobs());
  EXPECT_EQ(Keys(plan).size(), plan.jobs.size()) << "keys must be unique";
  // Table cells: 36 augmented rows + 1 baseline row per classifier, per fold.
  EXPECT_EQ(plan.cells.size(), size_t{(4 * 3 * 3 + 1) * 3 * 5});
}

TEST(PlannerTest, DependenciesPointAtGenerateJobsOfTheSameFold) {
  Fixture fx;
  Plan plan = fx.MakePlan();
  std::map<std::string, const v1::JobSpec*> by_key;
  for (const auto& j : plan.jobs) by_key[j.key()] = &j;
  bool seen_train = false;
  for (const auto& j : plan.jobs) {
    if (j.kind() == v1::GENERATE) {
      EXPECT_FALSE(seen_train) << "generate jobs come first";
      EXPECT_TRUE(j.depends_on().empty());
      EXPECT_EQ(j.generate().texts_per_theme(), 100) << "N_max = max(augment_counts)";
      continue;
    }
    seen_train = true;
    const auto& task = j.train_eval();
    if (task.augment_count() == 0) {
      EXPECT_TRUE(j.depends_on().empty()) << "the baseline depends on no generator";
      EXPECT_TRUE(task.generate_job().empty());
      continue;
    }
    ASSERT_EQ(j.depends_on_size(), 1);
    ASSERT_TRUE(by_key.count(j.depends_on(0)));
    const v1::JobSpec& gen = *by_key[j.depends_on(0)];
    EXPECT_EQ(gen.kind(), v1::GENERATE);
    EXPECT_EQ(gen.fold().fold(), j.fold().fold());
    EXPECT_EQ(gen.fold().repeat(), j.fold().repeat());
    EXPECT_EQ(gen.generate().generator().name(), task.generator_name());
    EXPECT_EQ(gen.generate().temperature(), task.temperature());
    EXPECT_EQ(j.themes_size(), 4);
  }
}

TEST(PlannerTest, CellsReferToPlannedJobs) {
  Fixture fx;
  Plan plan = fx.MakePlan();
  std::set<std::string> keys = Keys(plan);
  std::set<std::string> baseline_keys;
  for (const auto& cell : plan.cells) {
    EXPECT_TRUE(keys.count(cell.job_key()));
    if (cell.augment_count() == 0) {
      EXPECT_TRUE(cell.generator().empty());
      baseline_keys.insert(cell.job_key());
    }
  }
  EXPECT_EQ(baseline_keys.size(), 15u);
}

TEST(PlannerTest, KeysAreDeterministicAndIgnoreNames) {
  Fixture a, b;
  b.spec.mutable_generators(0)->set_name("renamed");
  b.spec.mutable_classifiers(0)->set_name("renamed-classifier");
  EXPECT_EQ(Keys(a.MakePlan()), Keys(b.MakePlan()));
}

TEST(PlannerTest, KeysChangeWithEverythingThatChangesOutput) {
  Fixture base;
  const std::set<std::string> base_keys = Keys(base.MakePlan());
  auto changed = [&](const std::function<void(Fixture&)>& edit) {
    Fixture fx;
    edit(fx);
    std::set<std::string> keys = Keys(fx.MakePlan());
    size_t shared = 0;
    for (const auto& k : keys) shared += base_keys.count(k);
    return keys.size() - shared;  // jobs that would run anew
  };
  // Every job sees the data, the split and the seed.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.set_seed(8); }), 615u);
  EXPECT_EQ(changed([](Fixture& fx) { fx.splits = Splits(1, 5, 60, 1); }), 615u);
  // A new template reruns that generator's jobs and everything trained on them, not the rest.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_prompt_template("x"); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  // A sampling control of a generator: the same as its template.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_min_p(0.05); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_presence_penalty(0.5); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(
      changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_frequency_penalty(-0.5); }),
      size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->add_stop("###"); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->add_bad_words("Sure"); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_samples_per_prompt(4); }),
            size_t{3 * 5 + 3 * 3 * 3 * 5});
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_samples_per_prompt(1); }),
            0u);
  // Left at 0 they are not hashed at all: stores made before they existed keep their jobs.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_generators(0)->set_min_p(0); }), 0u);
  // Another temperature value: every generator's jobs at that temperature.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.set_temperatures(2, 0.9); }),
            size_t{4 * 5 + 4 * 3 * 3 * 5});
  // A classifier's learning rate: its jobs only, baselines included.
  EXPECT_EQ(changed([](Fixture& fx) { fx.spec.mutable_classifiers(1)->set_learning_rate(3e-5); }),
            size_t{4 * 3 * 3 * 5 + 5});
  // Adding an augment count keeps every existing job (N_max unchanged: 100 stays the largest).
  EXPECT_EQ(changed([](Fixture& fx) {
              fx.spec.clear_augment_counts();
              for (int n : {0, 10, 25, 50, 100}) fx.spec.add_augment_counts(n);
            }),
            size_t{4 * 3 * 3 * 5});
}

TEST(PlannerTest, DatasetFingerprintChangesEveryKey) {
  Fixture a;
  Plan pa = a.MakePlan();
  Fixture b;
  b.Refresh();
  b.inputs.dataset_fingerprint = "another dataset";
  StatusOr<Plan> pb = PlanSweep(b.inputs);
  ASSERT_TRUE(pb.ok());
  for (const auto& k : Keys(*pb)) EXPECT_FALSE(Keys(pa).count(k));
}

TEST(PlannerTest, ModelIdentityChangesOnlyThatModelsJobs) {
  Fixture a;
  std::set<std::string> ka = Keys(a.MakePlan());
  Fixture b;
  b.Refresh();
  b.inputs.model_identity["/models/llama-7b"] = "fine-tuned weights";
  std::set<std::string> kb = Keys(*PlanSweep(b.inputs));
  size_t fresh = 0;
  for (const auto& k : kb) fresh += !ka.count(k);
  EXPECT_EQ(fresh, size_t{3 * 5 + 3 * 3 * 3 * 5});
}

TEST(PlannerTest, TemperatureFreeGeneratorIsSharedAcrossTemperatures) {
  Fixture fx;
  fx.spec.clear_generators();
  v1::GeneratorSpec* eda = fx.spec.add_generators();
  eda->set_name("eda");
  eda->set_kind("eda");
  eda->set_eda_alpha(0.1);
  Plan plan = fx.MakePlan();
  EXPECT_EQ(plan.generate_jobs, 5) << "one per fold, not one per temperature";
  EXPECT_EQ(plan.train_eval_jobs, 3 * 3 * 5 + 15);
  EXPECT_EQ(plan.cells.size(), size_t{(3 * 3 + 1) * 3 * 5})
      << "the table still has every temperature row";
}

TEST(PlannerTest, RepeatsMultiplyFolds) {
  Fixture fx;
  fx.spec.mutable_cv()->set_repeats(2);
  fx.splits = Splits(2, 5, 60);
  Plan plan = fx.MakePlan();
  EXPECT_EQ(plan.naive_cells, 1440);
  EXPECT_EQ(plan.unique_jobs(), 1230);
}

TEST(PlannerTest, BaselineOnlySweep) {
  Fixture fx;
  fx.spec.clear_generators();
  fx.spec.clear_temperatures();
  fx.spec.clear_augment_counts();
  fx.spec.add_augment_counts(0);
  Plan plan = fx.MakePlan();
  EXPECT_EQ(plan.naive_cells, 15);
  EXPECT_EQ(plan.generate_jobs, 0);
  EXPECT_EQ(plan.train_eval_jobs, 15);
}

TEST(PlannerTest, RejectsInconsistentInputs) {
  Fixture fx;
  fx.Refresh();
  std::vector<FoldSplit> wrong = Splits(2, 5, 60);
  fx.inputs.splits = &wrong;
  EXPECT_EQ(PlanSweep(fx.inputs).status().code(), StatusCode::kInvalidArgument);
  fx.inputs.splits = &fx.splits;
  fx.inputs.model_identity.erase("/models/xlnet-base");
  StatusOr<Plan> missing = PlanSweep(fx.inputs);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/models/xlnet-base"), std::string::npos);
}

// Two filters: "none" (no check) and "checked" (duplicates + a label check with tf-idf).
void AddFilters(v1::SweepSpec& spec, double threshold = 0.7) {
  spec.add_filters()->set_name("none");
  v1::FilterSpec* f = spec.add_filters();
  f->set_name("checked");
  f->mutable_duplicates()->set_threshold(threshold);
  f->mutable_duplicates()->set_shingle_words(2);
  v1::LabelCheck* l = f->mutable_label_consistency();
  l->mutable_classifier()->set_name("tfidf-logreg");
  l->mutable_classifier()->set_kind("tfidf-logreg");
  l->mutable_classifier()->set_epochs(200);
  l->set_threshold(0.5);
  l->set_action("drop");
}

std::set<std::string> KeysOfKind(const Plan& plan, v1::JobKind kind) {
  std::set<std::string> keys;
  for (const auto& j : plan.jobs) {
    if (j.kind() == kind) keys.insert(j.key());
  }
  return keys;
}

// A spec from the wire may ask for any grid: one too large to plan is refused before any job
// is made, with numbers that would overflow an integer product too.
TEST(PlannerTest, RefusesAGridTooLargeToPlan) {
  Fixture fx;
  for (int i = 0; i < 2000; ++i) fx.spec.add_temperatures(1.0 + i);
  for (int i = 0; i < 100; ++i) fx.spec.add_augment_counts(1000 + i);
  fx.Refresh();
  StatusOr<Plan> plan = PlanSweep(fx.inputs);
  ASSERT_FALSE(plan.ok());
  // 4 generators × 2003 temperatures × 104 counts × 3 classifiers × 5 folds
  EXPECT_EQ(plan.status().message(), "PlanSweep: the grid has 12498720 cells; at most 10000000");
  for (int i = 0; i < 30000; ++i) fx.spec.add_augment_counts(2000 + i);
  for (int i = 0; i < 30000; ++i) fx.spec.add_filters()->set_name("f" + std::to_string(i));
  // About 1.1e14 cells (4 × 2003 × 30000 filters × 30104 counts × 3 × 5): past any int32.
  plan = PlanSweep(fx.inputs);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("cells; at most 10000000"), std::string::npos)
      << plan.status().message();
}

TEST(PlannerTest, FiltersAreAFactorThatSharesGeneration) {
  Fixture fx;
  const Plan unfiltered = fx.MakePlan();
  AddFilters(fx.spec);
  const Plan plan = fx.MakePlan();
  std::cout << "with two filters: " << plan.Summary() << "\n";
  EXPECT_EQ(plan.naive_cells, 2 * 720);
  // The same generations; one filter job per generation for the filter with checks.
  EXPECT_EQ(KeysOfKind(plan, v1::GENERATE), KeysOfKind(unfiltered, v1::GENERATE));
  EXPECT_EQ(plan.filter_jobs, plan.generate_jobs);
  // "none" trains on the generated texts: its train jobs are the unfiltered sweep's own.
  const std::set<std::string> before = KeysOfKind(unfiltered, v1::TRAIN_EVAL);
  const std::set<std::string> after = KeysOfKind(plan, v1::TRAIN_EVAL);
  EXPECT_TRUE(std::includes(after.begin(), after.end(), before.begin(), before.end()));
  EXPECT_EQ(after.size(), before.size() + (before.size() - 15));  // baselines stay shared
  // Generate jobs, then filter jobs, then train jobs; each filter job reads one generate job of
  // its fold, and each filtered train job one filter job.
  std::map<std::string, const v1::JobSpec*> by_key;
  for (const auto& j : plan.jobs) by_key[j.key()] = &j;
  int stage = 0;
  for (const auto& j : plan.jobs) {
    const int s = j.kind() == v1::GENERATE ? 0 : j.kind() == v1::FILTER ? 1 : 2;
    EXPECT_GE(s, stage);
    stage = s;
    if (j.kind() == v1::FILTER) {
      ASSERT_EQ(j.depends_on_size(), 1);
      EXPECT_EQ(j.depends_on(0), j.filter().generate_job());
      const v1::JobSpec& gen = *by_key.at(j.depends_on(0));
      EXPECT_EQ(gen.kind(), v1::GENERATE);
      EXPECT_EQ(gen.fold().fold(), j.fold().fold());
      EXPECT_EQ(j.filter().texts_per_theme(), 100);
      EXPECT_EQ(j.filter().generator().name(), gen.generate().generator().name());
    }
  }
  int filtered_cells = 0;
  for (const auto& cell : plan.cells) {
    const v1::JobSpec& job = *by_key.at(cell.job_key());
    if (cell.augment_count() == 0) {
      EXPECT_EQ(cell.filter(), "");
      continue;
    }
    EXPECT_EQ(job.train_eval().filter_name(), cell.filter());
    const v1::JobKind source = by_key.at(job.train_eval().generate_job())->kind();
    EXPECT_EQ(source, cell.filter() == "checked" ? v1::FILTER : v1::GENERATE) << cell.filter();
    filtered_cells += cell.filter() == "checked";
  }
  EXPECT_EQ(filtered_cells, 4 * 3 * 3 * 3 * 5);
}

TEST(PlannerTest, AFilterThresholdChangesOnlyFilterAndTheirTrainJobs) {
  Fixture fx;
  AddFilters(fx.spec, 0.7);
  const Plan a = fx.MakePlan();
  fx.spec.clear_filters();
  AddFilters(fx.spec, 0.8);
  const Plan b = fx.MakePlan();
  EXPECT_EQ(KeysOfKind(a, v1::GENERATE), KeysOfKind(b, v1::GENERATE));
  const std::set<std::string> keys_a = Keys(a);
  std::set<std::string> changed;
  for (const std::string& k : Keys(b)) {
    if (!keys_a.count(k)) changed.insert(k);
  }
  // Every filter job and every train job of the "checked" filter; nothing else.
  EXPECT_EQ(changed.size(), static_cast<size_t>(b.filter_jobs + 4 * 3 * 3 * 3 * 5));
  for (const auto& j : b.jobs) {
    if (!changed.count(j.key())) continue;
    EXPECT_TRUE(j.kind() == v1::FILTER || j.train_eval().filter_name() == "checked");
  }
  // Renaming a filter reruns nothing.
  fx.spec.mutable_filters(1)->set_name("renamed");
  EXPECT_EQ(Keys(fx.MakePlan()), Keys(b));
}

TEST(PlannerTest, ALabelCheckWithAModelRunsWhereTrainJobsRun) {
  Fixture fx;
  fx.spec.mutable_train_eval_resources()->set_device("cuda");
  fx.spec.mutable_train_eval_resources()->set_time_limit_s(3600);
  AddFilters(fx.spec);
  v1::FilterSpec* encoder = fx.spec.add_filters();
  encoder->set_name("roberta-check");
  *encoder->mutable_label_consistency()->mutable_classifier() = fx.spec.classifiers(0);
  encoder->mutable_label_consistency()->set_threshold(0.5);
  encoder->mutable_label_consistency()->set_action("relabel");
  const Plan plan = fx.MakePlan();
  for (const auto& j : plan.jobs) {
    if (j.kind() != v1::FILTER) continue;
    const bool with_model = j.filter().filter().name() == "roberta-check";
    EXPECT_EQ(j.resources().device(), with_model ? "cuda" : "any");
    EXPECT_EQ(j.resources().time_limit_s(), 3600);
  }
  // The label check's model must have an identity like every other model.
  fx.Refresh();
  fx.spec.mutable_filters(2)->mutable_label_consistency()->mutable_classifier()->set_model_dir(
      "/models/unknown");
  StatusOr<Plan> missing = PlanSweep(fx.inputs);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace augsweep
