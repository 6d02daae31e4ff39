#include "coordinator/planner/job_planner.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/sha256.h"
#include "common/spec/executor_kinds.h"

namespace augsweep {
std::string SplitDigest(const FoldSplit& split) {
  ContentHasher h;
  h.AddInt("num_folds", split.num_folds);
  std::string assignment;
  for (int f : split.fold_of_example) assignment += std::to_string(f) + ",";
  h.Add("fold_of_example", assignment);
  return h.HexDigest();
}

namespace {

// Every field of the generator that changes its output. Name is left out on purpose: renaming a
// generator in a new spec must not rerun it.
void AddGenerator(ContentHasher& h, const v1::GeneratorSpec& g, const std::string& model_identity) {
  h.Add("generator.kind", g.kind());
  h.Add("generator.model", model_identity);
  h.Add("generator.dtype", g.dtype());
  h.Add("generator.prompt_template", g.prompt_template());
  h.AddInt("generator.max_new_tokens", g.max_new_tokens());
  h.AddDouble("generator.top_p", g.top_p());
  h.AddInt("generator.top_k", g.top_k());
  h.AddDouble("generator.repetition_penalty", g.repetition_penalty());
  h.AddInt("generator.examples_per_prompt", g.examples_per_prompt());
  h.AddDouble("generator.eda_alpha", g.eda_alpha());
  // Fields added once stores held jobs: hashed only when set, so the jobs of a spec that does not
  // use them keep their keys (and their stored results).
  if (g.min_p() != 0) h.AddDouble("generator.min_p", g.min_p());
  if (g.presence_penalty() != 0) h.AddDouble("generator.presence_penalty", g.presence_penalty());
  if (g.frequency_penalty() != 0) h.AddDouble("generator.frequency_penalty", g.frequency_penalty());
  for (const std::string& stop : g.stop()) h.Add("generator.stop", stop);
  for (const std::string& word : g.bad_words()) h.Add("generator.bad_word", word);
  if (g.samples_per_prompt() > 1) h.AddInt("generator.samples_per_prompt", g.samples_per_prompt());
  if (g.max_batch() > 0) h.AddInt("generator.max_batch", g.max_batch());
  if (g.prompt_format() == "chat") {
    h.Add("generator.prompt_format", g.prompt_format());
    h.Add("generator.system_prompt", g.system_prompt());
    for (const std::string& rule : g.clean()) h.Add("generator.clean", rule);
  }
}

void AddClassifier(ContentHasher& h, const v1::ClassifierSpec& c,
                   const std::string& model_identity) {
  h.Add("classifier.kind", c.kind());
  h.Add("classifier.model", model_identity);
  h.AddInt("classifier.epochs", c.epochs());
  h.AddDouble("classifier.learning_rate", c.learning_rate());
  h.AddInt("classifier.batch_size", c.batch_size());
  h.AddInt("classifier.max_length", c.max_length());
  h.AddDouble("classifier.weight_decay", c.weight_decay());
  h.AddDouble("classifier.warmup_ratio", c.warmup_ratio());
  h.AddInt("classifier.decay_bias_and_norm", c.decay_bias_and_norm());
}

class Planner {
 public:
  explicit Planner(const PlanInputs& in) : in_(in), spec_(*in.spec) {}

