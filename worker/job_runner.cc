#include "worker/job_runner.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "augsweep/v1/data.pb.h"
#include "common/dataset/data_codec.h"
#include "common/exception_status.h"
#include "common/metrics/auc.h"
#include "common/synthetic_quality/privacy_audit.h"
#include "common/synthetic_quality/set_measures.h"
#include "worker/synthetic_filter.h"

namespace augsweep {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StatusOr<const FoldSplit*> SplitOf(const v1::JobSpec& job, const std::vector<FoldSplit>& splits) {
  const v1::FoldRef& f = job.fold();
  for (const FoldSplit& s : splits) {
    if (s.repeat == f.repeat()) {
      if (f.fold() < 0 || f.fold() >= s.num_folds) break;
      return &s;
    }
  }
  return InvalidArgumentError("job " + job.key() + ": no fold " + std::to_string(f.fold()) +
                              " of repeat " + std::to_string(f.repeat()) +
                              " in its folds artifact");
}

// The fold's training part: all of the real data a generator, a filter or a classifier's
// training may see.
std::vector<LabelledText> TrainingTexts(const Dataset& dataset, const FoldSplit& split, int fold) {
  std::vector<LabelledText> out;
  for (int i : split.TrainIndices(fold)) {
    out.push_back({dataset.examples[i].text, dataset.examples[i].labels});
  }
  return out;
}

}  // namespace

std::string SyntheticArtifactId(const std::string& job_key) { return "synthetic-" + job_key; }

StatusOr<GenerateRequest> BuildGenerateRequest(const v1::JobSpec& job, const Dataset& dataset,
                                               const FoldSplit& split) {
  GenerateRequest request;
  request.generator = job.generate().generator();
  request.temperature = job.generate().temperature();
  request.texts_per_theme = job.generate().texts_per_theme();
  request.seed = job.seed();
  request.repeat = job.fold().repeat();
  request.fold = job.fold().fold();
  request.themes = dataset.themes;
  // Only the training part: nothing of the test fold may reach a prompt.
  request.train = TrainingTexts(dataset, split, job.fold().fold());
  return request;
}

StatusOr<TrainRequest> BuildTrainRequest(const v1::JobSpec& job, const Dataset& dataset,
                                         const FoldSplit& split, const v1::SyntheticSet* synthetic,
                                         std::vector<int>* test_indices,
                                         std::vector<int>* synthetic_per_theme) {
  TrainRequest request;
  request.classifier = job.train_eval().classifier();
  request.seed = job.seed();
  request.themes = dataset.themes;
  request.train = TrainingTexts(dataset, split, job.fold().fold());
  *test_indices = split.TestIndices(job.fold().fold());
  for (int i : *test_indices) request.test_texts.push_back(dataset.examples[i].text);
  const int n = job.train_eval().augment_count();
  if (n == 0) return request;
  if (synthetic == nullptr)
    return InvalidArgumentError("job " + job.key() + " needs synthetic texts");
  // The first n texts written for each theme, labelled with that theme (or with the themes a
  // relabelling filter gave them).
  std::map<std::string, int> theme_index;
  for (size_t t = 0; t < dataset.themes.size(); ++t)
    theme_index[dataset.themes[t]] = static_cast<int>(t);
  auto unknown = [&](const std::string& theme) {
    return DataLossError("synthetic set of " + job.train_eval().generate_job() +
                         " has unknown theme " + theme);
  };
  std::vector<int> taken(dataset.themes.size(), 0);
  for (const v1::SyntheticText& s : synthetic->texts()) {
    auto it = theme_index.find(s.theme());
    if (it == theme_index.end()) return unknown(s.theme());
    if (taken[it->second] >= n) continue;
    ++taken[it->second];
    std::vector<int> labels = {it->second};
    if (s.labels_size() > 0) {
      labels.clear();
      for (const std::string& label : s.labels()) {
        auto l = theme_index.find(label);
        if (l == theme_index.end()) return unknown(label);
        labels.push_back(l->second);
      }
      std::sort(labels.begin(), labels.end());
    }
    request.train.push_back({s.text(), std::move(labels)});
  }
  if (synthetic_per_theme != nullptr) *synthetic_per_theme = taken;
  return request;
}

