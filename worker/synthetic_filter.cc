#include "worker/synthetic_filter.h"

#include <algorithm>
#include <map>

#include "common/synthetic_quality/near_duplicates.h"
#include "common/synthetic_quality/sanity_filter.h"
#include "worker/executors/label_consistency.h"
#include "worker/executors/prompt_template.h"

namespace augsweep {
namespace {

// A kept text so far: its place in the generated set and its theme index.
struct Survivor {
  int index = 0;
  int theme = 0;
};

// The real texts a prompt showed: those it contains word for word, newlines as spaces (the way
// prompts render examples). An EDA "prompt" is the one real text it rewrote.
class PromptExamples {
 public:
  PromptExamples(const v1::SyntheticSet& set, const std::vector<LabelledText>& real) : set_(set) {
    for (const LabelledText& r : real) {
      std::string flat = r.text;
      std::replace(flat.begin(), flat.end(), '\n', ' ');
      if (!flat.empty()) real_.push_back(std::move(flat));
    }
  }

  const std::vector<std::string>& Of(int prompt_index) {
    auto [it, inserted] = cache_.try_emplace(prompt_index);
    if (!inserted || prompt_index < 0 || prompt_index >= set_.prompts_size()) return it->second;
    const std::string& prompt = set_.prompts(prompt_index);
    for (const std::string& r : real_) {
      if (prompt.find(r) != std::string::npos) it->second.push_back(r);
    }
    return it->second;
  }

 private:
  const v1::SyntheticSet& set_;
  std::vector<std::string> real_;
  std::map<int, std::vector<std::string>> cache_;
};

class Filtering {
 public:
  Filtering(const FilterInputs& in, const ExecutorRegistry& executors, JobControl& control)
      : in_(in), set_(*in.generated), executors_(executors), control_(control) {}

  StatusOr<v1::SyntheticSet> Run() {
    std::map<std::string, int> theme_index;
    for (size_t t = 0; t < in_.themes.size(); ++t) theme_index[in_.themes[t]] = static_cast<int>(t);
    for (int i = 0; i < set_.texts_size(); ++i) {
      auto it = theme_index.find(set_.texts(i).theme());
      if (it == theme_index.end())
        return DataLossError("the synthetic set has a text of unknown theme " +
                             set_.texts(i).theme());
      survivors_.push_back({i, it->second});
    }
    const v1::FilterSpec& filter = *in_.filter;
    if (filter.has_sanity()) Sanity(filter.sanity());
    control_.ReportProgress(0.2f);
    if (control_.cancelled()) return CancelledError("filter job cancelled");
    if (filter.has_duplicates()) Duplicates(filter.duplicates());
    control_.ReportProgress(0.4f);
    if (control_.cancelled()) return CancelledError("filter job cancelled");
    if (filter.has_label_consistency())
      AUGSWEEP_RETURN_IF_ERROR(LabelConsistency(filter.label_consistency()));
    return Output();
  }

 private:
  void Drop(const Survivor& s, const std::string& check, const std::string& reason,
            float probability = 0) {
    const v1::SyntheticText& text = set_.texts(s.index);
    v1::DroppedText& d = dropped_.emplace_back();
    d.set_theme(text.theme());
    d.set_reason(reason);
    d.set_text(text.text());
    d.set_prompt_index(text.prompt_index());
    d.set_completion_index(text.completion_index());
    d.set_filter(check);
    d.set_intended_probability(probability);
    ++dropped_per_theme_[s.theme];
  }

  void Sanity(const v1::SanityCheck& check) {
    SanityOptions options;
    options.min_words = check.min_words();
    options.max_words = check.max_words();
    options.min_letter_share = check.min_letter_share();
    options.echo_jaccard = check.echo_jaccard();
    PromptExamples examples(set_, in_.real_train);
    // The prompt's own words, per theme: its template for the theme without any example.
    std::vector<std::string> instructions;
    for (const std::string& theme : in_.themes)
      instructions.push_back(RenderPrompt(set_.prompt_template(), theme, {}));
    std::vector<Survivor> kept;
    for (const Survivor& s : survivors_) {
      const v1::SyntheticText& text = set_.texts(s.index);
      const std::string reason =
          SanityReason(text.text(), instructions[static_cast<size_t>(s.theme)],
                       examples.Of(text.prompt_index()), options);
      if (reason.empty()) {
        kept.push_back(s);
      } else {
        Drop(s, "sanity", reason);
      }
    }
    survivors_ = std::move(kept);
  }

