#include "coordinator/service/sweep_queries.h"

#include <algorithm>
#include <map>
#include <utility>

#include "augsweep/v1/data.pb.h"
#include "augsweep/v1/job.pb.h"
#include "augsweep/v1/records.pb.h"
#include "common/spec/executor_kinds.h"
#include "coordinator/service/event_log.h"
#include "coordinator/service/result_aggregation.h"
#include "coordinator/service/scheduler_protos.h"

namespace augsweep {
namespace {

// What a listing says of a generate or a filter job's set.
struct SetJobFacts {
  const v1::GeneratorSpec* generator = nullptr;
  double temperature = 0;
  int32_t wanted = 0;  // N_max per theme
  std::string filter;  // "" for a generate job
  std::string source_job;
};

SetJobFacts FactsOf(const v1::JobSpec& spec) {
  if (spec.kind() == v1::FILTER) {
    const v1::FilterTask& task = spec.filter();
    return {&task.generator(), task.temperature(), task.texts_per_theme(), task.filter().name(),
            task.generate_job()};
  }
  const v1::GenerateTask& task = spec.generate();
  return {&task.generator(), task.temperature(), task.texts_per_theme(), "", ""};
}

// Whether the job's generator kind ignores temperature (its one job serves every temperature).
bool IgnoresTemperature(const SetJobFacts& facts) {
  return !GeneratorUsesTemperature(facts.generator->kind());
}

bool Selected(const v1::GetTextsRequest& request, const v1::JobSpec& spec,
              const SetJobFacts& facts) {
  if (!request.generator().empty() && facts.generator->name() != request.generator()) return false;
  if (request.has_temperature() && !IgnoresTemperature(facts) &&
      facts.temperature != request.temperature())
    return false;
  if (request.has_filter() && facts.filter != request.filter()) return false;
  if (request.has_repeat() && spec.fold().repeat() != request.repeat()) return false;
  if (request.has_fold() && spec.fold().fold() != request.fold()) return false;
  return true;
}

// The texts of one succeeded job: per theme what was wanted, kept and dropped, then (unless
// counts_only) the kept and dropped texts per theme, at most `limit` of each (0: all).
// Adds one drop by `check` to the theme's per-check counts (kept in check order).
void CountCheckDrop(v1::ThemeGeneration* generation, const std::string& check) {
  for (v1::CheckDrops& drops : *generation->mutable_check_drops()) {
    if (drops.check() == check) {
      drops.set_dropped(drops.dropped() + 1);
      return;
    }
  }
  v1::CheckDrops* drops = generation->add_check_drops();
  drops->set_check(check);
  drops->set_dropped(1);
}

void FillTexts(const v1::GetTextsRequest& request, const v1::JobSpec& spec,
               const SetJobFacts& facts, const v1::SyntheticSet& set, v1::GenerateJobTexts* job) {
  std::map<std::string, v1::ThemeGeneration*> themes;
  for (const std::string& theme : spec.themes()) {
    v1::ThemeGeneration* generation = job->add_themes();
    generation->set_theme(theme);
    generation->set_wanted(facts.wanted);
    themes[theme] = generation;
  }
  for (const v1::SyntheticText& text : set.texts()) {
    if (auto t = themes.find(text.theme()); t != themes.end()) {
      t->second->set_kept(t->second->kept() + 1);
      t->second->set_cut(t->second->cut() + text.cut());
      t->second->set_relabelled(t->second->relabelled() + (text.labels_size() > 0));
    }
  }
  // A filtered set holds only its checks' drops; the generator's stay with its source job.
  for (const v1::DroppedText& text : set.dropped()) {
    auto t = themes.find(text.theme());
    if (t == themes.end()) continue;
    t->second->set_dropped(t->second->dropped() + 1);
    if (!text.filter().empty()) CountCheckDrop(t->second, text.filter());
  }
  for (auto& [name, generation] : themes)
    generation->set_shortfall(std::max(0, generation->wanted() - generation->kept()));
  if (set.has_measures()) *job->mutable_measures() = set.measures();
  if (set.has_audit()) {
    *job->mutable_audit() = set.audit();
    job->mutable_audit()->clear_worst();
  }
  if (request.audit()) {
    for (const v1::AuditFinding& finding : set.audit().worst()) {
      if (finding.text_index() < 0 || finding.text_index() >= set.texts_size()) continue;
      const v1::SyntheticText& text = set.texts(finding.text_index());
      if (!request.theme().empty() && text.theme() != request.theme()) continue;
      v1::AuditView* view = job->add_audit_findings();
      view->set_theme(text.theme());
      view->set_text(text.text());
      view->set_longest_span_words(finding.longest_span_words());
      view->set_span(finding.span());
      *view->mutable_rare_tokens() = finding.rare_tokens();
    }
  }
  if (request.counts_only()) return;

  auto prompt = [&](int index) {
    return index >= 0 && index < set.prompts_size() ? set.prompts(index) : std::string();
  };
  auto completion = [&](int index) {
    return index >= 0 && index < set.raw_completions_size() ? set.raw_completions(index)
                                                            : std::string();
  };
  std::map<std::string, int> shown_kept, shown_dropped;
  auto show = [&](const std::string& theme, std::map<std::string, int>& shown) {
    if (!request.theme().empty() && theme != request.theme()) return false;
    if (request.limit() > 0 && shown[theme] >= request.limit()) return false;
    ++shown[theme];
    return true;
  };
  for (const v1::SyntheticText& text : set.texts()) {
    if (!show(text.theme(), shown_kept)) continue;
    v1::TextView* view = job->add_texts();
    view->set_theme(text.theme());
    view->set_text(text.text());
    view->set_prompt(prompt(text.prompt_index()));
    view->set_raw_completion(completion(text.completion_index()));
    view->set_cut(text.cut());
    *view->mutable_labels() = text.labels();
  }
  for (const v1::DroppedText& text : set.dropped()) {
    if (!show(text.theme(), shown_dropped)) continue;
    v1::TextView* view = job->add_dropped();
    view->set_theme(text.theme());
    view->set_text(text.text());
    view->set_prompt(prompt(text.prompt_index()));
    view->set_raw_completion(completion(text.completion_index()));
    view->set_dropped_because(text.reason());
    view->set_dropped_by(text.filter());
  }
}

}  // namespace

StatusOr<v1::SweepStatus> SweepQueries::GetStatus(const v1::GetStatusRequest& request) const {
  AUGSWEEP_ASSIGN_OR_RETURN(SweepProgress progress, scheduler_->GetStatus(request.sweep_id()));
  return ToProto(progress);
}

v1::ListSweepsResponse SweepQueries::ListSweeps() const {
  v1::ListSweepsResponse out;
  for (const SweepProgress& progress : scheduler_->ListSweeps())
    *out.add_sweeps() = ToProto(progress);
  return out;
}

StatusOr<v1::GetResultsResponse> SweepQueries::GetResults(
    const v1::GetResultsRequest& request) const {
  AUGSWEEP_ASSIGN_OR_RETURN(PairedTestKind test, ParsePairedTestKind(request.test()));
  AUGSWEEP_ASSIGN_OR_RETURN(SweepCells cells, scheduler_->GetResults(request.sweep_id()));
  return AggregateResults(cells, test);
}

StatusOr<v1::GetTextsResponse> SweepQueries::GetTexts(const v1::GetTextsRequest& request) const {
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<SetJobOutcome> jobs,
                            scheduler_->GetSetJobs(request.sweep_id()));
  v1::GetTextsResponse out;
  size_t bytes = 0;
  for (const SetJobOutcome& outcome : jobs) {
    v1::JobSpec spec;
    if (!spec.ParseFromString(outcome.job_spec))
      return DataLossError("store: job " + outcome.job_key + " is corrupt");
    const SetJobFacts facts = FactsOf(spec);
    if (!Selected(request, spec, facts)) continue;
    v1::GenerateJobTexts job;
    job.set_job_key(outcome.job_key);
    job.set_generator(facts.generator->name());
    job.set_temperature(facts.temperature);
    job.set_temperature_ignored(IgnoresTemperature(facts));
    job.set_filter(facts.filter);
    job.set_source_job(facts.source_job);
    job.set_repeat(spec.fold().repeat());
    job.set_fold(spec.fold().fold());
    job.set_state(outcome.result.empty() ? (outcome.failed ? "failed" : "pending") : "ok");
    if (!outcome.result.empty()) {
      v1::JobResult result;
      if (!result.ParseFromString(outcome.result) ||
          !(result.has_generate() || result.has_filter()))
        return DataLossError("store: result of " + outcome.job_key + " is corrupt");
      const bool filtered = result.has_filter();
      job.set_wall_seconds(filtered ? result.filter().wall_seconds()
                                    : result.generate().wall_seconds());
      AUGSWEEP_ASSIGN_OR_RETURN(
          std::string set_bytes,
          store_->ReadArtifact(filtered ? result.filter().synthetic_artifact()
                                        : result.generate().synthetic_artifact()));
      v1::SyntheticSet set;
      if (!set.ParseFromString(set_bytes))
        return DataLossError("store: synthetic set of " + outcome.job_key + " is corrupt");
      FillTexts(request, spec, facts, set, &job);
    }
    bytes += job.ByteSizeLong();
    if (bytes > kMaxTextsReplyBytes) {
      out.set_truncated(true);
      break;
    }
    *out.add_jobs() = std::move(job);
  }
  return out;
}