StatusOr<std::shared_ptr<const JobRunner::JobData>> JobRunner::LoadData(const v1::JobSpec& job) {
  const std::string cache_key = job.dataset_artifact() + "|" + job.folds_artifact();
  {
    MutexLock lock(&mu_);
    auto it = data_cache_.find(cache_key);
    if (it != data_cache_.end()) return it->second;
  }
  AUGSWEEP_ASSIGN_OR_RETURN(std::string dataset_bytes, artifacts_->Fetch(job.dataset_artifact()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string folds_bytes, artifacts_->Fetch(job.folds_artifact()));
  v1::DatasetData dataset_proto;
  v1::FoldAssignments folds_proto;
  if (!dataset_proto.ParseFromString(dataset_bytes) || !folds_proto.ParseFromString(folds_bytes)) {
    return DataLossError("job " + job.key() + ": its dataset or folds artifact does not parse");
  }
  auto data = std::make_shared<JobData>();
  AUGSWEEP_ASSIGN_OR_RETURN(data->dataset, DatasetFromProto(dataset_proto));
  AUGSWEEP_ASSIGN_OR_RETURN(data->splits,
                            SplitsFromProto(folds_proto, data->dataset.examples.size()));
  MutexLock lock(&mu_);
  data_cache_[cache_key] = data;
  return std::shared_ptr<const JobData>(data);
}

namespace {

// The kept texts' measures and privacy audit against the fold's real training texts (the only
// real texts the generator saw), stored with the set.
void MeasureAndAudit(const std::vector<LabelledText>& real_train, v1::SyntheticSet& set) {
  std::vector<std::string> synthetic, real;
  for (const v1::SyntheticText& t : set.texts()) synthetic.push_back(t.text());
  for (const LabelledText& t : real_train) real.push_back(t.text);
  const SetMeasures m = MeasureSet(synthetic, real);
  v1::SetMeasures* out = set.mutable_measures();
  out->set_texts(m.texts);
  out->set_distinct_1(m.distinct_1);
  out->set_distinct_2(m.distinct_2);
  out->set_mean_pairwise_jaccard(m.mean_pairwise_jaccard);
  out->set_length_mean(m.length_mean);
  out->set_length_sd(m.length_sd);
  out->set_nearest_real_mean(m.nearest_real_mean);
  out->set_nearest_real_p50(m.nearest_real_p50);
  out->set_nearest_real_p90(m.nearest_real_p90);
  out->set_nearest_real_max(m.nearest_real_max);
  const PrivacyAudit audit = AuditSet(synthetic, real);
  v1::PrivacyAudit* a = set.mutable_audit();
  a->set_span_threshold(audit.span_threshold);
  a->set_longest_span_words(audit.longest_span_words);
  a->set_share_with_long_span(audit.share_with_long_span);
  a->set_texts_with_rare_tokens(audit.texts_with_rare_tokens);
  a->set_rare_tokens_in_real(audit.rare_tokens_in_real);
  for (const AuditFinding& f : audit.worst) {
    v1::AuditFinding* finding = a->add_worst();
    finding->set_text_index(f.text_index);
    finding->set_longest_span_words(f.longest_span_words);
    finding->set_span(f.span);
    for (const std::string& t : f.rare_tokens) finding->add_rare_tokens(t);
  }
}

}  // namespace

StatusOr<v1::JobResult> JobRunner::RunGenerate(const v1::JobSpec& job, const JobData& data,
                                               JobControl& control) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& kind = job.generate().generator().kind();
  GeneratorExecutor* generator = executors_->FindGenerator(kind);
  if (generator == nullptr)
    return FailedPreconditionError("this worker has no generator of kind " + kind);
  AUGSWEEP_ASSIGN_OR_RETURN(const FoldSplit* split, SplitOf(job, data.splits));
  AUGSWEEP_ASSIGN_OR_RETURN(GenerateRequest request,
                            BuildGenerateRequest(job, data.dataset, *split));
  // The executor boundary: an exception (a bug, or memory) fails this job, never the worker.
  AUGSWEEP_ASSIGN_OR_RETURN(v1::SyntheticSet set, CallCatchingExceptions("generator " + kind, [&] {
                              return generator->Generate(request, control);
                            }));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string artifact, MeasureAndStore(job.key(), request.train, set));
  v1::JobResult result;
  result.mutable_generate()->set_synthetic_artifact(artifact);
  result.mutable_generate()->set_wall_seconds(SecondsSince(start));
  return result;
}

StatusOr<v1::JobResult> JobRunner::RunFilter(const v1::JobSpec& job, const JobData& data,
                                             JobControl& control) {
  const auto start = std::chrono::steady_clock::now();
  AUGSWEEP_ASSIGN_OR_RETURN(const FoldSplit* split, SplitOf(job, data.splits));
  AUGSWEEP_ASSIGN_OR_RETURN(v1::SyntheticSet generated,
                            FetchSyntheticSet(job.filter().generate_job()));
  FilterInputs inputs;
  inputs.filter = &job.filter().filter();
  inputs.generated = &generated;
  inputs.themes = data.dataset.themes;
  inputs.seed = job.seed();
  // Only the training part: the test fold never reaches a check.
  inputs.real_train = TrainingTexts(data.dataset, *split, job.fold().fold());
  AUGSWEEP_ASSIGN_OR_RETURN(v1::SyntheticSet set, CallCatchingExceptions("filter", [&] {
                              return FilterSyntheticSet(inputs, *executors_, control);
                            }));
  AUGSWEEP_ASSIGN_OR_RETURN(std::string artifact,
                            MeasureAndStore(job.key(), inputs.real_train, set));
  v1::JobResult result;
  result.mutable_filter()->set_synthetic_artifact(artifact);
  result.mutable_filter()->set_wall_seconds(SecondsSince(start));
  return result;
}