  // Within each theme, in generation order, against the fold's real training texts.
  void Duplicates(const v1::DuplicateCheck& check) {
    NearDuplicateOptions options;
    options.threshold = check.threshold();
    options.shingle_words = check.shingle_words();
    std::vector<std::string> real;
    for (const LabelledText& r : in_.real_train) real.push_back(r.text);
    std::vector<std::string> drop_reason(survivors_.size());  // "" keeps it
    for (int theme = 0; theme < static_cast<int>(in_.themes.size()); ++theme) {
      std::vector<size_t> members;
      std::vector<std::string> texts;
      for (size_t i = 0; i < survivors_.size(); ++i) {
        if (survivors_[i].theme != theme) continue;
        members.push_back(i);
        texts.push_back(set_.texts(survivors_[i].index).text());
      }
      if (texts.empty()) continue;
      const std::vector<DuplicateVerdict> verdicts = FindNearDuplicates(texts, real, options);
      for (size_t k = 0; k < members.size(); ++k) {
        if (!verdicts[k].duplicate) continue;
        drop_reason[members[k]] =
            verdicts[k].of_real ? "near duplicate of a real text" : "near duplicate";
      }
    }
    std::vector<Survivor> kept;
    for (size_t i = 0; i < survivors_.size(); ++i) {
      if (!drop_reason[i].empty()) {
        Drop(survivors_[i], "duplicates", drop_reason[i]);
      } else {
        kept.push_back(survivors_[i]);
      }
    }
    survivors_ = std::move(kept);
  }

  Status LabelConsistency(const v1::LabelCheck& check) {
    ClassifierExecutor* classifier = executors_.FindClassifier(check.classifier().kind());
    if (classifier == nullptr) {
      return FailedPreconditionError("this worker has no classifier of kind " +
                                     check.classifier().kind() + " for the label check");
    }
    if (survivors_.empty()) return OkStatus();
    std::vector<CandidateText> candidates;
    for (const Survivor& s : survivors_)
      candidates.push_back({set_.texts(s.index).text(), s.theme});
    const LabelAction action =
        check.action() == "relabel" ? LabelAction::kRelabel : LabelAction::kDrop;
    AUGSWEEP_ASSIGN_OR_RETURN(
        std::vector<LabelVerdict> verdicts,
        CheckLabels(*classifier, check.classifier(), in_.seed, in_.themes, in_.real_train,
                    candidates, check.threshold(), action, control_));
    std::vector<Survivor> kept;
    for (size_t i = 0; i < survivors_.size(); ++i) {
      const Survivor& s = survivors_[i];
      const LabelVerdict& v = verdicts[i];
      const float intended = static_cast<size_t>(s.theme) < v.probabilities.size()
                                 ? v.probabilities[static_cast<size_t>(s.theme)]
                                 : 0.0f;
      if (!v.keep) {
        Drop(s, "label_consistency", "off label", intended);
        continue;
      }
      if (v.labels != std::vector<int>{s.theme}) relabels_[s.index] = v.labels;
      kept.push_back(s);
    }
    survivors_ = std::move(kept);
    return OkStatus();
  }

  v1::SyntheticSet Output() {
    v1::SyntheticSet out;
    *out.mutable_prompts() = set_.prompts();
    *out.mutable_raw_completions() = set_.raw_completions();
    out.set_prompt_template(set_.prompt_template());
    // Survivors are still in generation order: every check keeps the order it was given.
    for (const Survivor& s : survivors_) {
      v1::SyntheticText* text = out.add_texts();
      *text = set_.texts(s.index);
      auto relabel = relabels_.find(s.index);
      if (relabel == relabels_.end()) continue;
      for (int t : relabel->second) text->add_labels(in_.themes[static_cast<size_t>(t)]);
    }
    for (v1::DroppedText& d : dropped_) *out.add_dropped() = std::move(d);
    for (int t = 0; t < static_cast<int>(in_.themes.size()); ++t) {
      const int generated_short =
          t < set_.shortfall_per_theme_size() ? set_.shortfall_per_theme(t) : 0;
      out.add_shortfall_per_theme(generated_short + dropped_per_theme_[t]);
    }
    return out;
  }

  const FilterInputs& in_;
  const v1::SyntheticSet& set_;
  const ExecutorRegistry& executors_;
  JobControl& control_;
  std::vector<Survivor> survivors_;  // in generation order
  std::vector<v1::DroppedText> dropped_;
  std::map<int, int> dropped_per_theme_;
  std::map<int, std::vector<int>> relabels_;  // text index -> themes, when not just its own
};

}  // namespace

StatusOr<v1::SyntheticSet> FilterSyntheticSet(const FilterInputs& inputs,
                                              const ExecutorRegistry& executors,
                                              JobControl& control) {
  if (inputs.filter == nullptr || inputs.generated == nullptr)
    return InvalidArgumentError("FilterSyntheticSet: missing inputs");
  return Filtering(inputs, executors, control).Run();
}

}  // namespace augsweep
