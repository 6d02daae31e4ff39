#include "worker/executors/encoder_classifier_executor.h"

#include <cstdio>

#include "common/tokenizers/classifier_inputs.h"
#include "worker/runtime/encoder_classifier.h"

namespace augsweep {
namespace {

// Weights and optimiser state stay float32; CUDA runs the passes in bf16 (every card this
// system targets has it, and unlike fp16 it needs no loss scaling).
constexpr const char* kCudaAutocast = "bfloat16";

StatusOr<std::vector<EncodedText>> Encode(const Tokenizer& tokenizer, EncoderFamily family,
                                          const std::vector<std::string>& texts, int max_length) {
  std::vector<EncodedText> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    AUGSWEEP_ASSIGN_OR_RETURN(ClassifierInput input,
                              EncodeClassifierInput(tokenizer, family, text, max_length));
    out.push_back(EncodedText{std::move(input.ids), std::move(input.token_type_ids)});
  }
  return out;
}

}  // namespace

StatusOr<const Tokenizer*> EncoderClassifierExecutor::LoadTokenizerOnce(
    const std::string& model_dir) {
  auto it = tokenizers_.find(model_dir);
  if (it != tokenizers_.end()) return it->second.get();
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, LoadTokenizer(model_dir));
  const Tokenizer* raw = tokenizer.get();
  tokenizers_[model_dir] = std::move(tokenizer);
  return raw;
}

StatusOr<TrainOutcome> EncoderClassifierExecutor::TrainAndPredict(const TrainRequest& request,
                                                                  JobControl& control) {
  MutexLock lock(&mu_);
  const v1::ClassifierSpec& spec = request.classifier;
  if (request.themes.empty()) return InvalidArgumentError("no themes to classify");
  if (request.train.empty()) return InvalidArgumentError("no training texts");

  EncoderLoadOptions load;
  load.device = device_;
  load.autocast_dtype = device_.rfind("cuda", 0) == 0 ? kCudaAutocast : "float32";
  load.threads = threads_;
  load.num_labels = static_cast<int>(request.themes.size());
  load.head_init_seed = request.seed;
  StatusOr<std::unique_ptr<EncoderClassifier>> loaded =
      EncoderClassifier::Load(spec.model_dir(), load);
  if (!loaded.ok()) {
    return loaded.status().WithContext("classifier " + spec.name());
  }
  std::unique_ptr<EncoderClassifier> model = std::move(loaded).value();
  const EncoderFamily family = model->config().family;
  if (kind_ != EncoderFamilyName(family)) {
    return InvalidArgumentError("classifier " + spec.name() + ": kind " + kind_ + ", but " +
                                spec.model_dir() + " holds a " + EncoderFamilyName(family) +
                                " model (config.json model_type)");
  }
  // Said once per model folder: every job of a sweep starts a new head the same way.
  if (!model->head_initialised().empty() && head_logged_.insert(spec.model_dir()).second) {
    std::fprintf(stderr,
                 "classifier %s: %s has no head for %zu themes; each job initialises one "
                 "(%zu tensors, N(0, %g), seeded by the job)\n",
                 spec.name().c_str(), spec.model_dir().c_str(), request.themes.size(),
                 model->head_initialised().size(), model->config().initializer_range);
  }

  AUGSWEEP_ASSIGN_OR_RETURN(const Tokenizer* tokenizer, LoadTokenizerOnce(spec.model_dir()));
  std::vector<std::string> train_texts;
  std::vector<std::vector<float>> labels;
  for (const LabelledText& t : request.train) {
    train_texts.push_back(t.text);
    std::vector<float> row(request.themes.size(), 0.0f);
    for (int theme : t.labels) {
      if (theme < 0 || theme >= static_cast<int>(row.size())) {
        return InvalidArgumentError("training text with theme index " + std::to_string(theme) +
                                    " outside the " + std::to_string(row.size()) + " themes");
      }
      row[theme] = 1.0f;
    }
    labels.push_back(std::move(row));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<EncodedText> train,
                            Encode(*tokenizer, family, train_texts, spec.max_length()));
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<EncodedText> test,
                            Encode(*tokenizer, family, request.test_texts, spec.max_length()));

  FineTuneOptions options;
  options.epochs = spec.epochs();
  options.batch_size = spec.batch_size();
  options.adamw.learning_rate = spec.learning_rate();
  options.adamw.weight_decay = spec.weight_decay();
  options.adamw.decay_bias_and_norm = spec.decay_bias_and_norm();
  options.warmup_ratio = spec.warmup_ratio();
  options.seed = request.seed;
  auto cancelled = [&control] { return control.cancelled(); };
  // Training is ~all of the job's time; prediction the rest.
  auto progress = [&control](float fraction) { control.ReportProgress(0.95f * fraction); };
  AUGSWEEP_ASSIGN_OR_RETURN(FineTuneReport report,
                            model->FineTune(train, labels, options, cancelled, progress));

  TrainOutcome outcome;
  AUGSWEEP_ASSIGN_OR_RETURN(outcome.test_probabilities,
                            model->Predict(test, spec.batch_size(), cancelled));
  outcome.loss_curve = std::move(report.step_losses);
  control.ReportProgress(1.0f);
  return outcome;
}

}  // namespace augsweep