  StatusOr<Plan> Run() {
    AUGSWEEP_RETURN_IF_ERROR(Validate());
    for (const auto& split : *in_.splits) split_digests_.push_back(SplitDigest(split));
    const int32_t n_max =
        *std::max_element(spec_.augment_counts().begin(), spec_.augment_counts().end());
    const int64_t folds = spec_.cv().folds(), repeats = spec_.cv().repeats();
    const int64_t counts = spec_.augment_counts_size();
    const int64_t augmented_counts =
        std::count_if(spec_.augment_counts().begin(), spec_.augment_counts().end(),
                      [](int32_t n) { return n > 0; });
    const int64_t generator_cells = int64_t{spec_.generators_size()} * spec_.temperatures_size() *
                                    std::max(1, spec_.filters_size());
    // A baseline-only sweep still has one row per classifier.
    plan_.naive_cells =
        std::max<int64_t>(generator_cells, 1) * counts * spec_.classifiers_size() * folds * repeats;
    const int64_t checked_filters =
        std::count_if(spec_.filters().begin(), spec_.filters().end(), HasChecks);
    const int64_t alone = augmented_counts * spec_.classifiers_size() * folds * repeats;
    plan_.naive_jobs = plan_.naive_cells + generator_cells * alone +  // a generation per cell
                       int64_t{spec_.generators_size()} * spec_.temperatures_size() *
                           checked_filters * alone;  // and a filter job per filtered cell

    // Without filters, one pass with the generated texts and no filter name.
    const std::vector<const v1::FilterSpec*> filter_passes = FilterPasses();
    for (int r = 0; r < repeats; ++r) {
      for (int f = 0; f < folds; ++f) {
        for (const auto& c : spec_.classifiers()) {
          if (HasBaseline()) AddBaseline(c, r, f);
        }
        if (n_max == 0) continue;
        for (const auto& g : spec_.generators()) {
          for (double t : spec_.temperatures()) {
            const std::string gen_key = AddGenerate(g, t, n_max, r, f);
            for (const v1::FilterSpec* filter : filter_passes) {
              const std::string source_key = filter == nullptr || !HasChecks(*filter)
                                                 ? gen_key
                                                 : AddFilter(*filter, g, t, n_max, gen_key, r, f);
              for (const auto& c : spec_.classifiers()) {
                for (int32_t n : spec_.augment_counts()) {
                  if (n > 0) AddTrainEval(c, g, t, n, source_key, filter, r, f);
                }
              }
            }
          }
        }
      }
    }
    // Generate jobs first, then filter jobs: the DAG's order, which the scheduler offers them in.
    std::stable_sort(plan_.jobs.begin(), plan_.jobs.end(),
                     [](const v1::JobSpec& a, const v1::JobSpec& b) {
                       return KindOrder(a.kind()) < KindOrder(b.kind());
                     });
    return std::move(plan_);
  }

 private:
  Status Validate() const {
    if (in_.spec == nullptr || in_.splits == nullptr)
      return InvalidArgumentError("PlanSweep: missing inputs");
    if (in_.themes.empty()) return InvalidArgumentError("PlanSweep: the dataset has no themes");
    if (spec_.augment_counts_size() == 0)
      return InvalidArgumentError("PlanSweep: no augment counts");
    if (spec_.classifiers_size() == 0) return InvalidArgumentError("PlanSweep: no classifiers");
    // In double: the factors of a spec from the wire may overflow any integer.
    const double cells =
        std::max(1.0, double{1} * spec_.generators_size() * spec_.temperatures_size() *
                          std::max(1, spec_.filters_size())) *
        spec_.augment_counts_size() * spec_.classifiers_size() * spec_.cv().folds() *
        spec_.cv().repeats();
    if (cells > kMaxGridCells) {
      char count[64];
      std::snprintf(count, sizeof(count), "%.0f", cells);
      return InvalidArgumentError("PlanSweep: the grid has " + std::string(count) +
                                  " cells; at most " + std::to_string(kMaxGridCells));
    }
    if (static_cast<int>(in_.splits->size()) != spec_.cv().repeats()) {
      return InvalidArgumentError("PlanSweep: " + std::to_string(in_.splits->size()) +
                                  " fold splits for " + std::to_string(spec_.cv().repeats()) +
                                  " repeats");
    }
    for (const auto& split : *in_.splits) {
      if (split.num_folds != spec_.cv().folds()) {
        return InvalidArgumentError("PlanSweep: a split has " + std::to_string(split.num_folds) +
                                    " folds, the spec " + std::to_string(spec_.cv().folds()));
      }
    }
    const bool augmented =
        *std::max_element(spec_.augment_counts().begin(), spec_.augment_counts().end()) > 0;
    if (augmented && (spec_.generators_size() == 0 || spec_.temperatures_size() == 0)) {
      return InvalidArgumentError(
          "PlanSweep: augment counts above 0 need generators and temperatures");
    }
    for (const auto& g : spec_.generators()) {
      if (!g.model_dir().empty() && !in_.model_identity.count(g.model_dir())) {
        return InvalidArgumentError("PlanSweep: no model identity for " + g.model_dir());
      }
    }
    std::vector<const v1::ClassifierSpec*> classifiers;
    for (const auto& c : spec_.classifiers()) classifiers.push_back(&c);
    for (const auto& filter : spec_.filters())
      classifiers.push_back(&filter.label_consistency().classifier());
    for (const v1::ClassifierSpec* c : classifiers) {
      if (!c->model_dir().empty() && !in_.model_identity.count(c->model_dir())) {
        return InvalidArgumentError("PlanSweep: no model identity for " + c->model_dir());
      }
    }
    return OkStatus();
  }

  static int KindOrder(v1::JobKind kind) {
    return kind == v1::GENERATE ? 0 : kind == v1::FILTER ? 1 : 2;
  }