StatusOr<v1::JobResult> JobRunner::RunTrainEval(const v1::JobSpec& job, const JobData& data,
                                                JobControl& control) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& kind = job.train_eval().classifier().kind();
  ClassifierExecutor* classifier = executors_->FindClassifier(kind);
  if (classifier == nullptr)
    return FailedPreconditionError("this worker has no classifier of kind " + kind);
  AUGSWEEP_ASSIGN_OR_RETURN(const FoldSplit* split, SplitOf(job, data.splits));
  v1::SyntheticSet synthetic;
  if (job.train_eval().augment_count() > 0) {
    AUGSWEEP_ASSIGN_OR_RETURN(synthetic, FetchSyntheticSet(job.train_eval().generate_job()));
  }
  std::vector<int> test_indices, synthetic_per_theme;
  AUGSWEEP_ASSIGN_OR_RETURN(TrainRequest request,
                            BuildTrainRequest(job, data.dataset, *split, &synthetic, &test_indices,
                                              &synthetic_per_theme));
  AUGSWEEP_ASSIGN_OR_RETURN(TrainOutcome outcome, CallCatchingExceptions("classifier " + kind, [&] {
                              return classifier->TrainAndPredict(request, control);
                            }));
  const size_t num_themes = data.dataset.themes.size();
  if (outcome.test_probabilities.size() != test_indices.size()) {
    return InternalError(kind + " returned " + std::to_string(outcome.test_probabilities.size()) +
                         " predictions for " + std::to_string(test_indices.size()) + " test texts");
  }
  std::vector<std::vector<double>> scores;
  std::vector<std::vector<int>> labels;
  v1::TrainEvalResult* r = nullptr;
  v1::JobResult result;
  r = result.mutable_train_eval();
  for (size_t i = 0; i < test_indices.size(); ++i) {
    const Example& e = data.dataset.examples[test_indices[i]];
    if (outcome.test_probabilities[i].size() != num_themes) {
      return InternalError(kind + " returned a prediction without one score per theme");
    }
    scores.emplace_back(outcome.test_probabilities[i].begin(), outcome.test_probabilities[i].end());
    labels.push_back(e.labels);
    r->add_test_example_ids(e.id);
    for (float p : outcome.test_probabilities[i]) r->add_test_probabilities(p);
  }
  AUGSWEEP_ASSIGN_OR_RETURN(FoldAuc auc,
                            ComputeFoldAuc(scores, labels, static_cast<int>(num_themes)));
  for (size_t t = 0; t < num_themes; ++t) {
    v1::ThemeAuc* theme = r->add_per_theme();
    theme->set_theme(data.dataset.themes[t]);
    theme->set_defined(auc.per_theme[t].has_value());
    theme->set_auc(auc.per_theme[t].value_or(0.0));
  }
  r->set_macro_defined(auc.macro.has_value());
  r->set_macro_auc(auc.macro.value_or(0.0));
  for (float l : outcome.loss_curve) r->add_loss_curve(l);
  for (int used : synthetic_per_theme) {
    r->add_synthetic_per_theme(used);
    r->set_synthetic_texts_used(r->synthetic_texts_used() + used);
  }
  r->set_wall_seconds(SecondsSince(start));
  return result;
}

StatusOr<v1::SyntheticSet> JobRunner::FetchSyntheticSet(const std::string& job_key) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string bytes, artifacts_->Fetch(SyntheticArtifactId(job_key)));
  v1::SyntheticSet set;
  if (!set.ParseFromString(bytes))
    return DataLossError("synthetic set of " + job_key + " does not parse");
  return set;
}

StatusOr<std::string> JobRunner::MeasureAndStore(const std::string& job_key,
                                                 const std::vector<LabelledText>& real_train,
                                                 v1::SyntheticSet& set) {
  MeasureAndAudit(real_train, set);
  const std::string artifact = SyntheticArtifactId(job_key);
  AUGSWEEP_RETURN_IF_ERROR(artifacts_->Put(artifact, set.SerializeAsString()));
  return artifact;
}

StatusOr<v1::JobResult> JobRunner::Run(const v1::Lease& lease, JobControl& control) {
  const v1::JobSpec& job = lease.job();
  AUGSWEEP_ASSIGN_OR_RETURN(std::shared_ptr<const JobData> data, LoadData(job));
  StatusOr<v1::JobResult> result =
      job.kind() == v1::GENERATE ? RunGenerate(job, *data, control)
      : job.kind() == v1::FILTER ? RunFilter(job, *data, control)
      : job.kind() == v1::TRAIN_EVAL
          ? RunTrainEval(job, *data, control)
          : StatusOr<v1::JobResult>(InvalidArgumentError("job of unknown kind"));
  if (!result.ok()) return result.status();
  result->set_job_key(job.key());
  result->set_attempt(lease.attempt());
  return result;
}

}  // namespace augsweep