StatusOr<v1::ListEventsResponse> SweepQueries::ListEvents(
    const v1::ListEventsRequest& request) const {
  if (!request.sweep_id().empty()) {
    AUGSWEEP_RETURN_IF_ERROR(scheduler_->GetStatus(request.sweep_id()).status());
  }
  return ReadEvents(*store_, request);
}

StatusOr<v1::SweepDescription> SweepQueries::DescribeSweep(
    const v1::DescribeSweepRequest& request) const {
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                            store_->Get(Family::kSweeps, request.sweep_id()));
  if (!bytes) return NotFoundError("no sweep " + request.sweep_id());
  v1::SweepRecord sweep;
  if (!sweep.ParseFromString(*bytes))
    return DataLossError("store: sweep record " + request.sweep_id() + " is corrupt");
  v1::SweepDescription out;
  out.set_sweep_id(sweep.sweep_id());
  out.set_name(sweep.name());
  out.set_spec_yaml(sweep.spec_yaml());
  out.set_submitted_unix_ms(sweep.submitted_unix_ms());
  *out.mutable_warnings() = sweep.warnings();
  out.set_naive_cells(sweep.naive_cells());
  out.set_jobs(sweep.job_keys_size());

  AUGSWEEP_ASSIGN_OR_RETURN(std::string data_bytes, store_->ReadArtifact(sweep.dataset_artifact()));
  v1::DatasetData data;
  if (!data.ParseFromString(data_bytes))
    return DataLossError("store: dataset of sweep " + sweep.sweep_id() + " is corrupt");
  const int themes = data.themes_size();
  std::vector<int32_t> positives(static_cast<size_t>(themes), 0);
  for (const v1::LabelledExample& example : data.examples()) {
    for (int32_t label : example.labels()) {
      if (label >= 0 && label < themes) ++positives[static_cast<size_t>(label)];
    }
  }
  out.set_examples(data.examples_size());
  for (int t = 0; t < themes; ++t) {
    v1::ThemeCount* count = out.add_themes();
    count->set_theme(data.themes(t));
    count->set_positives(positives[static_cast<size_t>(t)]);
  }

  AUGSWEEP_ASSIGN_OR_RETURN(std::string fold_bytes, store_->ReadArtifact(sweep.folds_artifact()));
  v1::FoldAssignments folds;
  if (!folds.ParseFromString(fold_bytes))
    return DataLossError("store: folds of sweep " + sweep.sweep_id() + " are corrupt");
  for (const v1::FoldSplitData& split : folds.splits()) {
    std::vector<v1::FoldSize> sizes(static_cast<size_t>(std::max(0, split.num_folds())));
    for (int f = 0; f < split.num_folds(); ++f) {
      sizes[static_cast<size_t>(f)].set_repeat(split.repeat());
      sizes[static_cast<size_t>(f)].set_fold(f);
      sizes[static_cast<size_t>(f)].mutable_test_positives()->Resize(themes, 0);
    }
    for (int i = 0; i < split.fold_of_example_size() && i < data.examples_size(); ++i) {
      const int f = split.fold_of_example(i);
      if (f < 0 || f >= split.num_folds()) continue;
      v1::FoldSize& size = sizes[static_cast<size_t>(f)];
      size.set_test_examples(size.test_examples() + 1);
      for (int32_t label : data.examples(i).labels()) {
        if (label >= 0 && label < themes)
          size.set_test_positives(label, size.test_positives(label) + 1);
      }
    }
    for (v1::FoldSize& size : sizes) *out.add_folds() = std::move(size);
  }
  return out;
}

}  // namespace augsweep