  std::vector<const v1::FilterSpec*> FilterPasses() const {
    std::vector<const v1::FilterSpec*> out;
    for (const auto& filter : spec_.filters()) out.push_back(&filter);
    if (out.empty()) out.push_back(nullptr);
    return out;
  }

  static bool HasChecks(const v1::FilterSpec& f) {
    return f.has_sanity() || f.has_duplicates() || f.has_label_consistency();
  }

  bool HasBaseline() const {
    return std::find(spec_.augment_counts().begin(), spec_.augment_counts().end(), 0) !=
           spec_.augment_counts().end();
  }

  std::string IdentityOf(const std::string& model_dir) const {
    return model_dir.empty() ? "" : in_.model_identity.at(model_dir);
  }

  // Fields every job of a fold shares: the data it may see and the seed.
  void AddFoldContext(ContentHasher& h, int repeat, int fold) const {
    h.Add("dataset", in_.dataset_fingerprint);
    h.Add("split", split_digests_[repeat]);
    h.AddInt("fold", fold);
    h.AddInt("seed", static_cast<int64_t>(spec_.seed()));
  }

  v1::JobSpec NewJob(v1::JobKind kind, int repeat, int fold) const {
    v1::JobSpec job;
    job.set_kind(kind);
    job.set_dataset_artifact(in_.dataset_artifact);
    job.set_folds_artifact(in_.folds_artifact);
    job.mutable_fold()->set_repeat(repeat);
    job.mutable_fold()->set_fold(fold);
    job.mutable_fold()->set_num_folds(spec_.cv().folds());
    job.set_seed(spec_.seed());
    // Themes are not hashed separately: they are part of the dataset fingerprint.
    for (const auto& t : in_.themes) job.add_themes(t);
    return job;
  }

  // Adds the job unless an identical key exists; returns the key.
  std::string AddJob(v1::JobSpec job, const std::string& key) {
    job.set_key(key);
    if (keys_.insert(key).second) {
      if (job.kind() == v1::GENERATE) {
        ++plan_.generate_jobs;
      } else if (job.kind() == v1::FILTER) {
        ++plan_.filter_jobs;
      } else {
        ++plan_.train_eval_jobs;
        if (job.train_eval().augment_count() == 0) ++plan_.baseline_jobs;
      }
      plan_.jobs.push_back(std::move(job));
    }
    return key;
  }

  std::string AddGenerate(const v1::GeneratorSpec& g, double temperature, int32_t n_max, int r,
                          int f) {
    const double t = GeneratorUsesTemperature(g.kind()) ? temperature : 0.0;
    v1::JobSpec job = NewJob(v1::GENERATE, r, f);
    job.set_code_version(ExecutorCodeVersion(g.kind()));
    *job.mutable_resources() = spec_.generate_resources();
    v1::GenerateTask* task = job.mutable_generate();
    *task->mutable_generator() = g;
    task->set_temperature(t);
    task->set_texts_per_theme(n_max);
    ContentHasher h;
    h.Add("job", "generate");
    h.Add("code_version", job.code_version());
    AddGenerator(h, g, IdentityOf(g.model_dir()));
    h.AddDouble("temperature", t);
    h.AddInt("texts_per_theme", n_max);
    AddFoldContext(h, r, f);
    return AddJob(std::move(job), "gen-" + h.HexDigest());
  }

  // The checks' settings and the generate job's key: the name is left out (renaming a filter must
  // not rerun it), and so is everything a generate job's key already stands for.
  std::string AddFilter(const v1::FilterSpec& filter, const v1::GeneratorSpec& g,
                        double temperature, int32_t n_max, const std::string& gen_key, int r,
                        int f) {
    v1::JobSpec job = NewJob(v1::FILTER, r, f);
    job.set_code_version(kFilterCodeVersion);
    // A filter job trains a classifier only for its label check; one with a model needs what the
    // train jobs need, the rest runs anywhere.
    const v1::ClassifierSpec& label_classifier = filter.label_consistency().classifier();
    if (filter.has_label_consistency() && !label_classifier.model_dir().empty()) {
      *job.mutable_resources() = spec_.train_eval_resources();
    } else {
      job.mutable_resources()->set_device("any");
      job.mutable_resources()->set_time_limit_s(spec_.train_eval_resources().time_limit_s());
    }
    v1::FilterTask* task = job.mutable_filter();
    *task->mutable_filter() = filter;
    task->set_generate_job(gen_key);
    *task->mutable_generator() = g;
    task->set_temperature(GeneratorUsesTemperature(g.kind()) ? temperature : 0.0);
    task->set_texts_per_theme(n_max);
    job.add_depends_on(gen_key);
    ContentHasher h;
    h.Add("job", "filter");
    h.Add("code_version", job.code_version());
    h.Add("generate_job", gen_key);
    if (filter.has_sanity()) {
      h.AddInt("sanity.min_words", filter.sanity().min_words());
      h.AddInt("sanity.max_words", filter.sanity().max_words());
      h.AddDouble("sanity.min_letter_share", filter.sanity().min_letter_share());
      h.AddDouble("sanity.echo_jaccard", filter.sanity().echo_jaccard());
    }
    if (filter.has_duplicates()) {
      h.AddDouble("duplicates.threshold", filter.duplicates().threshold());
      h.AddInt("duplicates.shingle_words", filter.duplicates().shingle_words());
    }
    if (filter.has_label_consistency()) {
      AddClassifier(h, label_classifier, IdentityOf(label_classifier.model_dir()));
      h.AddDouble("label.threshold", filter.label_consistency().threshold());
      h.Add("label.action", filter.label_consistency().action());
    }
    return AddJob(std::move(job), "filter-" + h.HexDigest());
  }

  void AddBaseline(const v1::ClassifierSpec& c, int r, int f) {
    const std::string key = AddTrainEvalJob(c, nullptr, 0.0, 0, "", nullptr, r, f);
    AddCell("", 0.0, 0, c.name(), "", r, f, key);
  }

  void AddTrainEval(const v1::ClassifierSpec& c, const v1::GeneratorSpec& g, double temperature,
                    int32_t n, const std::string& source_key, const v1::FilterSpec* filter, int r,
                    int f) {
    const std::string key = AddTrainEvalJob(c, &g, temperature, n, source_key, filter, r, f);
    AddCell(g.name(), temperature, n, c.name(), filter == nullptr ? "" : filter->name(), r, f, key);
  }

  // `source_key`: the generate or filter job whose texts it trains on.
  std::string AddTrainEvalJob(const v1::ClassifierSpec& c, const v1::GeneratorSpec* g,
                              double temperature, int32_t n, const std::string& source_key,
                              const v1::FilterSpec* filter, int r, int f) {
    v1::JobSpec job = NewJob(v1::TRAIN_EVAL, r, f);
    job.set_code_version(ExecutorCodeVersion(c.kind()));
    *job.mutable_resources() = spec_.train_eval_resources();
    v1::TrainEvalTask* task = job.mutable_train_eval();
    *task->mutable_classifier() = c;
    task->set_augment_count(n);
    if (g != nullptr) {
      task->set_generate_job(source_key);
      task->set_generator_name(g->name());
      task->set_temperature(temperature);
      if (filter != nullptr) task->set_filter_name(filter->name());
      job.add_depends_on(source_key);
    }
    ContentHasher h;
    h.Add("job", "train_eval");
    h.Add("code_version", job.code_version());
    AddClassifier(h, c, IdentityOf(c.model_dir()));
    // The source job's key stands for everything about the synthetic texts (the label predates
    // filter jobs; kept so that unfiltered train jobs keep their keys).
    h.Add("generate_job", source_key);
    h.AddInt("augment_count", n);
    AddFoldContext(h, r, f);
    return AddJob(std::move(job), "train-" + h.HexDigest());
  }

  void AddCell(const std::string& generator, double temperature, int32_t n,
               const std::string& classifier, const std::string& filter, int r, int f,
               const std::string& key) {
    v1::SweepCell& cell = plan_.cells.emplace_back();
    cell.set_generator(generator);
    cell.set_temperature(temperature);
    cell.set_augment_count(n);
    cell.set_classifier(classifier);
    cell.set_filter(filter);
    cell.set_repeat(r);
    cell.set_fold(f);
    cell.set_job_key(key);
  }

  const PlanInputs& in_;
  const v1::SweepSpec& spec_;
  std::vector<std::string> split_digests_;
  std::set<std::string> keys_;
  Plan plan_;
};

}  // namespace

std::string Plan::Summary() const {
  return std::to_string(naive_cells) + " grid cells (" + std::to_string(naive_jobs) +
         " jobs if each ran alone) -> " + std::to_string(unique_jobs()) +
         " unique jobs: " + std::to_string(generate_jobs) + " generate, " +
         (filter_jobs > 0 ? std::to_string(filter_jobs) + " filter, " : "") +
         std::to_string(train_eval_jobs) + " train/eval (" + std::to_string(baseline_jobs) +
         " baselines)";
}

StatusOr<Plan> PlanSweep(const PlanInputs& inputs) { return Planner(inputs).Run(); }

}  // namespace augsweep
